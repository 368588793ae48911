/**
 * Exporting the root filesystem of an image in any target: the image is resolved to the
 * platform, a Docker schema 1 image converted, its layers fetched in parallel into the blob
 * cache (verified) and applied in order as each arrives.
 * @module
 */
import type { BlobCache } from "../engine/cache.js";
import { describeRef, imageManifestOf, resolveImage } from "../engine/image.js";
import { convertSchema1 } from "../engine/schema1-convert.js";
import { exportRootfs, type ExportOptions } from "../export/export-rootfs.js";
import type { LayerStats } from "../export/extract.js";
import type { Descriptor, Platform } from "../model/descriptor.js";
import { childDescriptors, parseManifest } from "../model/manifest.js";
import { cacheOutcome, type ProgressListener } from "../progress/events.js";
import type { ReadableTarget } from "../targets/target.js";
import { limiter } from "../util/limit.js";

/** Options of {@link exportImage}: those of the extraction, and how the layers are fetched. */
export interface ExportImageOptions extends ExportOptions {
  /** Where layers are fetched to and verified before they are applied. */
  cache: BlobCache;
  /** Parallel layer downloads (default 4). */
  jobs?: number;
  progress?: ProgressListener;
}

/** What {@link exportImage} did: the manifest exported and the extraction's counts. */
export interface ExportedImage {
  /** The digest of the image manifest whose layers were applied (as stored, before any schema 1 conversion). */
  digest: string;
  stats: LayerStats;
}

/** Writes the flattened root filesystem of the image `ref` names in `target` (an index resolved to `platform`) into `dir`. */
export async function exportImage(target: ReadableTarget, ref: string | undefined, platform: Platform, dir: string, options: ExportImageOptions): Promise<ExportedImage> {
  const { cache, progress, signal } = options;
  const schedule = limiter(options.jobs ?? 4);
  const fetchLayer = (l: Descriptor) =>
    schedule(async () => {
      progress?.blobStart?.(l);
      const how = await cache.ensure(target, l, { signal, onBytes: (n) => progress?.blobBytes?.(l, n) });
      progress?.blobDone?.(l, cacheOutcome(how));
    });
  const resolved = await resolveImage(target, ref, platform, signal);
  let layers: Descriptor[];
  const parsed = resolved.manifest.parsed;
  if (parsed.kind === "schema1") {
    // Schema 1 gives no sizes: the location's (a registry's HEAD) bounds each read; else --max-blob-size does.
    await Promise.all(childDescriptors(parsed).map(async (d) => fetchLayer({ ...d, size: (await target.blobSize?.(d, signal)) ?? -1 })));
    const converted = await convertSchema1(parsed.schema1, cache);
    layers = imageManifestOf(parseManifest(converted.manifestBytes), "converted schema1 manifest").layers;
  } else {
    layers = imageManifestOf(parsed, describeRef(target, ref)).layers;
  }
  progress?.plan?.(layers);
  const ready = layers.map((l) => fetchLayer(l));
  for (const r of ready) r.catch(() => undefined);
  async function* inOrder() {
    for (let i = 0; i < layers.length; i++) {
      await ready[i];
      const descriptor = layers[i]!;
      yield { descriptor, open: async () => cache.openVerified(descriptor) };
    }
  }
  const stats = await exportRootfs(inOrder(), dir, options);
  return { digest: resolved.manifest.descriptor.digest, stats };
}
