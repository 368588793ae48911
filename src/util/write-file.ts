/**
 * Writing a stream to a file so that the destination either gets the complete content or
 * is left as it was: the bytes go to a temporary file beside it, renamed over it at the end.
 * @module
 */
import { chmod, rename, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { registerTemp, tempPathBeside, unregisterTemp } from "./atomic.js";
import { createBeside, placeFile } from "./output-policy.js";
import { removeFile } from "./remove-file.js";
import { createExclusiveWriter } from "./no-follow.js";

/** Streams `source` into `dest` atomically; on any failure nothing is left but what was there before. */
export async function writeStreamAtomic(dest: string, source: Readable, signal?: AbortSignal, force = true): Promise<void> {
  const { tmp, value: out } = await createBeside(dest, (t) => createExclusiveWriter(t));
  registerTemp(tmp);
  try {
    await pipeline(source, out, { signal });
    await placeFile(tmp, dest, force);
  } catch (err) {
    await removeFile(tmp);
    throw err;
  } finally {
    unregisterTemp(tmp);
  }
}

/**
 * Writes `content` to `dest` atomically: to a new uniquely named temporary file beside it
 * (created exclusively, so a planted file or link there is never written through), then
 * renamed over it. Concurrent writers of the same path each rename a complete file; the last
 * one wins. On failure the temporary file is removed and `dest` is as it was.
 */
export async function writeSmallAtomic(dest: string, content: Uint8Array | string, mode = 0o644): Promise<void> {
  const tmp = tempPathBeside(dest);
  registerTemp(tmp);
  try {
    await writeFile(tmp, content, { flag: "wx", mode });
    if (mode !== 0o644) await chmod(tmp, mode);
    await rename(tmp, dest);
  } catch (err) {
    await removeFile(tmp);
    throw err;
  } finally {
    unregisterTemp(tmp);
  }
}
