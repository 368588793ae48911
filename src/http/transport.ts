/**
 * The HTTP transport: one keep-alive dispatcher (undici pools per origin), proxies from flags
 * or the environment, extra CA bundles, retries with exponential backoff and jitter on
 * transient failures, manual redirects that drop `Authorization` when the host changes, and
 * a request log with secrets redacted.
 * @module
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { describeNetworkError } from "./network-errors.js";
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { undici } from "./undici.js";
import { AbortedError, OcidistError, UsageError } from "../model/errors.js";
import { redactUrl } from "./redact.js";
import { parseRetryAfter, backoffDelay, isRetriableStatus, isRetriableNetworkError, sleep } from "./retry.js";
import { discard } from "./discard.js";

/** Settings of a {@link Transport}. */
export interface TransportOptions {
  /** Skip TLS verification (and, at the registry layer, allow plain HTTP anywhere). */
  insecure?: boolean;
  /** Extra PEM bundle(s) to trust, as file paths. */
  caFiles?: string[];
  /** Proxy URL; when absent, `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment apply. */
  proxy?: string;
  /** Extra attempts for transient failures (default 4). */
  retries?: number;
  /** Base delay of the exponential backoff, in milliseconds (default 250). */
  retryBaseMs?: number;
  /** Longest single wait between attempts, including `Retry-After` (default 30 s). */
  retryMaxMs?: number;
  /** Time to wait for response headers, and for the next body chunk, in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** Receives one line per request when set (`-v`). Lines never contain secrets. */
  log?: (line: string) => void;
  /** Parallel connections per origin (default 16). */
  connections?: number;
}

/** HTTP methods the registry API uses. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A request body: bytes, or a stream (which can be sent only once, so is never retried). */
export type RequestBody = Buffer | Uint8Array | string | Readable;

/**
 * One HTTP request. The body is a factory called once per attempt, so that a retry or an
 * auth round can replay it; a factory that cannot make a fresh body goes with `retry: false`.
 */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: () => RequestBody;
  /** Follow redirects (default: for GET and HEAD). */
  followRedirects?: boolean;
  /** Retry transient failures (default true; forced off for stream bodies). */
  retry?: boolean;
  signal?: AbortSignal;
}

/** A response whose body must be consumed or destroyed by the caller. */
export interface HttpResponse {
  status: number;
  /** Response headers, names lower-case. */
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The URL that answered (after redirects). */
  url: string;
  /** One header's value; several values are joined with ", ". */
  header(name: string): string | undefined;
  /** Every value of a header (for `WWW-Authenticate`, `Warning`). */
  headerAll(name: string): string[];
  /** The token scopes the request was authorised for (set by the registry client, for error messages). */
  scopes?: string[];
  /** What authenticated the request, when anything did (set by the registry client, for error messages). */
  credentials?: "basic" | "bearer";
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/** The client's HTTP layer. One instance per client; it holds the connection pools. */
export class Transport {
  readonly options: TransportOptions;
  private readonly dispatcher: Dispatcher;

