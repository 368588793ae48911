/**
 * Every bound ocidist puts on what it reads from a registry, a layout or an archive, in one
 * place, so that each is stated once and its error can name it. A bound that a user may
 * need to raise is also an option (see the CLI help); the value here is its default.
 * @module
 */

/** Deepest nesting of arrays and objects accepted in a manifest, index or JWS header (real documents use about 5). */
export const MAX_JSON_DEPTH = 64;

/**
 * Default largest blob read when nothing tells its size (Docker schema 1 layers, whose
 * manifest gives none, from a source that cannot say): 16 GiB. Option `--max-blob-size`.
 */
export const DEFAULT_MAX_BLOB_SIZE = 16 * 1024 ** 3;

/** Deepest chain of manifests a graph walk follows (index → index → … → manifest, referrers of referrers). */
export const MAX_GRAPH_DEPTH = 32;

/** Most manifests and indexes one graph walk visits (blobs are not counted). */
export const MAX_GRAPH_NODES = 10_000;
