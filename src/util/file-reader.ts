/**
 * A read stream on an open file descriptor that reads on the calling thread: each chunk is
 * one `pread(2)` from the page cache, not a round trip through libuv's thread pool (a
 * thread hand-off per chunk, which on a virtual machine costs more than the copy). The
 * reading side of `file-writer.ts`, with the same rule: for a client moving blobs between
 * files and the network; servers keep Node's own read streams.
 * @module
 */
import { constants, open, readSync } from "node:fs";
import { OwnedFd } from "./owned-fd.js";
import { Readable } from "node:stream";
import { noteStreamed } from "./garbage.js";

/** Bytes read per chunk. */
const CHUNK = 1 << 18;
/**
 * Bytes read before the next read waits for the event loop: a reader piped into a writer
 * that also finishes on the calling thread would otherwise run on microtasks alone, and a
 * large file would hold off timers, signals and every other transfer until its end.
 */
export const YIELD_EVERY = 1 << 22;

/** Where a {@link FileReader} reads: bytes `start..end` of the file, both inclusive (`end` omitted: to the end). */
export interface FileRange {
  start?: number;
  end?: number;
}

/**
 * A Readable over a file that owns its descriptor: closed at the end, on an error and on
 * destroy. Given a path, the file is opened before the first read (a failure to open is the
 * stream's error, as with `fs.createReadStream`); `noFollow` then refuses a symlink at the
 * path itself (`O_NOFOLLOW`), for files in a shared cache or layout.
 */
export class FileReader extends Readable {
  private readonly file = new OwnedFd();
  private pos: number;
  private readonly end: number;
  private sinceYield = 0;
  /** Waiting for the event loop to turn (see {@link YIELD_EVERY}); `wanted`: a read was asked for meanwhile. */
  private resting = false;
  private wanted = false;

  constructor(
    private readonly source: number | string,
    range: FileRange = {},
    private readonly noFollow = false,
  ) {
    super({ highWaterMark: CHUNK });
    if (typeof source === "number") this.file.fd = source;
    this.pos = range.start ?? 0;
    this.end = range.end === undefined ? Infinity : range.end + 1;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    if (typeof this.source === "number") return cb();
    open(this.source, constants.O_RDONLY | (this.noFollow ? constants.O_NOFOLLOW : 0), (err, fd) => {
      if (err) return cb(err);
      this.file.fd = fd;
      cb();
    });
  }

  override _read(): void {
    if (this.resting) this.wanted = true;
    else this.readChunks();
  }

  private readChunks(): void {
    try {
      // A fresh buffer per chunk: the consumer may hold it (a queued write, a tar region).
      for (;;) {
        const want = Math.min(CHUNK, this.end - this.pos);
        if (want <= 0) return this.finish();
        const buf = Buffer.allocUnsafe(want);
        const n = readSync(this.file.fd, buf, 0, want, this.pos);
        if (n === 0) return this.finish();
        this.pos += n;
        this.sinceYield += n;
        // Each chunk is a fresh buffer: counted, so that the CLI collects them early (garbage.ts).
        noteStreamed(n);
        const more = this.push(n === want ? buf : buf.subarray(0, n));
        if (this.sinceYield >= YIELD_EVERY) return this.rest();
        if (!more) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  /** Lets the event loop turn once before the next read (a read asked for meanwhile waits for it). */
  private rest(): void {
    this.sinceYield = 0;
    this.resting = true;
    setImmediate(() => {
      this.resting = false;
      if (!this.wanted || this.destroyed) return;
      this.wanted = false;
      this.readChunks();
    });
  }

  private finish(): void {
    this.file.close();
    this.push(null);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.file.closeQuietly();
    cb(err);
  }
}


/** Opens `path` first (failing as the promise, not the stream) and reads bytes `range` of it. */
export function openFileReader(path: string, range: FileRange = {}, noFollow = false): Promise<FileReader> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_RDONLY | (noFollow ? constants.O_NOFOLLOW : 0), (err, fd) => (err ? reject(err) : resolve(new FileReader(fd, range))));
  });
}
