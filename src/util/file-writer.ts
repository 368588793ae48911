/**
 * A write stream onto an open file descriptor that writes on the calling thread: each chunk
 * is one `write(2)` into the page cache (chunks queued under `cork()`, one `writev(2)`), not a
 * round trip through libuv's thread pool, which costs a thread hand-off (futex wake-ups and
 * an eventfd write) per 64 KiB chunk: on a virtual machine, more than the copy itself.
 *
 * A write that the disk must wait for blocks the event loop for that long; a blob download
 * is then bounded by the disk either way. Servers, which must answer other clients
 * meanwhile, keep Node's own write streams.
 * @module
 */
import { writeSync, writevSync } from "node:fs";
import { OwnedFd } from "./owned-fd.js";
import { identityOfFd, type FileIdentity } from "./file-identity.js";
import { Writable } from "node:stream";
import { OcidistError } from "../model/errors.js";

/** Writes all of `chunks` (a short write continues where it stopped). */
function writeAll(fd: number, chunks: Buffer[]): void {
  let list = chunks;
  for (;;) {
    let n = list.length === 1 ? writeSync(fd, list[0]!) : writevSync(fd, list);
    // Drop the chunks written whole; cut the first one partly written.
    let i = 0;
    while (i < list.length && n >= list[i]!.length) n -= list[i++]!.length;
    if (i === list.length) return;
    list = [list[i]!.subarray(n), ...list.slice(i + 1)];
  }
}

/**
 * Writes all of `chunk` at `position` of `fd` on the calling thread (a positioned write may
 * write fewer bytes than asked); see the module's note on when that is right.
 */
export function writeAllAt(fd: number, chunk: Buffer, position: number): void {
  let done = 0;
  while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
}

/** A Writable over `fd` that owns it: closed at the end, on an error and on destroy. */
export class FileWriter extends Writable {
  private readonly file: OwnedFd;
  /** The file written, once the stream has finished (see `file-identity.ts`). */
  identity: FileIdentity | undefined;

  constructor(fd: number) {
    super();
    this.file = new OwnedFd(fd);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.flush([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.flush(
      chunks.map((c) => c.chunk),
      cb,
    );
  }

  private flush(chunks: Buffer[], cb: (err?: Error | null) => void): void {
    try {
      writeAll(this.file.fd, chunks);
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    try {
      this.identity = identityOfFd(this.file.fd);
      this.file.close();
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.file.closeQuietly();
    cb(err);
  }
}

/**
 * A Writable that writes the bytes it is given at `start..start+limit` of `fd`, on the
 * calling thread, and fails on a byte past `limit` (a region of a file written out of order:
 * a tar member, see `targets/tar-regions.ts`). The descriptor is the caller's, never closed
 * here. Driven by `pipeline`, chunks flow with the source's own backpressure: no pause and
 * resume of the source per chunk, as an async iterator that waits on each chunk makes.
 */
export class RegionWriter extends Writable {
  /** Bytes written so far. */
  written = 0;

  constructor(
    private readonly fd: number,
    private readonly start: number,
    private readonly limit: number,
    /** What the region is, for the error past its end. */
    private readonly what: string,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.written + chunk.length > this.limit) return cb(new OcidistError(`${this.what}: more than its ${this.limit} bytes`));
    try {
      writeAllAt(this.fd, chunk, this.start + this.written);
    } catch (err) {
      return cb(err as Error);
    }
    this.written += chunk.length;
    cb();
  }
}
