/**
 * A blob copied from a layout into the work area, verified as it is copied: the source is
 * opened without following a link, the copy is a new file (`O_EXCL`, never through a link)
 * and counts only when its bytes hash to the digest and number the size expected.
 * @module
 */
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDigester, parseDigest } from "../model/digest.js";
import { createExclusive, openReadNoFollow } from "../util/no-follow.js";

/** Copies `src` to the new file `dest`; true when the copy is blob `digest` of `size` bytes (else `dest` may hold anything: the caller removes it). */
export async function copyVerified(src: string, dest: string, digest: string, size: number): Promise<boolean> {
  const { algorithm } = parseDigest(digest);
  const hash = createDigester(algorithm);
  let total = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      // A file that grew past the size is not the blob: stop reading it.
      if (total > size) return cb(new Error("source larger than the blob"));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const input = await openReadNoFollow(src, {}, 1 << 20).catch(() => undefined);
  if (!input) return false;
  const output = await createExclusive(dest).catch((err: Error) => {
    input.destroy();
    throw err;
  });
  try {
    await pipeline(input, counted, output);
  } catch (err) {
    // The disk is full: say so. Anything else the source did: no mount, the client uploads.
    if ((err as NodeJS.ErrnoException).code === "ENOSPC") throw err;
    return false;
  }
  return total === size && `${algorithm}:${hash.digest("hex")}` === digest;
}
