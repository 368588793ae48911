/**
 * Moving one blob of a copy: skipped when the destination has it, mounted when the strategy
 * says so and the registry agrees, else its bytes moved along the route the strategy picks
 * (see `copy-strategy.ts`), verified on the way. A transfer that fails with what the retry
 * policy calls transient is tried again as a whole; a digest mismatch never is.
 * @module
 */
import type { Readable } from "node:stream";
import { discard } from "../http/discard.js";
import { defaultRetryPolicy, sleep, type RetryPolicy } from "../http/retry.js";
import type { Descriptor } from "../model/descriptor.js";
import { AbortedError, UploadSessionError } from "../model/errors.js";
import { cacheOutcome, type BlobOutcome, type ProgressListener } from "../progress/events.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { isResumable, openVerifiedBlob } from "./blob-reader.js";
import type { BlobCache, CacheOutcome } from "./cache.js";
import type { CopyStrategy } from "./copy-strategy.js";

/** What a blob transfer works with: the two ends, the cache, the strategy, and the copy's settings. */
export interface BlobTransferContext {
  readonly src: ReadableTarget;
  readonly dst: WritableTarget;
  readonly cache?: BlobCache;
  readonly strategy: CopyStrategy;
  readonly signal: AbortSignal;
  readonly progress?: ProgressListener;
  readonly retry?: RetryPolicy;
}

/**
 * Copies one blob into the destination and says how it got there. The descriptor's size,
 * when unknown (schema 1), is asked of the source first.
 */
export async function transferBlob(ctx: BlobTransferContext, blob: Descriptor): Promise<{ desc: Descriptor; outcome: BlobOutcome }> {
  const { src, dst, signal, strategy } = ctx;
  if (signal.aborted) throw new AbortedError("cancelled");
  let desc = blob;
  if (desc.size < 0 && src.blobSize) {
    const size = await src.blobSize(desc, signal);
    if (size !== undefined) desc = { ...desc, size };
  }
  if (desc.size >= 0 && (await dst.exists(desc, signal))) return { desc, outcome: "exists" };
  if (strategy.mountFrom && desc.size >= 0 && dst.mount && (await dst.mount(desc, strategy.mountFrom, signal))) return { desc, outcome: "mounted" };
  ctx.progress?.blobStart?.(desc);
  const retry = ctx.retry ?? defaultRetryPolicy;
  for (let attempt = 0; ; attempt++) {
    try {
      return { desc, outcome: await moveBytes(ctx, desc) };
    } catch (err) {
      if (attempt >= retry.retries || signal.aborted || !mayPassAgain(err, retry)) throw err;
      await sleep(retry.delay(attempt), signal);
    }
  }
}

/**
 * Whether a whole new transfer of a blob may pass where this one failed: a failure a resumed
 * read would also try again (see `isResumable`), or an upload session that lost track of
 * its bytes, which a fresh session starts clean of. Never a digest mismatch, a bound, a
 * missing blob, a refusal or another answer of a server.
 */
export function mayPassAgain(err: unknown, retry: RetryPolicy = defaultRetryPolicy): boolean {
  return isResumable(err, retry) || err instanceof UploadSessionError;
}

/** One attempt at moving a blob's bytes along its route. */
async function moveBytes(ctx: BlobTransferContext, desc: Descriptor): Promise<BlobOutcome> {
  const { src, dst, signal, retry } = ctx;
  const onBytes = (n: number) => ctx.progress?.blobBytes?.(desc, n);
  const route = ctx.strategy.route(desc);
  if (route === "stream") {
    let opened: Readable | undefined;
    try {
      await dst.push(desc, async () => (opened = await openVerifiedBlob(src, desc, { signal, onBytes, retry })), signal);
    } catch (err) {
      discard(opened);
      throw err;
    }
    return "transferred";
  }
  const cache = ctx.cache!;
  if (route === "tee") {
    let how: CacheOutcome = "downloaded";
    const open = async () => {
      const through = await cache.openThrough(src, desc, { signal, onBytes, retry });
      how = through.how;
      return through.body;
    };
    await dst.push(desc, open, signal);
    return cacheOutcome(how);
  }
  const how = await cache.ensure(src, desc, { signal, onBytes, retry });
  const sized = desc.size >= 0 ? desc : { ...desc, size: await cache.size(desc) };
  if (route === "staged-file") {
    // A blob downloaded now was verified on the way in; one found in the cache is checked again before it is linked.
    if (how === "cached") await cache.verify(sized);
    await dst.pushFile!(sized, cache.path(sized.digest), signal, cache.verifiedFile(sized.digest));
  } else {
    await dst.push(sized, () => cache.openChecked(sized), signal);
  }
  return cacheOutcome(how);
}
