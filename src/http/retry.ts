/**
 * Retry policy: which failures are transient, and how long to wait. One {@link RetryPolicy}
 * object is shared by every layer that tries again (HTTP requests, resumed blob reads,
 * whole-blob copies), so a user's `--retries` means the same everywhere.
 * @module
 */
import { AbortedError, DigestMismatchError, LimitError, OcidistError } from "../model/errors.js";

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** True for the statuses worth another attempt: 408, 429, 500, 502, 503, 504. */
export function isRetriableStatus(status: number): boolean {
  return RETRIABLE_STATUS.has(status);
}

const RETRIABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** True for connection-level failures that another attempt may not meet (reset, refused, timeouts). */
export function isRetriableNetworkError(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code && RETRIABLE_CODES.has(e.code)) return true;
    e = e.cause as { code?: string; cause?: unknown } | undefined;
  }
  return false;
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: a random wait in [base·2^attempt / 2, base·2^attempt], capped. */
export function backoffDelay(attempt: number, baseMs = 250, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Waits, or rejects with AbortedError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError("cancelled"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError("cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** When and how often to try again. */
export interface RetryPolicy {
  /** Extra attempts after the first. */
  readonly retries: number;
  /** Base delay of the exponential backoff, in milliseconds. */
  readonly baseMs: number;
  /** Longest single wait, including a server's `Retry-After`, in milliseconds. */
  readonly maxMs: number;
  /** The wait before attempt `attempt + 1` (`attempt` counts from 0); a server's `Retry-After` (ms) is honoured up to {@link maxMs}. */
  delay(attempt: number, retryAfterMs?: number): number;
  /**
   * Whether a failure may pass on another attempt: a connection-level failure, or an
   * answer of 408, 429, 500, 502, 503 or 504. Never a digest mismatch, a bound, a
   * cancellation, or another answer of a server (a 4xx says the request itself is wrong).
   */
  isTransient(err: unknown): boolean;
}

/** Settings of {@link retryPolicy}. */
export interface RetryPolicyOptions {
  retries?: number;
  baseMs?: number;
  maxMs?: number;
}

/** Default extra attempts for a transient failure (`--retries`). */
const DEFAULT_RETRIES = 4;

/** A retry policy with exponential backoff and full jitter. */
export function retryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const retries = options.retries ?? DEFAULT_RETRIES;
  const baseMs = options.baseMs ?? 250;
  const maxMs = options.maxMs ?? 30_000;
  return {
    retries,
    baseMs,
    maxMs,
    delay(attempt: number, retryAfterMs?: number): number {
      const base = backoffDelay(attempt, baseMs, maxMs);
      return Math.min(retryAfterMs !== undefined ? Math.max(retryAfterMs, base) : base, maxMs);
    },
    isTransient(err: unknown): boolean {
      if (err instanceof AbortedError || err instanceof DigestMismatchError || err instanceof LimitError) return false;
      if (err instanceof OcidistError && err.http) return isRetriableStatus(err.http.status);
      return isRetriableNetworkError(err);
    },
  };
}

/** The policy used where no other is given. */
export const defaultRetryPolicy: RetryPolicy = retryPolicy();