  constructor(options: TransportOptions = {}) {
    this.options = options;
    const tls = {
      rejectUnauthorized: !options.insecure,
      ...caOption(options.caFiles),
    };
    const common = {
      keepAliveTimeout: 30_000,
      connections: options.connections ?? 16,
      headersTimeout: options.timeoutMs ?? 60_000,
      bodyTimeout: options.timeoutMs ?? 60_000,
      connect: tls,
    };
    if (options.proxy) {
      let proxyUrl: URL;
      try {
        proxyUrl = new URL(options.proxy);
      } catch {
        throw new UsageError(`invalid proxy URL ${JSON.stringify(redactUrl(options.proxy))}`);
      }
      this.dispatcher = new undici.ProxyAgent({ ...common, uri: proxyUrl.toString(), requestTls: tls });
    } else if (process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy) {
      this.dispatcher = new undici.EnvHttpProxyAgent({ ...common, requestTls: tls });
    } else {
      this.dispatcher = new undici.Agent(common);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /**
   * Sends a request, retrying transient failures (connection errors, 408, 429, 500, 502,
   * 503, 504) with backoff when the body can be replayed, and following redirects.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retry === false ? 0 : this.options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      let streamed = false;
      try {
        const out = await this.requestFollowing(req);
        res = out.res;
        streamed = out.streamed;
      } catch (err) {
        if (req.signal?.aborted) throw new AbortedError("cancelled", { cause: err });
        if (streamed || attempt >= retries || !isRetriableNetworkError(err)) throw wrapNetworkError(err, req, this.options.proxy);
        await this.pause(backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs), req, `${errorCode(err)}`, attempt, retries);
        continue;
      }
      if (!isRetriableStatus(res.status) || streamed || attempt >= retries) return res;
      const retryAfter = parseRetryAfter(res.header("retry-after"));
      discard(res.body);
      const base = backoffDelay(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
      const wait = Math.min(retryAfter !== undefined ? Math.max(retryAfter, base) : base, this.options.retryMaxMs ?? 30_000);
      await this.pause(wait, req, String(res.status), attempt, retries);
    }
  }

  private async pause(ms: number, req: HttpRequest, why: string, attempt: number, retries: number): Promise<void> {
    this.options.log?.(`${req.method} ${redactUrl(req.url)}: ${why}, retry ${attempt + 1}/${retries} in ${ms} ms`);
    await sleep(ms, req.signal);
  }

  /** One attempt, following redirects. `streamed` tells whether a one-shot body was consumed. */
  private async requestFollowing(req: HttpRequest): Promise<{ res: HttpResponse; streamed: boolean }> {
    const follow = req.followRedirects ?? (req.method === "GET" || req.method === "HEAD");
    let url = req.url;
    let headers = { ...req.headers };
    let method = req.method;
    let streamed = false;
    for (let hop = 0; ; hop++) {
      const body = method === req.method ? req.body?.() : undefined;
      if (body !== undefined && typeof body === "object" && "pipe" in body) streamed = true;
      const res = await this.send(method, url, headers, body, req.signal);
      if (!follow || !REDIRECTS.has(res.status)) return { res, streamed };
      const location = res.header("location");
      discard(res.body);
      if (!location) throw new OcidistError(`${method} ${redactUrl(url)}: redirect ${res.status} without a Location header`);
      if (hop >= MAX_REDIRECTS) throw new OcidistError(`${method} ${redactUrl(req.url)}: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new OcidistError(`${method} ${redactUrl(url)}: refusing redirect to a ${next.protocol} URL`);
      }
      if (new URL(url).protocol === "https:" && next.protocol === "http:" && !this.options.insecure) {
        throw new OcidistError(`${method} ${redactUrl(url)}: refusing redirect from https to plain http (${redactUrl(next)})`);
      }
      if (next.host !== new URL(url).host) headers = withoutCredentials(headers);
      if (res.status === 303) method = "GET";
      url = next.toString();
    }
  }

  private async send(
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    body: RequestBody | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const start = Date.now();
    const allHeaders: Record<string, string> = { "user-agent": this.options.userAgent ?? "ocidist", ...headers };
    let r: Dispatcher.ResponseData;
    try {
      const target = new URL(url);
      r = await this.dispatcher.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method,
        headers: allHeaders,
        body: body as Dispatcher.DispatchOptions["body"],
        signal,
      });
    } catch (err) {
      this.options.log?.(`${method} ${redactUrl(url)} → ${errorCode(err)} (${Date.now() - start} ms)`);
      throw err;
    }
    this.options.log?.(`${method} ${redactUrl(url)} → ${r.statusCode} (${Date.now() - start} ms)`);
    const h = r.headers;
    return {
      status: r.statusCode,
      headers: h,
      body: r.body,
      url,
      header(name: string) {
        const v = h[name.toLowerCase()];
        return Array.isArray(v) ? v.join(", ") : v;
      },
      headerAll(name: string) {
        const v = h[name.toLowerCase()];
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      },
    };
  }
}

/** Headers without anything that authenticates: sent to a different host after a redirect. */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const lk = k.toLowerCase();
    if (lk === "authorization" || lk === "cookie" || lk === "proxy-authorization") continue;
    out[k] = v;
  }
  return out;
}

function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read CA file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? String(err))}`);
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return text;
}

/** A short name for a network error: its code, else its message. */
export function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return e?.code ?? e?.cause?.code ?? e?.message ?? String(err);
}

/**
 * The `ca` option of the TLS settings: Node's roots plus every `--ca-file`, else plus
 * `SSL_CERT_FILE` when that is set (as curl and OpenSSL honour it), else Node's defaults.
 */
function caOption(caFiles: string[] | undefined): { ca?: string[] } {
  const files = caFiles?.length ? caFiles : process.env.SSL_CERT_FILE ? [process.env.SSL_CERT_FILE] : [];
  return files.length ? { ca: [...rootCertificates, ...files.map(readCaFile)] } : {};
}

/** The proxy a request to `url` goes through: `--proxy`, else the environment's (NO_PROXY honoured roughly). */
function proxyFor(url: string, explicit: string | undefined): string | undefined {
  if (explicit) return explicit;
  const u = new URL(url);
  const env = process.env;
  const proxy = u.protocol === "https:" ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const none = (env.NO_PROXY ?? env.no_proxy ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const host = u.hostname.toLowerCase();
  if (none.some((n) => n === "*" || host === n.replace(/^\./, "") || host.endsWith(n.startsWith(".") ? n : `.${n}`))) return undefined;
  try {
    return new URL(proxy).toString();
  } catch {
    return undefined;
  }
}

function wrapNetworkError(err: unknown, req: HttpRequest, proxy?: string): Error {
  if (err instanceof OcidistError) return err;
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const detail = describeNetworkError(err, { url: req.url, proxy: proxyFor(req.url, proxy) }) ?? e.cause?.code ?? e.cause?.message ?? errorCode(err);
  return new OcidistError(`${req.method} ${redactUrl(req.url)}: ${detail}`, { cause: err });
}
