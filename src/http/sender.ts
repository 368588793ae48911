/**
 * The base layer: sends one request over undici's keep-alive pools, through a proxy from
 * `--proxy` or the environment, trusting extra CA bundles. No retries, no redirects. The
 * TLS and proxy machinery is built on the first request that needs it, so a plain-HTTP
 * request without a proxy starts cheaply.
 * @module
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Agent, Dispatcher } from "undici";
import { UsageError } from "../model/errors.js";
import { redactUrl } from "./redact.js";
import type { HttpRequest, HttpResponse } from "./round-trip.js";
import { undici } from "./undici.js";

/** Settings of a {@link Sender}. */
export interface SenderOptions {
  /** Skip TLS verification. */
  insecure?: boolean;
  /** Extra PEM bundle(s) to trust, as file paths. */
  caFiles?: string[];
  /** Proxy URL; when absent, `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` from the environment apply. */
  proxy?: string;
  /** Time to wait for response headers, and for the next body chunk, in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** Parallel connections per origin (default 16). */
  connections?: number;
}

/** True when the environment names a proxy. */
function environmentProxy(): boolean {
  const env = process.env;
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
}

/** Sends single requests; holds the connection pools. */
export class Sender {
  private readonly options: SenderOptions;
  private readonly proxyUrl?: URL;
  private readonly extraCa: string[];
  /** For plain-HTTP origins when no proxy applies: no TLS settings, no proxy agent. */
  private plain?: Dispatcher;
  /** For everything else: TLS settings and the proxy agent, if any. */
  private full?: Dispatcher;

  /** @throws UsageError for a malformed proxy URL or a CA file that is missing or holds no certificate. */
  constructor(options: SenderOptions = {}) {
    this.options = options;
    if (options.proxy) {
      try {
        this.proxyUrl = new URL(options.proxy);
      } catch {
        throw new UsageError(`invalid proxy URL ${JSON.stringify(redactUrl(options.proxy))}`);
      }
    }
    this.extraCa = caFiles(options.caFiles).map(readCaFile);
  }

  /** Sends `req` once: its body factory is called once, redirects are returned as they are. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const target = new URL(req.url);
    const r = await this.dispatcherFor(target).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: req.method,
      headers: { "user-agent": this.options.userAgent ?? "ocidist", ...req.headers },
      body: req.body?.() as Dispatcher.DispatchOptions["body"],
      signal: req.signal,
    });
    const h = r.headers;
    return {
      status: r.statusCode,
      headers: h,
      body: r.body,
      url: req.url,
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

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await Promise.all([this.plain?.close(), this.full?.close()]);
  }

  private dispatcherFor(url: URL): Dispatcher {
    if (url.protocol === "http:" && !this.proxyUrl && !environmentProxy()) return (this.plain ??= new undici.Agent(this.common()));
    return (this.full ??= this.build());
  }

  private common(): Agent.Options {
    const timeout = this.options.timeoutMs ?? 60_000;
    return { keepAliveTimeout: 30_000, connections: this.options.connections ?? 16, headersTimeout: timeout, bodyTimeout: timeout };
  }

  private build(): Dispatcher {
    const tls = { rejectUnauthorized: !this.options.insecure, ...(this.extraCa.length ? { ca: [...rootCertificates, ...this.extraCa] } : {}) };
    const common = { ...this.common(), connect: tls };
    if (this.proxyUrl) return new undici.ProxyAgent({ ...common, uri: this.proxyUrl.toString(), requestTls: tls });
    if (environmentProxy()) return new undici.EnvHttpProxyAgent({ ...common, requestTls: tls });
    return new undici.Agent(common);
  }
}

/** Every `--ca-file`, else `SSL_CERT_FILE` when that is set (as curl and OpenSSL honour it). */
function caFiles(given: string[] | undefined): string[] {
  if (given?.length) return given;
  return process.env.SSL_CERT_FILE ? [process.env.SSL_CERT_FILE] : [];
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
