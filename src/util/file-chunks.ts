/**
 * A file's bytes in chunks read into one reused buffer: a whole-file pass (an archive's
 * digest, a cached blob copied into an archive) then allocates nothing per chunk. A read
 * stream allocates a fresh buffer for every chunk, which V8 frees only when it next
 * collects garbage; with the small JS heap of a pull that came late, and the chunks of a
 * 2 GB archive's digest piled up as tens of MiB of peak memory.
 * @module
 */
import { open } from "node:fs/promises";

/** The chunk size of {@link fileChunks}. */
const CHUNK = 1 << 18;

/**
 * Yields the bytes of `path` in order, each chunk a view of the same buffer: the consumer
 * must be done with a chunk (hashed it, awaited its write) before it asks for the next.
 */
export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
