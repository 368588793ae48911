/**
 * The logging layer: one line per request sent (each redirect hop is one), with its status
 * or error and its duration. URLs are redacted (`redact.ts`); headers are never logged.
 * @module
 */
import { redactUrl } from "./redact.js";
import { errorCode, type RoundTripper } from "./round-trip.js";

/** Wraps `next` so that every request it sends is logged to `log`; without `log`, `next` itself. */
export function withLogging(next: RoundTripper, log: ((line: string) => void) | undefined): RoundTripper {
  if (!log) return next;
  return async (req) => {
    const start = Date.now();
    const what = `${req.method} ${redactUrl(req.url)}`;
    try {
      const res = await next(req);
      log(`${what} → ${res.status} (${Date.now() - start} ms)`);
      return res;
    } catch (err) {
      log(`${what} → ${errorCode(err)} (${Date.now() - start} ms)`);
      throw err;
    }
  };
}
