/**
 * Which proxy a request goes through: `--proxy` when given, else the environment's, as curl
 * reads it: `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones, `ALL_PROXY` for either
 * (upper or lower case), unless `NO_PROXY` names the host (`*`, `host`, `.suffix`,
 * `host:port`). Proxies are `http://`, `https://` or SOCKS5 (`socks5://`, `socks5h://`,
 * `socks://`; the host name is always sent to a SOCKS proxy, never resolved here, so Tor
 * works). The one proxy decision of the transport: the sender routes by it, error messages
 * name it.
 * @module
 */
import { UsageError } from "../model/errors.js";
import { redactUrl } from "./redact.js";

const PROXY_PROTOCOLS = new Set(["http:", "https:", "socks5:", "socks5h:", "socks:"]);

/** True for a SOCKS proxy URL. */
export function isSocksProxy(proxy: URL): boolean {
  return proxy.protocol.startsWith("socks");
}

/**
 * Parses a proxy URL (`--proxy`, an environment variable, a `--cross-check` path).
 * @param from names where it came from, for the error
 * @throws UsageError for a malformed URL or an unsupported scheme
 */
export function parseProxyUrl(text: string, from = "proxy URL"): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${from}: invalid proxy URL ${JSON.stringify(redactUrl(text))}`);
  }
  if (!PROXY_PROTOCOLS.has(url.protocol) || !url.hostname) {
    throw new UsageError(`${from}: a proxy is http://, https:// or socks5://HOST:PORT, not ${JSON.stringify(redactUrl(text))}`);
  }
  return url;
}

function env(name: string): string | undefined {
  return process.env[name] || process.env[name.toLowerCase()] || undefined;
}

/** True when `NO_PROXY` exempts this URL's host. */
function exempt(url: URL): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of (env("NO_PROXY") ?? "").split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    // [v6]:port, a bare v6 address (more than one colon), or name[:port]
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? (entry.split(":").length > 2 ? [entry, entry] : /^([^:]+)(?::(\d+))?$/.exec(entry));
    if (!m) continue;
    const name = m[1]!.replace(/^\*?\./, ".");
    if (m[2] && m[2] !== port) continue;
    if (host === name.replace(/^\./, "") || (name.startsWith(".") ? host.endsWith(name) : host.endsWith(`.${name}`))) return true;
  }
  return false;
}

/**
 * The proxy for a request to `url`, or undefined to go direct.
 * @param explicit `--proxy` (which applies to every request)
 * @throws UsageError when the proxy named is not a proxy URL
 */
export function proxyFor(url: URL, explicit?: URL): URL | undefined {
  if (explicit) return explicit;
  const name = url.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  const chosen = env(name) ? name : env("ALL_PROXY") ? "ALL_PROXY" : undefined;
  if (!chosen || exempt(url)) return undefined;
  return parseProxyUrl(env(chosen)!, chosen);
}
