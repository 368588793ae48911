/**
 * The blob cache a command uses.
 * @module
 */
import { BlobCache } from "../engine/cache.js";

/** The cache to use: `--cache-dir`, else the default (`$OCIDIST_CACHE`, else `~/.cache/ocidist`). */
export function cacheFor(dir: string | undefined): BlobCache {
  return new BlobCache(dir);
}
