/**
 * Writing a stream to a file so that the destination either gets the complete content or
 * is left as it was: the bytes go to a temporary file beside it, renamed over it at the end.
 * @module
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { registerTemp, tempPathBeside, unregisterTemp } from "./atomic.js";

/** Streams `source` into `dest` atomically; on any failure nothing is left but what was there before. */
export async function writeStreamAtomic(dest: string, source: Readable, signal?: AbortSignal): Promise<void> {
  const tmp = tempPathBeside(dest);
  registerTemp(tmp);
  try {
    await pipeline(source, createWriteStream(tmp, { flags: "wx", mode: 0o644 }), { signal });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    unregisterTemp(tmp);
  }
}
