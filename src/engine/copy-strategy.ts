/**
 * The copy strategy, decided in one place from what the source and destination declare:
 * - **Mount**: when both are repositories of one registry reached through one client, each
 *   blob the destination lacks is first mounted from the source repository (no byte moves);
 *   a blob the registry declines to mount is transferred.
 * - **Skip**: what the destination already has is not copied (a manifest it has comes with
 *   its subtree).
 * - **Route** of each blob's bytes, from the destination's {@link BlobIntake} and whether a
 *   blob cache is in use (see {@link BlobRoute}).
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import type { ParsedManifest } from "../model/manifest.js";
import { RegistryTarget } from "../targets/registry.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import type { BlobCache } from "./cache.js";

/**
 * How one blob's bytes move:
 * - `"stream"`: from the source straight into the destination, verified on the way (no cache).
 * - `"tee"`: one stream feeds the cache and the destination (a `"stream"` destination with a cache).
 * - `"staged-file"`: completed in the cache first, then the cached file is handed to
 *   `pushFile` (a `"file"` destination with a cache: it hard-links).
 * - `"staged-stream"`: completed in the cache first, then streamed from it (a blob whose
 *   size the manifest does not give, schema 1 layers: the cache learns it).
 */
export type BlobRoute = "stream" | "tee" | "staged-file" | "staged-stream";

/** The decisions of one copy. */
export interface CopyStrategy {
  /** The source repository blobs are mounted from, when mounting applies. */
  readonly mountFrom?: string;
  /** The route of one blob (its size resolved where the source could tell). */
  route(desc: Descriptor): BlobRoute;
}

/** The repository of `src` that `dst` can mount blobs from: same registry, same client, another repository. */
export function mountSource(src: ReadableTarget, dst: WritableTarget): string | undefined {
  return dst instanceof RegistryTarget ? dst.mountableFrom(src) : undefined;
}

/** Whether a copy needs a blob cache even when the caller gave none: converting schema 1 reads each layer twice. */
export function needsCache(top: ParsedManifest, convertSchema1: boolean | undefined): boolean {
  return top.kind === "schema1" && convertSchema1 === true;
}

/** The strategy of a copy from `src` into `dst`, with `cache` when blobs go through one. */
export function chooseStrategy(src: ReadableTarget, dst: WritableTarget, cache: BlobCache | undefined): CopyStrategy {
  const mountFrom = dst.mount ? mountSource(src, dst) : undefined;
  const staged = dst.accepts === "file" && dst.pushFile ? "staged-file" : "staged-stream";
  return {
    ...(mountFrom ? { mountFrom } : {}),
    route(desc: Descriptor): BlobRoute {
      if (!cache) return "stream";
      if (desc.size < 0 || dst.accepts === "file") return staged;
      return "tee";
    },
  };
}
