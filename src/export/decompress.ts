/**
 * Decompressing layers: gzip with node:zlib, zstd with node:zlib where Node has it (22.15+)
 * and the `fzstd` package elsewhere, told by the media type or sniffed from the first bytes,
 * with a bound on the decompressed size against decompression bombs.
 * @module
 */
import { PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import * as zlib from "node:zlib";
import { Decompress } from "fzstd";
import { OcidistError, UsageError } from "../model/errors.js";
import { sniffCompression, type Compression } from "../model/media-types.js";
import { DECOMPRESSION_RATIO_FLOOR, MAX_DECOMPRESSED_LAYER_BYTES, MAX_DECOMPRESSION_RATIO } from "../model/limits.js";

/** The value of a `--max-ratio` option. @throws UsageError unless it is a number of 0 or more */
export function parseMaxRatio(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`--max-ratio wants a number of 0 or more, not ${JSON.stringify(text)}`);
  return n;
}

/** Options of {@link decompressLayer}. */
export interface DecompressOptions {
  /** Fail once more than this many decompressed bytes came out (default 64 GiB). */
  maxBytes?: number;
  /** Fail once the output is more than this many times the compressed input (past 16 MiB; default 500, 0 for no check). */
  maxRatio?: number;
}

/** A zstd decompressor as a Transform, on fzstd (pure JavaScript) for Node versions without zlib zstd. */
class FzstdTransform extends Transform {
  private readonly d: Decompress;
  constructor() {
    super();
    this.d = new Decompress((chunk: Uint8Array) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      cb();
    } catch (err) {
      cb(new OcidistError(`zstd: ${(err as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new OcidistError(`zstd: ${(err as Error).message}`));
    }
  }
}

function zstdStream(): Transform {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  return native ? native() : new FzstdTransform();
}

/** Counts the compressed bytes going in. */
class Counter extends Transform {
  n = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    cb(null, chunk);
  }
}

/** Counts decompressed bytes and fails past the absolute bound or the ratio to the input. */
class Limit extends Transform {
  private n = 0;
  constructor(
    private readonly max: number,
    private readonly ratio: number,
    private readonly input: Counter | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    if (this.n > this.max) cb(new OcidistError(`layer decompresses to more than ${this.max} bytes; refusing (decompression bomb?)`));
    else if (this.input && this.ratio > 0 && this.n > DECOMPRESSION_RATIO_FLOOR && this.n > this.ratio * this.input.n) {
      cb(new OcidistError(`layer expands more than ${this.ratio} times (${this.n} bytes out of ${this.input.n}); refusing as a decompression bomb (raise the bound with --max-ratio)`));
    } else cb(null, chunk);
  }
}

/**
 * The uncompressed tar stream of a layer. `compression` from the media type when known;
 * otherwise the first bytes decide (artifacts and docker archives often say nothing useful).
 */
export function decompressLayer(input: Readable, compression?: Compression, options: DecompressOptions = {}): Readable {
  const out = new PassThrough();
  const wire = (c: Compression, first?: Buffer) => {
    const stage: Transform | undefined = c === "gzip" ? zlib.createGunzip() : c === "zstd" ? zstdStream() : undefined;
    const counter = stage ? new Counter() : undefined;
    const limit = new Limit(options.maxBytes ?? MAX_DECOMPRESSED_LAYER_BYTES, options.maxRatio ?? MAX_DECOMPRESSION_RATIO, counter);
    const chain: Transform[] = stage ? [counter!, stage, limit] : [limit];
    const fail = (err: Error) => out.destroy(err);
    input.on("error", fail);
    for (const t of chain) t.on("error", fail);
    if (first) chain[0]!.write(first);
    input.pipe(chain[0]!);
    if (stage) counter!.pipe(stage).pipe(limit);
    limit.pipe(out);
  };
  if (compression && compression !== "none") {
    wire(compression);
    return out;
  }
  // Sniff: read the first chunk, then wire the right decompressor.
  const onReadable = () => {
    const first = input.read() as Buffer | null;
    if (first === null) return;
    input.off("readable", onReadable);
    input.off("end", onEnd);
    wire(sniffCompression(first), first);
  };
  const onEnd = () => out.end();
  input.on("readable", onReadable);
  input.once("end", onEnd);
  input.once("error", (err) => out.destroy(err));
  return out;
}
