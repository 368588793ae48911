/**
 * What a copy takes and gives: its options, its hooks (called before and after each node of
 * the graph, as oras-go's `PreCopy`/`PostCopy`), and its result. Progress displays,
 * referrers and later signatures plug into a copy through the hooks.
 * @module
 */
import type { Descriptor, Platform } from "../model/descriptor.js";
import { isManifestMediaType } from "../model/media-types.js";
import type { RetryPolicy } from "../http/retry.js";
import type { BlobOutcome, ProgressListener } from "../progress/events.js";
import type { BlobCache } from "./cache.js";

/**
 * Called around each node (a manifest, an index, a config, a layer) of the graph a copy walks.
 * `preCopy` comes first, before the node's children are looked at; `postCopy` comes once the
 * node is at the destination, after every child's `postCopy` (children before parents).
 */
export interface CopyHooks {
  /**
   * Before a node is copied. `"skip"` leaves it out: a skipped blob is not copied, a skipped
   * manifest is neither copied nor walked, and `postCopy` is not called for it. (A parent
   * whose child was skipped still needs that child at the destination: registries and
   * layouts refuse manifests whose children are missing.)
   */
  preCopy?(desc: Descriptor): "skip" | void | Promise<"skip" | void>;
  /**
   * After a node reached the destination: `"exists"` when it was there already (a manifest
   * found there comes with its subtree, which is not walked), `"mounted"` for a blob mounted
   * from the source repository, else how its bytes came (`"transferred"`, `"resumed"` or
   * `"cached"` from the blob cache).
   */
  postCopy?(desc: Descriptor, outcome: BlobOutcome): void | Promise<void>;
}

/** Options of `copy()` and `copyInto()`. */
export interface CopyOptions {
  /** Copy only this platform's image of an index (default: the whole index). */
  platform?: Platform;
  /** Parallel blob transfers (default 4). */
  jobs?: number;
  signal?: AbortSignal;
  /** Byte-level progress (and, through the hooks, each node done). */
  progress?: ProgressListener;
  /** Called before and after each node; see {@link CopyHooks}. */
  hooks?: CopyHooks;
  /** Route blobs through this cache (resumable downloads). A copy that converts schema 1 gets a temporary one when absent. */
  cache?: BlobCache;
  /** Convert Docker schema 1 to schema 2 (for destinations that cannot hold schema 1). */
  convertSchema1?: boolean;
  /** Also copy manifests whose `subject` is a copied manifest (signatures, SBOMs). */
  referrers?: boolean;
  /**
   * When a blob transfer (or a resumed read of one) may be tried again, and after what wait
   * (default `defaultRetryPolicy`): `retry.retries` whole-blob attempts after the first, for
   * failures the policy calls transient; never for a digest mismatch.
   */
  retry?: RetryPolicy;
}

/** What a copy did. */
export interface CopyResult {
  /** What the source reference resolved to (an index, when it named one). */
  source: Descriptor;
  /** What was written and named at the destination: the platform's manifest when narrowed, the converted manifest for schema 1. */
  root: Descriptor;
  /** The platform chosen from an index, when one was. */
  platform?: Platform;
  /** With `referrers`: how many referrer manifests were copied. */
  referrers?: number;
  /** Blobs (configs and layers, not manifests) by how they reached the destination. */
  blobs: Partial<Record<BlobOutcome, number>>;
}

/** The hooks a walk calls: the caller's, with the progress listener's node events and the result's counts folded in. */
export function walkHooks(options: CopyOptions, counts: Partial<Record<BlobOutcome, number>>): Required<CopyHooks> {
  const { hooks, progress } = options;
  return {
    preCopy: (desc) => hooks?.preCopy?.(desc),
    async postCopy(desc, outcome) {
      if (isManifestMediaType(desc.mediaType)) {
        progress?.manifestDone?.(desc);
      } else {
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        progress?.blobDone?.(desc, outcome);
      }
      await hooks?.postCopy?.(desc, outcome);
    },
  };
}
