/**
 * A verified, self-resuming blob stream over any readable target: bytes are checked against
 * the descriptor's size and digest as they flow, and a transient failure mid-body is resumed
 * from the last byte received (with a range request where the target honours one, else by
 * skipping what was already delivered).
 * @module
 */
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { DigestVerifier } from "../model/digest.js";
import { AbortedError, DigestMismatchError, httpStatusOf } from "../model/errors.js";
import { defaultRetryPolicy, sleep, type RetryPolicy } from "../http/retry.js";
import { discard } from "../http/discard.js";
import type { FetchResult, ReadableTarget } from "../targets/target.js";
import { markVerified } from "../util/verified-stream.js";
import { noteStreamed } from "../util/garbage.js";
import { LimitError, maxBlobSize } from "../model/limits.js";

/** Options of {@link openVerifiedBlob}. */
export interface OpenBlobOptions {
  /** How often and after what waits to resume after a transient failure (default {@link defaultRetryPolicy}: `retries` resumptions). */
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Called with each chunk's length (progress). */
  onBytes?: (n: number) => void;
  /** What the blob is, for error messages. */
  what?: string;
  /** Start delivering at this offset (bytes before it are hashed by the caller via `seed`). */
  offset?: number;
  /** Bytes before `offset`, to seed the hash (resuming a partial file). */
  seed?: (verifier: { seed(prefix: Uint8Array): void }) => Promise<void>;
  /** The most bytes read when `desc.size` is unknown (default {@link maxBlobSize}, `--max-blob-size`). */
  maxSize?: number;
}

/** The most bytes a blob read holds queued for its consumer before it stops reading its source. */
const QUEUED_BYTES = 1 << 16;

/**
 * Opens a blob as a stream that yields exactly the verified bytes, or fails with
 * DigestMismatchError / the transport's error. When `desc.size < 0` (schema 1 layers, whose
 * size the manifest does not give) the read is bounded by `options.maxSize` instead.
 * @throws LimitError (as a stream error) past that bound
 */
export async function openVerifiedBlob(target: ReadableTarget, desc: Descriptor, options: OpenBlobOptions = {}): Promise<Readable> {
  const verifier = new DigestVerifier({ digest: desc.digest, size: desc.size >= 0 ? desc.size : undefined, what: options.what ?? "blob" });
  const offset = options.offset ?? 0;
  if (offset > 0 && options.seed) await options.seed(verifier);
  const out = markVerified(new BlobReadStream(target, desc, options, verifier, offset));
  // Bytes flow before the consumer attaches (it may first create a directory, or never
  // attach when the copy is cancelled): a failure meanwhile is kept in `out.errored` and
  // reaches the consumer when it reads or pipes, instead of being thrown as an unhandled
  // 'error' event that kills the process.
  out.on("error", () => undefined);
  if (desc.size >= 0 && offset >= desc.size) {
    // The earlier bytes are the whole blob: nothing to fetch (registries answer a range
    // that starts at the end by breaking the connection). Checking them ends the stream.
    out.complete();
    return out;
  }
  out.attach(await target.fetch(desc, { offset, signal: options.signal }));
  return out;
}

/**
 * The verified read: one stream stage between the source body and the consumer. Each chunk
 * of the body is hashed and handed on as it is (no copy, no intermediate stream); the body
 * is paused while the consumer's queue is full, and read on when it asks for more.
 */
class BlobReadStream extends Readable {
  private source: Readable | undefined;
  /** Bytes of the current body to drop before delivering (it started before `delivered`). */
  private skip = 0;
  private attempt = 0;
  private finished = false;
  private readonly cap: number;

  constructor(
    private readonly target: ReadableTarget,
    private readonly desc: Descriptor,
    private readonly options: OpenBlobOptions,
    private readonly verifier: DigestVerifier,
    /** Bytes delivered so far (or known from an earlier run), the offset of the next fetch. */
    private delivered: number,
  ) {
    super({ highWaterMark: QUEUED_BYTES });
    this.cap = desc.size >= 0 ? Infinity : (options.maxSize ?? maxBlobSize());
  }

