/**
 * The HTTP transport: the layers of this folder composed, outermost first — retries
 * (`retrying.ts`, by one {@link RetryPolicy}), redirects with credential stripping
 * (`redirects.ts`), the request log (`logging.ts`), and the sender with its keep-alive
 * pools, proxies and CA bundles (`sender.ts`). Network errors leave it as one
 * {@link OcidistError} in words.
 * @module
 */
import { AbortedError, OcidistError } from "../model/errors.js";
import { withLogging } from "./logging.js";
import { describeNetworkError } from "./network-errors.js";
import { proxyFor } from "./proxy-env.js";
import { redactUrl } from "./redact.js";
import { withRedirects } from "./redirects.js";
import { retryPolicy, type RetryPolicy } from "./retry.js";
import { withRetries } from "./retrying.js";
import { HostGate } from "./host-gate.js";
import { errorCode, type HttpRequest, type HttpResponse, type RoundTripper } from "./round-trip.js";
import { Sender, type SenderOptions } from "./sender.js";

export type { HttpMethod, HttpRequest, HttpResponse, RequestBody } from "./round-trip.js";

/** Settings of a {@link Transport}. */
export interface TransportOptions extends SenderOptions {
  /** Skip TLS verification (and, at the registry layer, allow plain HTTP anywhere); also follows https→http redirects. */
  insecure?: boolean;
  /** Extra attempts for transient failures (default 4). */
  retries?: number;
  /** Base delay of the exponential backoff, in milliseconds (default 250). */
  retryBaseMs?: number;
  /** Longest single wait between attempts, including `Retry-After` (default 30 s). */
  retryMaxMs?: number;
  /** Receives one line per request when set (`-v`). Lines never contain secrets. */
  log?: (line: string) => void;
}

/** The client's HTTP layer. One instance per client; it holds the connection pools. */
export class Transport {
  readonly options: TransportOptions;
  /** The policy built from `retries`, `retryBaseMs` and `retryMaxMs`, for any layer above that tries again. */
  readonly retryPolicy: RetryPolicy;
  /** The pause each registry asked for (`429`, `Retry-After`), shared by every request to it. */
  readonly gate = new HostGate();
  private readonly sender: Sender;
  private readonly roundTrip: RoundTripper;

  constructor(options: TransportOptions = {}) {
    this.options = options;
    this.retryPolicy = retryPolicy({ retries: options.retries, baseMs: options.retryBaseMs, maxMs: options.retryMaxMs });
    this.sender = new Sender(options);
    const send: RoundTripper = (req) => this.sender.send(req);
    this.roundTrip = withRetries(withRedirects(withLogging(send, options.log), { allowDowngrade: options.insecure }), this.retryPolicy, options.log, this.gate);
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await this.sender.close();
  }

  /**
   * Sends a request, retrying transient failures (connection errors, 408, 429, 500, 502,
   * 503, 504) with backoff when the body can be replayed, and following redirects.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.roundTrip(req);
    } catch (err) {
      if (req.signal?.aborted) throw err instanceof AbortedError ? err : new AbortedError("cancelled", { cause: err });
      throw wrapNetworkError(err, req, this.options.proxy);
    }
  }
}

function wrapNetworkError(err: unknown, req: HttpRequest, proxy?: string): Error {
  if (err instanceof OcidistError) return err;
  const e = err as { cause?: { message?: string; code?: string } };
  const via = proxyFor(new URL(req.url), proxy ? new URL(proxy) : undefined);
  const detail = describeNetworkError(err, { url: req.url, ...(via ? { proxy: via.href } : {}) }) ?? e.cause?.code ?? e.cause?.message ?? errorCode(err);
  return new OcidistError(`${req.method} ${redactUrl(req.url)}: ${detail}`, { cause: err });
}
