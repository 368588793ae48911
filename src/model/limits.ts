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

/** Largest mirror file or lock file `sync` reads (bytes). */
export const MAX_SYNC_FILE_BYTES = 16 * 1024 * 1024;

export { LimitError } from "./errors.js";

let maxBlobSizeNow = DEFAULT_MAX_BLOB_SIZE;

/** The largest blob of unknown size read now: {@link DEFAULT_MAX_BLOB_SIZE} unless {@link setMaxBlobSize} changed it. */
export function maxBlobSize(): number {
  return maxBlobSizeNow;
}

/** Sets the largest blob of unknown size read from now on, for every read that passes no bound of its own (`--max-blob-size`). */
export function setMaxBlobSize(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`max blob size must be a positive integer, not ${bytes}`);
  maxBlobSizeNow = bytes;
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses a byte count: `123`, or with a binary unit, `512M`, `16G`, `1TiB` (case-insensitive). Undefined when malformed. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

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

/** Most names a tag list or catalog may hold, over all its pages (`--max-tags`, `--max-repositories`). */
export const MAX_LISTED_NAMES = 1_000_000;


/** The largest manifest this client reads or writes: 4 MiB (distribution-spec "Pushing Manifests"). */
export const MAX_MANIFEST_BYTES = 4 * 1024 ** 2;

/** Most signature layers (payloads, bundles) read for one image: each is up to {@link MAX_MANIFEST_BYTES}, so a registry cannot make verification read without end. */
export const MAX_SIGNATURE_LAYERS = 256;

/** The largest image config read: 32 MiB. */
export const MAX_CONFIG_BYTES = 32 * 1024 ** 2;

/** The most of a registry's error body read for its message: 64 KiB. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The largest answer of a token endpoint: 1 MiB. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 ** 2;

/** The largest answer of Docker Hub's web API (one page of repositories, tags or search results): 8 MiB. */
export const MAX_HUB_RESPONSE_BYTES = 8 * 1024 ** 2;

/** The largest page of a tag list or catalog: 16 MiB. */
export const MAX_LIST_PAGE_BYTES = 16 * 1024 ** 2;

/** Most pages of one tag list or catalog. */
export const MAX_LIST_PAGES = 100_000;

/** Most redirects one HTTP request follows. */
export const MAX_REDIRECTS = 10;

/** Largest metadata file (`manifest.json`, `index.json`, `repositories`) read from an archive or layout. */
export const MAX_ARCHIVE_METADATA_BYTES = 16 * 1024 ** 2;
