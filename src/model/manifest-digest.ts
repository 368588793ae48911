/**
 * The digest of a manifest. For every type it is the hash of the bytes, except Docker schema 1
 * signed with JWS (`prettyjws`), whose digest registries compute over the signed payload: the
 * bytes without the `signatures` block, rebuilt from the protected header's `formatLength`
 * and `formatTail` (libtrust's format). That rule applies only to a JWS that holds (see
 * `src/schema1-jws.ts`); anything else is addressed by the hash of its bytes alone.
 * @module
 */
import { digestOf, parseDigest } from "./digest.js";
import { DigestMismatchError } from "./errors.js";
import { baseMediaType, isSchema1MediaType } from "./media-types.js";
import { readSchema1Jws } from "./schema1-jws.js";

/** The JWS payload of a signed schema 1 manifest, or undefined when the bytes are not one that holds. */
export function schema1Payload(bytes: Uint8Array): Buffer | undefined {
  return readSchema1Jws(bytes).payload;
}

/** Whether the schema 1 payload rule may apply to a document of this media type (unknown: it may). */
function mayBeSigned(mediaType: string | undefined): boolean {
  return mediaType === undefined || isSchema1MediaType(baseMediaType(mediaType));
}

/** The digest of manifest bytes of the given media type, in `algorithm` (default sha256). */
export function manifestDigest(bytes: Uint8Array, mediaType: string | undefined, algorithm = "sha256"): string {
  const payload = mayBeSigned(mediaType) ? schema1Payload(bytes) : undefined;
  return digestOf(payload ?? bytes, algorithm);
}

/** Checks manifest bytes against a digest (and size when given). @throws DigestMismatchError */
export function verifyManifest(bytes: Uint8Array, digest: string, mediaType: string | undefined, size?: number): void {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && size >= 0 && bytes.length !== size) {
    throw new DigestMismatchError(`manifest ${digest}: got ${bytes.length} bytes, its descriptor declares ${size}`, digest);
  }
  if (digestOf(bytes, algorithm) === digest) return;
  // A signed schema 1 manifest is addressed by the hash of its payload, when its JWS holds.
  const jws = mayBeSigned(mediaType) ? readSchema1Jws(bytes) : undefined;
  const actual = digestOf(jws?.payload ?? bytes, algorithm);
  if (actual === digest) return;
  const why = jws?.problem && jws.problem !== "not a schema 1 manifest" && jws.problem !== "no signatures" ? ` (its schema 1 signature does not count: ${jws.problem})` : "";
  throw new DigestMismatchError(`manifest ${digest}: content hashes to ${actual}${why}`, digest, actual);
}
