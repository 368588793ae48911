/**
 * An artifact's files (a Homebrew bottle, an ORAS artifact) from any target: each layer of
 * the platform's manifest saved under its `org.opencontainers.image.title`, verified; all
 * files appear, or none.
 * @module
 */
import { openVerifiedBlob } from "../engine/blob-reader.js";
import { describeRef, imageManifestOf, resolveImage } from "../engine/image.js";
import { ANNOTATION_REF_NAME, ANNOTATION_TITLE, type Descriptor, type Platform } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import type { ProgressListener } from "../progress/events.js";
import type { ReadableTarget } from "../targets/target.js";
import { FileSet } from "../util/file-set.js";
import { limiter } from "../util/limit.js";
import { plainFileName } from "../util/safe-name.js";

/**
 * A safe file name for a layer: its title, else a name built from the bottle's ref name,
 * else the digest; whichever it is must be a plain file name.
 * @throws OcidistError for a name that would leave the directory
 */
export function fileNameFor(layer: Descriptor, fallbackBase: string | undefined, index: number): string {
  const title = layer.annotations?.[ANNOTATION_TITLE];
  if (title !== undefined) return plainFileName(title, `layer ${layer.digest}: its title`);
  if (fallbackBase) return plainFileName(index === 0 ? `${fallbackBase}.bottle.tar.gz` : `${fallbackBase}.${index}.bottle.tar.gz`, `layer ${layer.digest}: the name from the index's ${ANNOTATION_REF_NAME}`);
  return plainFileName(layer.digest.replace(":", "-"), `layer ${layer.digest}: its digest`);
}

/** Options of {@link saveFiles}. */
export interface SaveFilesOptions {
  /** Replace files that exist (all at once, after every new one is verified). */
  force?: boolean;
  /** Parallel downloads (default 4). */
  jobs?: number;
  signal?: AbortSignal;
  progress?: ProgressListener;
  /**
   * The repository's last path component (`wget`): with the index entry's ref name it names
   * untitled layers as Homebrew does (`wget--1.24.5.arm64_sonoma.bottle.tar.gz`).
   */
  repositoryName?: string;
}

/** What {@link saveFiles} wrote. */
export interface SavedFiles {
  /** The digest of the manifest whose layers were saved. */
  manifest: string;
  files: { path: string; digest: string; size: number }[];
}

/**
 * Saves the layers of the manifest `ref` names in `target` (an index resolved to
 * `platform`) as files in `dir`, each verified into a stage first; they appear together,
 * or none does. The first failure stops the others.
 * @throws OcidistError for two layers of one name, or a file that exists without `force`
 */
export async function saveFiles(target: ReadableTarget, ref: string | undefined, platform: Platform, dir: string, options: SaveFilesOptions = {}): Promise<SavedFiles> {
  const what = describeRef(target, ref);
  const resolved = await resolveImage(target, ref, platform, options.signal);
  const manifest = imageManifestOf(resolved.manifest.parsed, what);
  const refName = resolved.entry?.annotations?.[ANNOTATION_REF_NAME];
  const base = refName && options.repositoryName ? `${options.repositoryName}--${refName}` : undefined;
  const names = manifest.layers.map((l, i) => fileNameFor(l, base, i));
  if (new Set(names).size !== names.length) throw new OcidistError(`${what}: two layers have the same title`);
  const set = await FileSet.open(dir);
  const schedule = limiter(options.jobs ?? 4);
  const progress = options.progress;
  try {
    if (!options.force) {
      for (const n of names) if (await set.occupied(n)) throw new OcidistError(`${set.pathOf(n)} already exists (use --force to replace it)`);
    }
    // The stage is removed only once every transfer has stopped.
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let first: { err: unknown } | undefined;
    await Promise.allSettled(
      manifest.layers.map((layer, i) =>
        schedule(async () => {
          signal.throwIfAborted();
          progress?.blobStart?.(layer);
          await set.write(names[i]!, () => openVerifiedBlob(target, layer, { signal, onBytes: (n) => progress?.blobBytes?.(layer, n) }), signal);
          progress?.blobDone?.(layer, "transferred");
        }).catch((err: unknown) => {
          first ??= { err };
          stop.abort();
        }),
      ),
    );
    if (first) throw first.err;
    await set.commit(names, options.force === true);
  } catch (err) {
    await set.abort();
    throw err;
  }
  return { manifest: resolved.manifest.descriptor.digest, files: manifest.layers.map((l, i) => ({ path: set.pathOf(names[i]!), digest: l.digest, size: l.size })) };
}
