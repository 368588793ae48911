/**
 * `copy --signatures`: cosign's tag-scheme signatures and attestations (`sha256-<hex>.sig`,
 * `.att`) of the digests copied go along, under the same tags (the digests are kept, so the
 * tags still name them at the destination).
 * @module
 */
import { copyInto, type CopyOptions } from "../engine/copy.js";
import { NotFoundError } from "../model/errors.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { cosignTag, type CosignSuffix } from "./format.js";

const SUFFIXES: CosignSuffix[] = ["sig", "att"];

/** Copies the cosign tags of each digest that `src` holds into `dst` (not committed); returns the tags copied. */
export async function copySignatureTags(src: ReadableTarget, dst: WritableTarget, digests: string[], options: CopyOptions): Promise<string[]> {
  const { platform: _p, referrers: _r, ...rest } = options;
  const copied: string[] = [];
  for (const digest of new Set(digests)) {
    for (const suffix of SUFFIXES) {
      const tag = cosignTag(digest, suffix);
      try {
        await src.resolve(tag, options.signal);
      } catch (err) {
        if (err instanceof NotFoundError) continue;
        throw err;
      }
      await copyInto(src, tag, dst, tag, rest);
      copied.push(tag);
    }
  }
  return copied;
}
