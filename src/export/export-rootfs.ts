/**
 * Exporting an image's flattened root filesystem into a new or empty directory: the layers
 * are applied in order into a temporary directory beside it, renamed into place at the end,
 * and removed on any failure.
 * @module
 */
import { lstat, mkdir, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { AbortedError, OcidistError } from "../model/errors.js";
import { layerCompression } from "../model/media-types.js";
import { registerTemp, unregisterTemp } from "../util/atomic.js";
import { createBeside, placeDir } from "../util/output-policy.js";
import { removeTree } from "../util/remove-tree.js";
import { decompressLayer } from "./decompress.js";
import { applyDirAttrs, applyLayer, emptyStats, type DirAttrs, type LayerStats } from "./extract.js";

/** A layer to apply: its descriptor and a way to open its (verified) bytes. */
export interface ExportLayer {
  descriptor: Descriptor;
  open: () => Promise<Readable>;
}

/** Options of {@link exportRootfs}. */
export interface ExportOptions {
  signal?: AbortSignal;
  /** Bound on each layer's decompressed size (default 64 GiB). */
  maxLayerBytes?: number;
  /** Bound on each layer's decompressed size as a multiple of its compressed size (default 500; 0: none). */
  maxRatio?: number;
  warn?: (line: string) => void;
  /** Keep setuid, setgid and sticky bits when running as root (default true). */
  preservePrivileged?: boolean;
  /** Replace a non-empty `dir` (only once the export is complete); else it must be absent or empty. */
  replace?: boolean;
}

/** Applies the layers in order into `dir` (which must not exist or be empty). */
export async function exportRootfs(layers: AsyncIterable<ExportLayer> | Iterable<ExportLayer>, dir: string, options: ExportOptions = {}): Promise<LayerStats> {
  const dest = resolve(dir);
  const st = await lstat(dest).catch(() => undefined);
  if (st && !options.replace && (!st.isDirectory() || (await readdir(dest)).length > 0)) {
    throw new OcidistError(`${dir} exists and is not an empty directory; export writes only into a new or empty one (use --force to replace it)`);
  }
  const { tmp } = await createBeside(dest, (t) => mkdir(t, { mode: 0o755 }));
  registerTemp(tmp);
  const total = emptyStats();
  // Directory modes wait for the last layer: a later layer may add to a read-only directory.
  const deferDirs: DirAttrs[] = [];
  try {
    for await (const layer of layers) {
      if (options.signal?.aborted) throw new AbortedError("cancelled");
      const body = await layer.open();
      const tarStream = decompressLayer(body, layerCompression(layer.descriptor.mediaType), { maxBytes: options.maxLayerBytes, maxRatio: options.maxRatio });
      const s = await applyLayer(tmp, tarStream, { warn: options.warn, deferDirs, preservePrivileged: options.preservePrivileged });
      for (const k of Object.keys(total) as (keyof LayerStats)[]) total[k] += s[k];
    }
    await applyDirAttrs(deferDirs);
    await placeDir(tmp, dest, options.replace);
    return total;
  } catch (err) {
    // A failure to clean up is not allowed to hide the error that made the export fail.
    await removeTree(tmp).catch((cleanup: Error) => options.warn?.(`could not remove ${tmp}: ${cleanup.message}`));
    throw err;
  } finally {
    unregisterTemp(tmp);
  }
}
