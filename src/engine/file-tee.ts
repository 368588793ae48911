/**
 * One verified blob read feeding two places at once: each chunk goes on to the consumer and
 * is written to the cache's partial file at its offset, the same buffer for both (no copy).
 * Each chunk is written on the calling thread as it passes (util/file-writer.ts), and the body
 * waits for the consumer (backpressure). When the body ends verified, the
 * partial file is closed and renamed into place before the stream ends.
 * @module
 */
import type { OwnedFd } from "../util/owned-fd.js";
import { renameSync } from "node:fs";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { discard } from "../http/discard.js";
import { DigestMismatchError } from "../model/errors.js";
import { removeFile } from "../util/remove-file.js";
import { writeAllAt } from "../util/file-writer.js";

/** Bytes queued on each side of the tee. */
const QUEUED_BYTES = 1 << 16;

/** A verified body passed through while it is written into a cache file. */
export class FileTee extends Transform {
  private position = 0;
  private complete = false;
  private released: Promise<void> | undefined;

  /**
   * Starts moving `body` (a verified read) into `file` (opened on `partial`); `unlock` is
   * called once the cache is settled: the blob renamed to `final`, or the stream failed.
   */
  constructor(
    private readonly body: Readable,
    private readonly file: OwnedFd,
    private readonly partial: string,
    private readonly final: string,
    private readonly unlock: () => Promise<void>,
  ) {
    super({ highWaterMark: QUEUED_BYTES });
    // Bytes flow before the consumer attaches; a failure meanwhile is kept in `errored`.
    this.on("error", () => undefined);
    body.on("error", (err) => this.destroy(err));
    body.pipe(this);
  }

  private release(): Promise<void> {
    return (this.released ??= this.unlock());
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const at = this.position;
    this.position += chunk.length;
    this.push(chunk);
    try {
      writeAllAt(this.file.fd, chunk, at);
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    // The body ended, so its digest checked out: the partial file becomes the cached blob.
    const settle = async () => {
      this.file.close();
      renameSync(this.partial, this.final);
      this.complete = true;
      await this.release();
    };
    settle().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const settle = async () => {
      if (!this.complete) {
        this.body.unpipe(this);
        discard(this.body);
        this.file.closeQuietly();
        // Bytes that failed verification are worthless; bytes cut off by a network failure are kept for resumption.
        if (err instanceof DigestMismatchError) await removeFile(this.partial);
      }
      await this.release();
    };
    settle().then(() => cb(err), () => cb(err));
  }
}
