/**
 * The redirect layer: follows 301, 302, 303, 307 and 308 by hand, so that credentials
 * (`Authorization`, `Cookie`, `Proxy-Authorization`) are dropped when the host changes and
 * a redirect from https to plain http is refused (unless insecure).
 * @module
 */
import { OcidistError } from "../model/errors.js";
import { MAX_REDIRECTS } from "../model/limits.js";
import { discard } from "./discard.js";
import { redactUrl } from "./redact.js";
import type { HttpMethod, RoundTripper } from "./round-trip.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Settings of {@link withRedirects}. */
export interface RedirectOptions {
  /** Follow a redirect from https to plain http (`--insecure`). */
  allowDowngrade?: boolean;
}

/** Header names that authenticate, never sent to another host. */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/** Headers without anything that authenticates: sent to a different host after a redirect. */
function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
}

/**
 * Wraps `next` so that redirects are followed (by default for GET and HEAD; `followRedirects`
 * decides otherwise). The body factory is called again for each hop that keeps the method;
 * a 303 turns the request into a GET without a body.
 */
export function withRedirects(next: RoundTripper, options: RedirectOptions = {}): RoundTripper {
  return async (req) => {
    const follow = req.followRedirects ?? (req.method === "GET" || req.method === "HEAD");
    let url = req.url;
    let headers = { ...req.headers };
    let method: HttpMethod = req.method;
    for (let hop = 0; ; hop++) {
      const res = await next({ ...req, method, url, headers, body: method === req.method ? req.body : undefined });
      if (!follow || !REDIRECTS.has(res.status)) return res;
      const location = res.header("location");
      discard(res.body);
      if (!location) throw new OcidistError(`${method} ${redactUrl(url)}: redirect ${res.status} without a Location header`);
      if (hop >= MAX_REDIRECTS) throw new OcidistError(`${method} ${redactUrl(req.url)}: more than ${MAX_REDIRECTS} redirects`);
      const from = new URL(url);
      const to = new URL(location, url);
      if (to.protocol !== "https:" && to.protocol !== "http:") {
        throw new OcidistError(`${method} ${redactUrl(url)}: refusing redirect to a ${to.protocol} URL`);
      }
      if (from.protocol === "https:" && to.protocol === "http:" && !options.allowDowngrade) {
        throw new OcidistError(`${method} ${redactUrl(url)}: refusing redirect from https to plain http (${redactUrl(to)})`);
      }
      if (to.host !== from.host) headers = withoutCredentials(headers);
      if (res.status === 303) method = "GET";
      url = to.toString();
    }
  };
}
