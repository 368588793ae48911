/**
 * Redaction of secrets in URLs and headers before anything is logged or put in an error.
 * @module
 */

/** Query parameters whose values are safe to show (paging, upload and auth-scope parameters). */
const SAFE_QUERY_KEYS = new Set(["n", "last", "digest", "mount", "from", "service", "scope", "artifactType", "_state_hidden", "page", "page_size", "q", "query", "ordering", "name"]);

/**
 * A URL fit for a log line or an error message: userinfo removed, and the value of every
 * query parameter that is not known to be harmless replaced by `REDACTED` (signed CDN URLs
 * and upload locations carry credentials in their query).
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return "<invalid url>";
  }
  u.username = "";
  u.password = "";
  const params = [...u.searchParams.entries()];
  if (params.length > 0) {
    const q = params.map(([k, v]) => `${encodeURIComponent(k)}=${SAFE_QUERY_KEYS.has(k) ? encodeURIComponent(v) : "REDACTED"}`);
    u.search = `?${q.join("&")}`;
  }
  return u.toString();
}

/** Header names whose values are secrets. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token"]);

/** Headers fit for a log line: secret values replaced by their scheme and `REDACTED`. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(", ") : v;
    if (SECRET_HEADERS.has(k.toLowerCase())) {
      const scheme = value.split(" ")[0];
      out[k] = value.includes(" ") ? `${scheme} REDACTED` : "REDACTED";
    } else {
      out[k] = value;
    }
  }
  return out;
}
