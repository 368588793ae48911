/**
 * Digests (image-spec `descriptor.md#digests`): strict validation, hashing, and a stream
 * that verifies size and digest of the bytes flowing through it.
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DigestMismatchError, InvalidDigestError } from "./errors.js";

/** Algorithms this client can compute, with the length of their lowercase hex encoding. */
const ALGORITHMS: Record<string, { node: string; hexLength: number }> = {
  sha256: { node: "sha256", hexLength: 64 },
  sha512: { node: "sha512", hexLength: 128 },
};

/** The general digest grammar: `algorithm ":" encoded`. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A parsed digest. */
export interface ParsedDigest {
  algorithm: string;
  encoded: string;
}

/**
 * Parses and strictly validates a digest. Only registered algorithms with lowercase hex of
 * the exact length pass, so the result is safe to put in a URL or a file path.
 * @throws InvalidDigestError
 */
export function parseDigest(digest: string): ParsedDigest {
  if (typeof digest !== "string" || !DIGEST_GRAMMAR.test(digest)) {
    throw new InvalidDigestError(`invalid digest ${JSON.stringify(String(digest).slice(0, 100))}`);
  }
  const colon = digest.indexOf(":");
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const alg = ALGORITHMS[algorithm];
  if (!alg) throw new InvalidDigestError(`unsupported digest algorithm "${algorithm}" in ${digest.slice(0, 100)}`);
  if (encoded.length !== alg.hexLength || !/^[a-f0-9]+$/.test(encoded)) {
    throw new InvalidDigestError(`invalid ${algorithm} digest ${JSON.stringify(digest.slice(0, 150))}: want ${alg.hexLength} lowercase hex digits`);
  }
  return { algorithm, encoded };
}

/** True when {@link parseDigest} would accept the digest. */
export function isValidDigest(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}

/** A hash object for the algorithm of a digest. */
export function createDigester(algorithm = "sha256"): Hash {
  const alg = ALGORITHMS[algorithm];
  if (!alg) throw new InvalidDigestError(`unsupported digest algorithm "${algorithm}"`);
  return createHash(alg.node);
}

/** The digest of some bytes, `sha256:<hex>` by default. */
export function digestOf(data: Uint8Array | string, algorithm = "sha256"): string {
  return `${algorithm}:${createDigester(algorithm).update(data).digest("hex")}`;
}

/** What a {@link VerifyingStream} checks. */
export interface VerifyOptions {
  /** Expected digest; its algorithm decides the hash. */
  digest: string;
  /** Expected size in bytes; more bytes fail at once, fewer fail at the end. Omit when unknown. */
  size?: number;
  /** What the content is, for error messages ("blob", "manifest", "config"). */
  what?: string;
  /** Called with each chunk's length as it passes (a {@link VerifyingStream}'s only). */
  onChunk?: (bytes: number) => void;
}

/**
 * The checks of a {@link VerifyingStream} without a stream: feed it the bytes as they pass
 * ({@link update} refuses bytes beyond `size` at once), then {@link check} at the end. For
 * readers that move chunks themselves and want no extra stream stage, queue or copy.
 */
export class DigestVerifier {
  readonly expected: string;
  readonly expectedSize: number | undefined;
  private readonly hash: Hash;
  private readonly what: string;
  /** Bytes seen so far. */
  bytes = 0;

  constructor(options: VerifyOptions) {
    const { algorithm } = parseDigest(options.digest);
    this.expected = options.digest;
    this.expectedSize = options.size;
    this.hash = createDigester(algorithm);
    this.what = options.what ?? "blob";
  }

  /** Feeds bytes that were verified earlier (a resumed download) into the hash. */
  seed(prefix: Uint8Array): void {
    this.hash.update(prefix);
    this.bytes += prefix.length;
  }

  /** Hashes the next bytes. @throws DigestMismatchError when they pass the declared size */
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      throw new DigestMismatchError(`${this.what} ${this.expected}: more than the ${this.expectedSize} bytes its descriptor declares`, this.expected);
    }
    this.hash.update(chunk);
  }

  /** Checks the size and the digest of everything fed. @throws DigestMismatchError */
  check(): void {
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      throw new DigestMismatchError(`${this.what} ${this.expected}: got ${this.bytes} bytes, its descriptor declares ${this.expectedSize}`, this.expected);
    }
    const actual = `${this.expected.slice(0, this.expected.indexOf(":"))}:${this.hash.digest("hex")}`;
    if (actual !== this.expected) throw new DigestMismatchError(`${this.what} ${this.expected}: content hashes to ${actual}`, this.expected, actual);
  }
}

/**
 * A pass-through stream that hashes what flows through, refuses bytes beyond `size` as
 * soon as they arrive, and fails at the end with {@link DigestMismatchError} when the
 * digest or the size is wrong. Errors surface as stream errors, never as throws.
 */
export class VerifyingStream extends Transform {
  readonly expected: string;
  readonly expectedSize: number | undefined;
  private readonly verifier: DigestVerifier;
  private readonly onChunk: ((bytes: number) => void) | undefined;

  constructor(options: VerifyOptions) {
    super();
    this.verifier = new DigestVerifier(options);
    this.onChunk = options.onChunk;
    this.expected = this.verifier.expected;
    this.expectedSize = this.verifier.expectedSize;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.verifier.bytes;
  }

  /** Feeds bytes that were verified earlier (a resumed download) into the hash without emitting them. */
  seed(prefix: Uint8Array): void {
    this.verifier.seed(prefix);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.verifier.update(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    this.onChunk?.(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.verifier.check();
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb();
  }
}

/** Checks bytes held in memory against a digest (and size, when given). @throws DigestMismatchError */
export function verifyBytes(data: Uint8Array, digest: string, size?: number, what = "content"): void {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && data.length !== size) {
    throw new DigestMismatchError(`${what} ${digest}: got ${data.length} bytes, its descriptor declares ${size}`, digest);
  }
  const actual = digestOf(data, algorithm);
  if (actual !== digest) throw new DigestMismatchError(`${what} ${digest}: content hashes to ${actual}`, digest, actual);
}
