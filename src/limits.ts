/**
 * Caps on what a registry may make ocidist hold in memory. (Engineer C's constants; other
 * caps join them here.)
 * @module
 */

/** Most names a tag list or catalog may hold, over all its pages (`--max-tags`, `--max-repositories`). */
export const MAX_LISTED_NAMES = 1_000_000;

