/**
 * `Link` header (RFC 8288).
 * @module
 */

/** One link. */
export interface Link {
  url: string;
  rel: string;
  params: Record<string, string>;
}

/** Parses a Link header; never throws. */
export function parseLinks(header: string | null | undefined): Link[] {
  const out: Link[] = [];
  if (!header) return out;
  const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
  for (const m of header.matchAll(re)) {
    const params: Record<string, string> = {};
    for (const p of (m[2] ?? "").split(";")) {
      const kv = /^\s*([^=\s]+)\s*=\s*"?([^"]*)"?\s*$/.exec(p);
      if (kv) params[kv[1]!.toLowerCase()] = kv[2]!;
    }
    out.push({ url: m[1]!, rel: params.rel ?? "", params });
  }
  return out;
}

/** The `rel="next"` URL resolved against the request URL. */
export function nextLink(header: string | null | undefined, requestUrl: string): string | undefined {
  const next = parseLinks(header).find((l) => l.rel.split(/\s+/).includes("next"));
  if (!next) return undefined;
  try {
    return new URL(next.url, requestUrl).toString();
  } catch {
    return undefined;
  }
}
