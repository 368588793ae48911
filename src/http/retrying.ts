/**
 * The retry layer: tries a request again on a transient failure (a connection-level error,
 * or 408, 429, 500, 502, 503, 504) as a {@link RetryPolicy} says, honouring `Retry-After`.
 * It watches the body factory itself, so a request whose stream body was sent (and so
 * consumed) is never sent again, whether it failed or was answered.
 * @module
 */
import { discard } from "./discard.js";
import { redactUrl } from "./redact.js";
import { isRetriableStatus, parseRetryAfter, sleep, type RetryPolicy } from "./retry.js";
import { errorCode, isStreamBody, type HttpRequest, type RoundTripper } from "./round-trip.js";

/** Wraps `next` with retries by `policy`; each wait is logged to `log` when given. */
export function withRetries(next: RoundTripper, policy: RetryPolicy, log?: (line: string) => void): RoundTripper {
  const pause = async (req: HttpRequest, why: string, ms: number, attempt: number): Promise<void> => {
    log?.(`${req.method} ${redactUrl(req.url)}: ${why}, retry ${attempt + 1}/${policy.retries} in ${ms} ms`);
    await sleep(ms, req.signal);
  };
  return async (req) => {
    if (req.retry === false || policy.retries <= 0) return next(req);
    let streamed = false;
    const make = req.body;
    const watched: HttpRequest = make
      ? {
          ...req,
          body: () => {
            const body = make();
            if (isStreamBody(body)) streamed = true;
            return body;
          },
        }
      : req;
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await next(watched);
      } catch (err) {
        if (streamed || attempt >= policy.retries || req.signal?.aborted || !policy.isTransient(err)) throw err;
        await pause(req, errorCode(err), policy.delay(attempt), attempt);
        continue;
      }
      if (streamed || attempt >= policy.retries || !isRetriableStatus(res.status)) return res;
      const retryAfter = parseRetryAfter(res.header("retry-after"));
      discard(res.body);
      await pause(req, String(res.status), policy.delay(attempt, retryAfter), attempt);
    }
  };
}
