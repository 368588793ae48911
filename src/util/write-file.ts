/**
 * Writing a stream to a file so that the destination either gets the complete content or
 * is left as it was: the bytes go to a temporary file beside it, renamed over it at the end.
 * @module
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { registerTemp, unregisterTemp } from "./atomic.js";
import { createBeside, placeFile } from "./output-policy.js";

/** A new file opened for writing, once it is open (so that a failure to create it is seen here). */
function openForWrite(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const s = createWriteStream(path, { flags: "wx", mode: 0o644 });
    s.once("open", () => resolve(s));
    s.once("error", reject);
  });
}

/** Streams `source` into `dest` atomically; on any failure nothing is left but what was there before. */
export async function writeStreamAtomic(dest: string, source: Readable, signal?: AbortSignal, force = true): Promise<void> {
  const { tmp, value: out } = await createBeside(dest, (t) => openForWrite(t));
  registerTemp(tmp);
  try {
    await pipeline(source, out, { signal });
    await placeFile(tmp, dest, force);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    unregisterTemp(tmp);
  }
}