  /** Starts reading a body that begins at `body.offset`. */
  attach(body: FetchResult): void {
    this.source = body.body;
    this.skip = this.delivered - body.offset;
    body.body.on("data", this.onData);
    body.body.on("end", this.onEnd);
    body.body.on("error", this.onError);
    body.body.on("close", this.onClose);
  }

  /** Stops listening to the current body; one that did not end is discarded (its connection released). */
  private detach(): void {
    const body = this.source;
    if (!body) return;
    this.source = undefined;
    body.off("data", this.onData);
    body.off("end", this.onEnd);
    body.off("error", this.onError);
    body.off("close", this.onClose);
    if (!body.readableEnded) discard(body);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.finished || this.destroyed) return;
    let c = chunk;
    if (this.skip > 0) {
      if (c.length <= this.skip) {
        this.skip -= c.length;
        return;
      }
      c = c.subarray(this.skip);
      this.skip = 0;
    }
    this.delivered += c.length;
    try {
      if (this.delivered > this.cap) throw new LimitError(`${this.options.what ?? "blob"} ${this.desc.digest}: more than ${this.cap} bytes with no size to check them against (the --max-blob-size limit)`);
      this.verifier.update(c);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.options.onBytes?.(c.length);
    noteStreamed(chunk.length);
    if (!this.push(c)) this.source?.pause();
  };

  private readonly onEnd = (): void => {
    this.detach();
    this.complete();
  };

  private readonly onError = (err: Error): void => {
    this.detach();
    if (this.finished || this.destroyed) return;
    this.refetch(err).catch((e: Error) => this.fail(e));
  };

  /** A body closed before its end without an error (a cut connection, as some bodies report it). */
  private readonly onClose = (): void => {
    if (!this.source?.readableEnded) this.onError(Object.assign(new Error("premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
  };

  /** After a failure mid-body: a fresh request from the last byte delivered, or the failure passed on. */
  private async refetch(err: Error): Promise<void> {
    const { options, desc } = this;
    const retry = options.retry ?? defaultRetryPolicy;
    if (options.signal?.aborted) throw new AbortedError("cancelled", { cause: err });
    if (this.attempt >= retry.retries || !isResumable(err, retry)) throw err;
    // Every byte arrived before the connection failed: the verifier decides.
    if (desc.size >= 0 && this.delivered >= desc.size) return this.complete();
    await sleep(retry.delay(this.attempt++), options.signal);
    const next = await this.target.fetch(desc, { offset: this.delivered, signal: options.signal });
    if (this.destroyed) return discard(next.body);
    this.attach(next);
  }

  /** The body ended: the stream ends when size and digest check out, else fails. */
  complete(): void {
    if (this.finished || this.destroyed) return;
    this.finished = true;
    try {
      this.verifier.check();
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.push(null);
  }

  private fail(err: Error): void {
    this.finished = true;
    this.detach();
    this.destroy(err);
  }

  override _read(): void {
    this.source?.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // A consumer that stops early (a mount made the bytes unnecessary, an error elsewhere)
    // must not leave the source body, and its connection, parked forever.
    this.detach();
    cb(err);
  }
}

/**
 * Whether a blob read that failed may be resumed (or a transfer tried again): what the
 * policy calls transient, or a body that ended early (a reset, a cut connection). Never a
 * digest mismatch, a bound, a cancellation, or another answer of a server.
 */
export function isResumable(err: unknown, retry: RetryPolicy = defaultRetryPolicy): boolean {
  if (retry.isTransient(err)) return true;
  if (err instanceof DigestMismatchError || err instanceof LimitError || err instanceof AbortedError || httpStatusOf(err) !== undefined) return false;
  const e = err as { code?: string; message?: string };
  return e?.code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH" || e?.code === "ERR_STREAM_PREMATURE_CLOSE" || /aborted|terminated|other side closed/i.test(e?.message ?? "");
}
