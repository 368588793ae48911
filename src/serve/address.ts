/**
 * `--address HOST:PORT` (`:PORT` for every interface, `[::1]:PORT` for IPv6).
 * @module
 */
import { UsageError } from "../model/errors.js";

/** The default address: loopback, the registry port. */
export const DEFAULT_ADDRESS = "127.0.0.1:5000";

/** Parses HOST:PORT. @throws UsageError */
export function parseAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`invalid --address ${JSON.stringify(text)}: want HOST:PORT, e.g. ${DEFAULT_ADDRESS}`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** The URL of a listening address. */
export function urlOf(tls: boolean, host: string, port: number): string {
  const h = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return `${tls ? "https" : "http"}://${h}:${port}`;
}
