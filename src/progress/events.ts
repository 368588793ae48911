/**
 * The events a transfer reports, for progress displays and for tests that count what moved.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";

/** How a blob reached its destination; `resumed` continued a partial download of an earlier run. */
export type BlobOutcome = "transferred" | "resumed" | "cached" | "exists" | "mounted";

/** The outcome to report for a blob the cache delivered (`downloaded`, `resumed` or `cached`). */
export function cacheOutcome(how: "cached" | "downloaded" | "resumed"): BlobOutcome {
  return how === "downloaded" ? "transferred" : how;
}

/**
 * Receives transfer events; every method is optional. A copy calls `blobDone` and
 * `manifestDone` from its `postCopy` hook (see `CopyHooks` in `engine/copy-options.ts`), so
 * they come in the hooks' order: a node after its children.
 */
export interface ProgressListener {
  /**
   * The blobs an image needs (its config and layers), announced when its manifest is read
   * and before any of them moves, so that a display knows the total up front. A blob may
   * be announced more than once (images that share it).
   */
  plan?(blobs: Descriptor[]): void;
  /** A blob starts moving; `size` is -1 when unknown. */
  blobStart?(desc: Descriptor): void;
  /** Bytes of a blob moved (downloaded or uploaded). */
  blobBytes?(desc: Descriptor, bytes: number): void;
  /** A blob is done. */
  blobDone?(desc: Descriptor, outcome: BlobOutcome): void;
  /** A manifest or index was written. */
  manifestDone?(desc: Descriptor): void;
  /** A line of information (what was resolved). */
  note?(line: string): void;
}
