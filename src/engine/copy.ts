/**
 * The graph copy engine. Pull, push, copy and save are one operation: walk the content graph
 * (index → manifests → config + layers) from a source target and write it to a destination
 * target, children before parents, each blob once, verified on the way, at most `jobs`
 * blob transfers at once. `copy()` owns the strategy (`copy-strategy.ts`): it mounts across
 * repositories of one registry, skips what the destination has, and routes blob bytes as
 * the destination declares it takes them; callers observe (and may skip) each node through
 * hooks (`copy-options.ts`). The walk is `copy-graph.ts`, one blob's transfer
 * `copy-blob.ts`, referrers `copy-referrers.ts`, schema 1 conversion `copy-schema1.ts`, and
 * the planning walk of destinations laid out in order `copy-plan.ts`.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobCache } from "./cache.js";
import { resolveImage } from "./image.js";
import { formatPlatform } from "../model/platform.js";
import { planCopy } from "./copy-plan.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { fetchManifestBytes, GraphCopy } from "./copy-graph.js";
import type { CopyOptions, CopyResult } from "./copy-options.js";
import { needsCache } from "./copy-strategy.js";

export { fetchManifestBytes } from "./copy-graph.js";
export type { CopyHooks, CopyOptions, CopyResult } from "./copy-options.js";

/**
 * Copies what `srcRef` names in `src` into `dst` and names it `dstRef` there, without
 * committing `dst` (so several images can go into one output). With `options.platform`, an
 * index is narrowed to that platform's manifest.
 */
export async function copyInto(src: ReadableTarget, srcRef: string | undefined, dst: WritableTarget, dstRef: string | undefined, options: CopyOptions = {}): Promise<CopyResult> {
  const { index, entry, manifest, platform } = await resolveImage(src, srcRef, options.platform, options.signal);
  const source = (index ?? manifest).descriptor;
  const top = entry ?? manifest.descriptor;
  const { bytes, parsed } = manifest;
  if (index) options.progress?.note?.(`resolved index ${source.digest} to ${top.digest} (${formatPlatform(platform ?? options.platform!)})`);
  const cacheDir = !options.cache && needsCache(parsed, options.convertSchema1) ? await mkdtemp(join(tmpdir(), "ocidist-stage-")) : undefined;
  const cache = options.cache ?? (cacheDir ? new BlobCache(cacheDir) : undefined);
  try {
    const graph = new GraphCopy(src, dst, options, cache);
    if (dst.plan) {
      const plan = await planCopy(src, top, bytes, parsed, fetchManifestBytes, options);
      graph.read = plan.manifests;
      await dst.plan(plan.order, options.signal);
    }
    const root = await graph.run(top, bytes, parsed, options.signal);
    await dst.tag(root, dstRef, options.signal);
    return { source, root, ...(platform ? { platform } : {}), ...(options.referrers ? { referrers: graph.referrers } : {}), blobs: graph.counts };
  } finally {
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }
}

/** Copies one reference and commits the destination; on failure the destination is aborted (nothing left behind). */
export async function copy(src: ReadableTarget, srcRef: string | undefined, dst: WritableTarget, dstRef: string | undefined, options: CopyOptions = {}): Promise<CopyResult> {
  try {
    const result = await copyInto(src, srcRef, dst, dstRef, options);
    await dst.commit();
    return result;
  } catch (err) {
    await dst.abort().catch(() => undefined);
    throw err;
  }
}
