/**
 * Bounds on what untrusted input may make ocidist do, in one place, each with the option
 * that raises it where a user may need more.
 * @module
 */

/** Most bytes one layer may decompress to (export, diff IDs): 64 GiB. */
export const MAX_DECOMPRESSED_LAYER_BYTES = 64 * 1024 ** 3;

/**
 * Most decompressed bytes per compressed byte of a layer (`--max-ratio`): real layers stay
 * far below it (even very regular data compresses about 100 times); gzip of zeros, the
 * usual bomb, reaches 1028, and zstd far more. 0 turns the check off.
 */
export const MAX_DECOMPRESSION_RATIO = 500;

/** Decompressed bytes a layer may produce before its ratio is checked (small tars of empty files compress very well): 16 MiB. */
export const DECOMPRESSION_RATIO_FLOOR = 16 * 1024 ** 2;
