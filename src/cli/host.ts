/**
 * Parsing a registry host given on the command line (`login`, `logout`, `catalog`).
 * @module
 */
import { UsageError } from "../model/errors.js";
import { canonicalRegistry } from "../model/registry-names.js";

/**
 * `HOST[:PORT]`, also accepting a URL (`https://index.docker.io/v1/`) as docker does, and
 * normalising Docker Hub's names to `docker.io`.
 * @throws UsageError
 */
export function parseRegistryHost(text: string): string {
  let t = text.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(t);
  if (scheme) t = t.slice(scheme[0].length);
  t = t.replace(/\/.*$/, "");
  const host = t.toLowerCase();
  const ok = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/.test(host) || /^\[[0-9a-f:.]+\](?::\d{1,5})?$/.test(host);
  if (!ok) throw new UsageError(`invalid registry host ${JSON.stringify(text)}: want HOST or HOST:PORT`);
  return canonicalRegistry(host);
}
