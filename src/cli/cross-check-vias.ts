/**
 * The values of `--cross-check VIA`: a proxy URL (`http://`, `https://`, `socks5://`,
 * `socks5h://`) or `mirror:HOST[:PORT]`, checked up front with the other global options.
 * @module
 */
import { UsageError } from "../model/errors.js";
import { parseProxyUrl } from "../http/proxy-env.js";
import { redactUrl } from "../http/redact.js";
import { parseRegistryHost } from "./host.js";

/** A `--cross-check` value, parsed. */
export type CrossCheckVia = { kind: "proxy"; proxy: string; label: string } | { kind: "mirror"; host: string; label: string };

/**
 * Parses the `--cross-check` values.
 * @throws UsageError for a value that is neither a proxy URL nor `mirror:HOST[:PORT]`
 */
export function parseCrossCheckVias(values: readonly string[] = []): CrossCheckVia[] {
  return values.map((v) => {
    if (v.startsWith("mirror:")) {
      const host = parseRegistryHost(v.slice("mirror:".length).replace(/^\/\//, ""));
      return { kind: "mirror", host, label: `mirror ${host}` };
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new UsageError(`--cross-check wants a proxy URL (http://, https://, socks5://) or mirror:HOST[:PORT], not ${JSON.stringify(v)}`);
    const proxy = parseProxyUrl(v, "--cross-check").href;
    return { kind: "proxy", proxy, label: `via ${redactUrl(proxy)}` };
  });
}

