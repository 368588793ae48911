/**
 * A file's bytes in chunks read into one reused buffer: a whole-file pass (an archive's
 * digest, a cached blob copied into an archive) then allocates nothing per chunk. A read
 * stream allocates a fresh buffer for every chunk, which V8 frees only when it next
 * collects garbage; with the small JS heap of a pull that came late, and the chunks of a
 * 2 GB archive's digest piled up as tens of MiB of peak memory. Reads are made on the
 * calling thread (as in `file-reader.ts`): through the thread pool, the hand-off per chunk
 * cost more than the read, and hashing a 528 MB archive took 0.8 s instead of 0.43 s.
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { YIELD_EVERY } from "./file-reader.js";

/** The chunk size of {@link fileChunks}. */
const CHUNK = 1 << 18;

/**
 * Yields the bytes of `source` (a path, or a descriptor it then owns) in order, each chunk
 * a view of the same buffer: the consumer must be done with a chunk (hashed it, awaited its
 * write) before it asks for the next. The descriptor is closed at the end.
 */
export async function* fileChunks(source: string | number): AsyncGenerator<Buffer> {
  const fd = typeof source === "number" ? source : openSync(source, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let read = 0; ; ) {
      const bytesRead = readSync(fd, buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      // Now and then the event loop runs (see YIELD_EVERY), even for a consumer that never waits.
      if ((read += bytesRead) >= YIELD_EVERY) {
        read = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}
