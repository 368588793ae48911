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
import { isSocksProxy, parseProxyUrl, proxyFor } from "./proxy-env.js";
import type { HttpRequest, HttpResponse } from "./round-trip.js";
import { undici } from "./undici.js";

/** Settings of a {@link Sender}. */
export interface SenderOptions {
  /** Skip TLS verification. */
  insecure?: boolean;
  /** Extra PEM bundle(s) to trust, as file paths. */
  caFiles?: string[];
  /** Proxy URL (http, https or socks5); when absent, `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` from the environment apply (see `proxy-env.ts`). */
  proxy?: string;
  /** Time to wait for response headers, and for the next body chunk, in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** User-Agent header. */
  userAgent?: string;
  /** Parallel connections per origin (default 16). */
  connections?: number;
}

/** Sends single requests; holds the connection pools. */
export class Sender {
  private readonly options: SenderOptions;
  private readonly proxyUrl?: URL;
  private readonly extraCa: string[];
  /** For plain-HTTP origins when no proxy applies: no TLS settings, no proxy agent. */
  private plain?: Dispatcher;
  /** For https origins when no proxy applies. */
  private direct?: Dispatcher;
  /** One agent per proxy in use, by URL. */
  private readonly proxied = new Map<string, Dispatcher>();

  /** @throws UsageError for a malformed proxy URL or a CA file that is missing or holds no certificate. */
  constructor(options: SenderOptions = {}) {
    this.options = options;
    if (options.proxy) this.proxyUrl = parseProxyUrl(options.proxy, "--proxy");
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
    await Promise.all([this.plain?.close(), this.direct?.close(), ...[...this.proxied.values()].map((d) => d.close())]);
  }

  private dispatcherFor(url: URL): Dispatcher {
    const proxy = proxyFor(url, this.proxyUrl);
    if (!proxy) return url.protocol === "http:" ? (this.plain ??= new undici.Agent(this.common())) : (this.direct ??= new undici.Agent({ ...this.common(), connect: this.tls() }));
    let agent = this.proxied.get(proxy.href);
    if (!agent) this.proxied.set(proxy.href, (agent = this.viaProxy(proxy)));
    return agent;
  }

  private common(): Agent.Options {
    const timeout = this.options.timeoutMs ?? 60_000;
    return { keepAliveTimeout: 30_000, connections: this.options.connections ?? 16, headersTimeout: timeout, bodyTimeout: timeout };
  }

  /** TLS settings for registries: verification unless `--insecure`, extra CAs beside the system's. */
  private tls(): { rejectUnauthorized: boolean; ca?: string[] } {
    return { rejectUnauthorized: !this.options.insecure, ...(this.extraCa.length ? { ca: [...rootCertificates, ...this.extraCa] } : {}) };
  }

  private viaProxy(proxy: URL): Dispatcher {
    const tls = this.tls();
    if (isSocksProxy(proxy)) {
      // undici takes socks5: and socks:; socks5h (names resolved by the proxy) is what it does anyway.
      const uri = proxy.href.replace(/^socks5h:/, "socks5:");
      return new undici.ProxyAgent({ ...this.common(), uri, requestTls: tls });
    }
    return new undici.ProxyAgent({ ...this.common(), uri: proxy.href, requestTls: tls, proxyTls: tls });
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
