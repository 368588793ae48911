/**
 * The base layer: sends one request over keep-alive pools, through a proxy from `--proxy`
 * or the environment, trusting extra CA bundles. No retries, no redirects. Direct
 * connections use Node's own http and https (`direct.ts`); only a request that goes
 * through a proxy loads undici (CONNECT, SOCKS5). TLS settings are built on the first
 * https request, so a plain-HTTP request without a proxy starts cheaply.
 * @module
 */
import { readFileSync } from "node:fs";
import type * as Tls from "node:tls";
import { builtin } from "../util/lazy-builtin.js";
import type { Agent, Dispatcher } from "undici";
import { UsageError } from "../model/errors.js";
import { isSocksProxy, parseProxyUrl, proxyFor } from "./proxy-env.js";
import { DirectPool } from "./direct.js";
import type { HttpRequest, HttpResponse } from "./round-trip.js";
import { loadUndici } from "./undici.js";

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

/** How long an idle pooled connection is kept. */
const KEEP_ALIVE_MS = 30_000;

/** Sends single requests; holds the connection pools. */
export class Sender {
  private readonly options: SenderOptions;
  private readonly proxyUrl?: URL;
  private readonly extraCa: string[];
  /** Origins reached without a proxy. */
  private readonly direct: DirectPool;
  /** One agent per proxy in use, by URL. */
  private readonly proxied = new Map<string, Dispatcher>();

  /** @throws UsageError for a malformed proxy URL or a CA file that is missing or holds no certificate. */
  constructor(options: SenderOptions = {}) {
    this.options = options;
    if (options.proxy) this.proxyUrl = parseProxyUrl(options.proxy, "--proxy");
    this.extraCa = caFiles(options.caFiles).map(readCaFile);
    const timeoutMs = options.timeoutMs ?? 60_000;
    this.direct = new DirectPool({ connections: this.connections(), timeoutMs, keepAliveMs: KEEP_ALIVE_MS, tls: () => this.tls() });
  }

  /** Sends `req` once: its body factory is called once, redirects are returned as they are. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const target = new URL(req.url);
    const headers = { "user-agent": this.options.userAgent ?? "ocidist", ...req.headers };
    const proxy = proxyFor(target, this.proxyUrl);
    if (!proxy) return this.direct.send(req, target, headers);
    const r = await this.viaProxy(proxy).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: req.method,
      headers,
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
    this.direct.close();
    await Promise.all([...this.proxied.values()].map((d) => d.close()));
  }

  private connections(): number {
    return this.options.connections ?? 16;
  }

  private common(): Agent.Options {
    const timeout = this.options.timeoutMs ?? 60_000;
    return { keepAliveTimeout: KEEP_ALIVE_MS, connections: this.connections(), headersTimeout: timeout, bodyTimeout: timeout };
  }

  /** TLS settings for registries: verification unless `--insecure`, extra CAs beside the system's. */
  private tls(): { rejectUnauthorized: boolean; ca?: string[] } {
    return { rejectUnauthorized: !this.options.insecure, ...(this.extraCa.length ? { ca: [...builtin<typeof Tls>("node:tls").rootCertificates, ...this.extraCa] } : {}) };
  }

  /** The undici agent for one proxy, made on first use. */
  private viaProxy(proxy: URL): Dispatcher {
    let agent = this.proxied.get(proxy.href);
    if (agent) return agent;
    const { ProxyAgent } = loadUndici();
    const tls = this.tls();
    if (isSocksProxy(proxy)) {
      // undici takes socks5: and socks:; socks5h (names resolved by the proxy) is what it does anyway.
      const uri = proxy.href.replace(/^socks5h:/, "socks5:");
      agent = new ProxyAgent({ ...this.common(), uri, requestTls: tls });
    } else {
      agent = new ProxyAgent({ ...this.common(), uri: proxy.href, requestTls: tls, proxyTls: tls });
    }
    this.proxied.set(proxy.href, agent);
    return agent;
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
