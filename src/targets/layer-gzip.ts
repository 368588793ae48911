/**
 * Gzip of uncompressed layers into temporary files, made deterministic so that the same
 * layer always gets the same digest: a fixed level, and a gzip header without a time or a
 * file name (Node's zlib writes neither).
 * @module
 */
import { FileReader } from "../util/file-reader.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type * as Zlib from "node:zlib";
import { builtin } from "../util/lazy-builtin.js";
import { createExclusiveWriter } from "../util/no-follow.js";
import { createDigester } from "../model/digest.js";

/** The gzip level layers are compressed with (zlib's default, as crane and skopeo use). */
export const LAYER_GZIP_LEVEL = 6;

/** A layer compressed into a temporary file. */
export interface GzippedLayer {
  path: string;
  digest: string;
  size: number;
}

/** Temporary gzipped layers of one reader; {@link LayerGzipper.close} removes them. */
export class LayerGzipper {
  private dir: string | undefined;
  private count = 0;

  /** Compresses `body` into a new temporary file, hashing the compressed bytes. */
  async gzip(body: Readable): Promise<GzippedLayer> {
    this.dir ??= await mkdtemp(join(tmpdir(), "ocidist-gzip-"));
    const path = join(this.dir, `layer-${this.count++}.tar.gz`);
    const out = await createExclusiveWriter(path, 0o600);
    const hash = createDigester("sha256");
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(body, builtin<typeof Zlib>("node:zlib").createGzip({ level: LAYER_GZIP_LEVEL }), measure, out);
    return { path, digest: `sha256:${hash.digest("hex")}`, size };
  }

  /** Opens a compressed layer from `offset`. */
  open(path: string, offset = 0): Readable {
    return new FileReader(path, { start: offset });
  }

  /** Removes every temporary file. */
  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
