/**
 * The retry layer: tries a request again on a transient failure (a connection-level error,
 * or 408, 429, 500, 502, 503, 504) as a {@link RetryPolicy} says, honouring `Retry-After`.
 * It watches the body factory itself, so a request whose stream body was sent (and so
 * consumed) is never sent again, whether it failed or was answered. A `429` (or a `503` with
 * `Retry-After`) pauses every request to that registry through the shared {@link HostGate}.
 * @module
 */
import { discard } from "./discard.js";
import { gateKey, type HostGate } from "./host-gate.js";
import { redactUrl } from "./redact.js";
import { isRetriableStatus, parseRetryAfter, sleep, type RetryPolicy } from "./retry.js";
import { errorCode, isStreamBody, type HttpRequest, type RoundTripper } from "./round-trip.js";

/** Wraps `next` with retries by `policy`; each wait is logged to `log` when given; `gate` holds a registry's requests while it asked to slow down. */
export function withRetries(next: RoundTripper, policy: RetryPolicy, log?: (line: string) => void, gate?: HostGate): RoundTripper {
  const pause = async (req: HttpRequest, why: string, ms: number, attempt: number): Promise<void> => {
    log?.(`${req.method} ${redactUrl(req.url)}: ${why}, retry ${attempt + 1}/${policy.retries} in ${ms} ms`);
    await sleep(ms, req.signal);
  };
  const send = async (req: HttpRequest, attempt: number): Promise<Awaited<ReturnType<RoundTripper>>> => {
    if (!gate) return next(req);
    const host = gateKey(req.url);
    await gate.enter(host, req.signal);
    const res = await next(req);
    const retryAfter = res.status === 429 || res.status === 503 ? parseRetryAfter(res.header("retry-after")) : undefined;
    if (res.status === 429 || retryAfter !== undefined) gate.pause(host, policy.delay(attempt, retryAfter));
    return res;
  };
  return async (req) => {
    if (req.retry === false || policy.retries <= 0) return send(req, 0);
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
        res = await send(watched, attempt);
      } catch (err) {
        if (streamed || attempt >= policy.retries || req.signal?.aborted || !policy.isTransient(err)) throw err;
        await pause(req, errorCode(err), policy.delay(attempt), attempt);
        continue;
      }
      if (streamed || attempt >= policy.retries || !isRetriableStatus(res.status)) return res;
      const retryAfter = parseRetryAfter(res.header("retry-after"));
      discard(res.body);
      // A pause the gate now holds for this registry is the wait; else the policy's backoff.
      const held = gate?.remaining(gateKey(req.url)) ?? 0;
      const wait = held > 0 ? held : policy.delay(attempt, retryAfter);
      await pause(req, String(res.status), wait, attempt);
    }
  };
}
