/**
 * The digest of a manifest. For every type it is the hash of the bytes, except Docker schema 1
 * signed with JWS (`prettyjws`), whose digest registries compute over the signed payload: the
 * bytes without the `signatures` block, rebuilt from the protected header's `formatLength`
 * and `formatTail` (libtrust's format).
 * @module
 */
import { digestOf, parseDigest } from "./digest.js";
import { DigestMismatchError } from "./errors.js";
import { DOCKER_SCHEMA1_SIGNED, baseMediaType } from "./media-types.js";

/** The JWS payload of a signed schema 1 manifest, or undefined when it is not one. */
export function schema1Payload(bytes: Uint8Array): Buffer | undefined {
  let doc: { signatures?: { protected?: string }[] };
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8")) as typeof doc;
  } catch {
    return undefined;
  }
  const prot = doc?.signatures?.[0]?.protected;
  if (typeof prot !== "string") return undefined;
  let header: { formatLength?: number; formatTail?: string };
  try {
    header = JSON.parse(Buffer.from(prot, "base64url").toString("utf8")) as typeof header;
  } catch {
    return undefined;
  }
  const { formatLength, formatTail } = header;
  if (typeof formatLength !== "number" || typeof formatTail !== "string" || formatLength < 0 || formatLength > bytes.length) return undefined;
  return Buffer.concat([Buffer.from(bytes).subarray(0, formatLength), Buffer.from(formatTail, "base64url")]);
}

/** The digest of manifest bytes of the given media type, in `algorithm` (default sha256). */
export function manifestDigest(bytes: Uint8Array, mediaType: string | undefined, algorithm = "sha256"): string {
  if (baseMediaType(mediaType) === DOCKER_SCHEMA1_SIGNED || mediaType === undefined) {
    const payload = schema1Payload(bytes);
    if (payload) return digestOf(payload, algorithm);
  }
  return digestOf(bytes, algorithm);
}

/** Checks manifest bytes against a digest (and size when given). @throws DigestMismatchError */
export function verifyManifest(bytes: Uint8Array, digest: string, mediaType: string | undefined, size?: number): void {
  const { algorithm } = parseDigest(digest);
  if (size !== undefined && size >= 0 && bytes.length !== size) {
    throw new DigestMismatchError(`manifest ${digest}: got ${bytes.length} bytes, its descriptor declares ${size}`, digest);
  }
  const actual = manifestDigest(bytes, mediaType, algorithm);
  if (actual !== digest) {
    // A schema 1 manifest may be addressed by the hash of its bytes too.
    if (digestOf(bytes, algorithm) === digest) return;
    throw new DigestMismatchError(`manifest ${digest}: content hashes to ${actual}`, digest, actual);
  }
}
