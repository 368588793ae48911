/**
 * Where and how signatures are attached to an image: cosign's tag scheme (`sha256-<hex>.sig`,
 * `.att`) and its layer annotations, sigstore bundles and notation signatures as referrers.
 * Names follow cosign's `specs/SIGNATURE_SPEC.md` and the sigstore bundle media types.
 * @module
 */
import { parseDigest } from "../model/digest.js";

/** The media type of a cosign simple-signing payload layer. */
export const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
/** The media type of a DSSE envelope layer (cosign attestations). */
export const DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
/** The annotation holding the base64 signature of a cosign payload. */
export const ANNOTATION_SIGNATURE = "dev.cosignproject.cosign/signature";
/** The annotation holding the PEM signing certificate (keyless). */
export const ANNOTATION_CERTIFICATE = "dev.sigstore.cosign/certificate";
/** The annotation holding the PEM certificate chain (keyless). */
export const ANNOTATION_CHAIN = "dev.sigstore.cosign/chain";
/** The annotation holding the Rekor bundle (SET and entry) as JSON. */
export const ANNOTATION_BUNDLE = "dev.sigstore.cosign/bundle";
/** The artifact type of a notation (Notary Project) signature. */
export const NOTATION_SIGNATURE = "application/vnd.cncf.notary.signature";
/** The `type` a cosign simple-signing payload declares. */
export const SIMPLE_SIGNING_TYPE = "cosign container image signature";

/** The suffixes of cosign's tag scheme: signatures, attestations. */
export type CosignSuffix = "sig" | "att";

/** The tag cosign stores a digest's signatures (`sig`) or attestations (`att`) under: `sha256-<hex>.sig`. */
export function cosignTag(digest: string, suffix: CosignSuffix): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}.${suffix}`;
}

/** Whether a tag is one of cosign's tag-scheme tags. */
export function isCosignTag(tag: string): boolean {
  return /^[a-z0-9]+-[a-f0-9]{32,}\.(sig|att|sbom)$/.test(tag);
}

/** Whether a media or artifact type is a sigstore bundle, of any version (`application/vnd.dev.sigstore.bundle.v0.3+json`). */
export function isSigstoreBundleType(type: string | undefined): boolean {
  return type !== undefined && /^application\/vnd\.dev\.sigstore\.bundle(\.v[0-9.]+)?\+json(;.*)?$/.test(type);
}
