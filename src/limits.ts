/**
 * Bounds on what untrusted input may make ocidist do, in one place, each with the option
 * that raises it where a user may need more.
 * @module
 */

/** Most bytes one layer may decompress to (export, diff IDs): 64 GiB. */
export const MAX_DECOMPRESSED_LAYER_BYTES = 64 * 1024 ** 3;

/**
 * Most decompressed bytes per compressed byte of a layer (`--max-ratio`): real layers stay
 * far below 100; gzip bombs reach about 1000, zstd ones far more. 0 turns the check off.
 */
export const MAX_DECOMPRESSION_RATIO = 100;

/** Decompressed bytes a layer may produce before its ratio is checked (small tars of empty files compress very well): 16 MiB. */
export const DECOMPRESSION_RATIO_FLOOR = 16 * 1024 ** 2;
