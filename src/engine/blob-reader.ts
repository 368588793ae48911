/**
 * A verified, self-resuming blob stream over any readable target: bytes are checked against
 * the descriptor's size and digest as they flow, and a transient failure mid-body is resumed
 * from the last byte received (with a range request where the target honours one, else by
 * skipping what was already delivered).
 * @module
 */
import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { VerifyingStream } from "../model/digest.js";
import { AbortedError, DigestMismatchError, httpStatusOf } from "../model/errors.js";
import { defaultRetryPolicy, sleep, type RetryPolicy } from "../http/retry.js";
import { discard } from "../http/discard.js";
import type { ReadableTarget } from "../targets/target.js";
import { markVerified } from "../util/verified-stream.js";
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
  seed?: (verifier: VerifyingStream) => Promise<void>;
  /** The most bytes read when `desc.size` is unknown (default {@link maxBlobSize}, `--max-blob-size`). */
  maxSize?: number;
}

/**
 * Opens a blob as a stream that yields exactly the verified bytes, or fails with
 * DigestMismatchError / the transport's error. When `desc.size < 0` (schema 1 layers, whose
 * size the manifest does not give) the read is bounded by `options.maxSize` instead.
 * @throws LimitError (as a stream error) past that bound
 */
export async function openVerifiedBlob(target: ReadableTarget, desc: Descriptor, options: OpenBlobOptions = {}): Promise<Readable> {
  const verifier = new VerifyingStream({ digest: desc.digest, size: desc.size >= 0 ? desc.size : undefined, what: options.what ?? "blob" });
  let delivered = options.offset ?? 0;
  if (delivered > 0 && options.seed) await options.seed(verifier);
  const out = new PassThrough({ highWaterMark: 1 << 18 });
  markVerified(out);
  // Bytes flow before the consumer attaches (it may first create a directory, or never
  // attach when the copy is cancelled): a failure meanwhile is kept in `out.errored` and
  // reaches the consumer when it reads or pipes, instead of being thrown as an unhandled
  // 'error' event that kills the process.
  out.on("error", () => undefined);
  verifier.pipe(out);
  verifier.on("error", (err) => out.destroy(err));
  if (desc.size >= 0 && delivered >= desc.size) {
    // The earlier bytes are the whole blob: nothing to fetch (registries answer a range
    // that starts at the end by breaking the connection). Ending the verifier checks them.
    verifier.end();
    return out;
  }
  const first = await target.fetch(desc, { offset: delivered, signal: options.signal });
  const retry = options.retry ?? defaultRetryPolicy;
  const cap = desc.size >= 0 ? Infinity : (options.maxSize ?? maxBlobSize());

  let current = first;
  let finished = false;
  const pump = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      let skip = delivered - current.offset;
      try {
        for await (const chunk of current.body as AsyncIterable<Buffer>) {
          let c = chunk;
          if (skip > 0) {
            if (c.length <= skip) {
              skip -= c.length;
              continue;
            }
            c = c.subarray(skip);
            skip = 0;
          }
          delivered += c.length;
          if (delivered > cap) throw new LimitError(`${options.what ?? "blob"} ${desc.digest}: more than ${cap} bytes with no size to check them against (the --max-blob-size limit)`);
          options.onBytes?.(c.length);
          if (!verifier.write(c)) await once(verifier, "drain");
        }
        finished = true;
        verifier.end();
        return;
      } catch (err) {
        discard(current.body);
        if (options.signal?.aborted) throw new AbortedError("cancelled", { cause: err });
        if (attempt >= retry.retries || !isResumable(err, retry)) throw err;
        if (desc.size >= 0 && delivered >= desc.size) {
          // Every byte arrived before the connection failed: the verifier decides.
          finished = true;
          verifier.end();
          return;
        }
        await sleep(retry.delay(attempt), options.signal);
        current = await target.fetch(desc, { offset: delivered, signal: options.signal });
      }
    }
  };
  pump().catch((err: Error) => {
    verifier.destroy(err);
    out.destroy(err);
  });
  // A consumer that stops early (a mount made the bytes unnecessary, an error elsewhere)
  // must not leave the source body, and its connection, parked forever.
  out.on("close", () => {
    if (!finished) {
      discard(current.body);
      verifier.destroy();
    }
  });
  return out;
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
