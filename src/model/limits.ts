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

/**
 * What `ocidist serve` allows a client: the defaults of `serve()`'s `limits` option. Each
 * bounds what one client, or many, can hold of the server's sockets, file descriptors,
 * memory and disk. Times are milliseconds.
 */
export interface ServeLimits {
  /** Time from a connection's (or a request's) first byte to the end of its headers; then 408 and the connection is closed. Also the TLS handshake's bound. */
  headersTimeout: number;
  /** How long a kept-alive connection may wait for its next request. */
  keepAliveTimeout: number;
  /**
   * The window over which a request body being received, or an answer being sent, must
   * move at least {@link ServeLimits.minTransferRate} bytes a second, or the connection is cut.
   * Only a client that sends or reads too slowly is cut: a large push or pull may take as long as it keeps moving.
   */
  transferWindow: number;
  /** Bytes a second a transfer must average over each {@link ServeLimits.transferWindow}. */
  minTransferRate: number;
  /** Most connections open at once; past it new ones are closed at once, and from three quarters of it idle kept-alive ones are closed. */
  maxConnections: number;
  /** Most upload sessions open at once; past it a new upload is 429 TOOMANYREQUESTS. */
  maxUploadSessions: number;
  /** An upload session no request touched for this long is dropped; its URL then answers 404 BLOB_UPLOAD_UNKNOWN. */
  uploadSessionTimeout: number;
  /** Most bytes of request bodies (manifests) held in memory at once over all requests; past it 429 TOOMANYREQUESTS. At least {@link MAX_MANIFEST_BYTES}. */
  maxBodyMemory: number;
}

/**
 * The defaults: headers within 30 s (Apache's mod_reqtimeout allows 20–40 s; zot 5 s);
 * kept-alive connections 75 s (nginx's `keepalive_timeout`); transfers at 500 B/s over each minute
 * (mod_reqtimeout's `MinRate=500`); 1024 connections and 1024 upload sessions; an untouched
 * upload dropped after an hour; 64 MiB of manifest bodies in memory (16 of the largest).
 */
export const SERVE_LIMITS: Readonly<ServeLimits> = Object.freeze({
  headersTimeout: 30_000,
  keepAliveTimeout: 75_000,
  transferWindow: 60_000,
  minTransferRate: 500,
  maxConnections: 1024,
  maxUploadSessions: 1024,
  uploadSessionTimeout: 60 * 60_000,
  maxBodyMemory: 64 * 1024 ** 2,
});

/** The largest request header block `serve` reads (request line and headers): 16 KiB, Node's default; past it 431. */
export const SERVE_MAX_HEADER_BYTES = 16 * 1024;

/** Most request headers `serve` looks at (real clients send about ten). */
export const SERVE_MAX_HEADERS = 100;

/** Largest page of a tag list or catalog `serve` answers. */
export const SERVE_MAX_PAGE = 10_000;

/** Bytes of a refused request body `serve` still reads (and drops) so that the client sees the answer rather than a reset: 16 MiB. */
export const SERVE_DRAIN_LIMIT = 16 * 1024 ** 2;

/** Credentials `serve --htpasswd` remembers as passed (so that bcrypt runs once per client, not per request). */
export const SERVE_MAX_REMEMBERED_CREDENTIALS = 1024;

/** Most bcrypt comparisons `serve --htpasswd` runs at once; past it 429 (each takes tens of milliseconds of the server's only thread). */
export const SERVE_MAX_PASSWORD_CHECKS = 4;
