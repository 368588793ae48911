/**
 * Finding what is attached to a manifest: cosign's tag-scheme signatures and attestations,
 * and referrers holding sigstore bundles or notation signatures, in any location.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { LimitError, NotFoundError } from "../model/errors.js";
import type { ImageManifest } from "../model/manifest.js";
import { MAX_MANIFEST_BYTES } from "../model/limits.js";
import { imageManifestOf, readManifest } from "../engine/image.js";
import { openVerifiedBlob } from "../engine/blob-reader.js";
import { referrersOf } from "../ops/referrers.js";
import type { ReadableTarget } from "../targets/target.js";
import { readAll } from "../util/stream.js";
import { cosignTag, isSigstoreBundleType, NOTATION_SIGNATURE, type CosignSuffix } from "./format.js";

/** What kind of thing is attached. */
export type AttachedKind = "cosign-signature" | "cosign-attestation" | "sigstore-bundle" | "notation-signature";

/** One manifest attached to a subject. */
export interface Attached {
  kind: AttachedKind;
  /** How it is attached: a cosign tag, or a referrer (`subject`). */
  via: "tag" | "referrer";
  /** The tag, for the tag scheme. */
  tag?: string;
  /** The attached manifest. */
  manifest: Descriptor;
  /** Its parsed manifest. */
  parsed: ImageManifest;
}

/** The cosign tag-scheme manifest of `subject` with `suffix`, or undefined when there is none. */
export async function cosignManifest(target: ReadableTarget, subject: string, suffix: CosignSuffix, signal?: AbortSignal): Promise<Attached | undefined> {
  const tag = cosignTag(subject, suffix);
  let desc: Descriptor;
  try {
    desc = await target.resolve(tag, signal);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  const read = await readManifest(target, desc, signal);
  const parsed = imageManifestOf(read.parsed, `${target.description}:${tag}`);
  return { kind: suffix === "sig" ? "cosign-signature" : "cosign-attestation", via: "tag", tag, manifest: read.descriptor, parsed };
}

function referrerKind(d: Descriptor): AttachedKind | undefined {
  if (isSigstoreBundleType(d.artifactType)) return "sigstore-bundle";
  if (d.artifactType === NOTATION_SIGNATURE) return "notation-signature";
  return undefined;
}

/** Referrers of `subject` that hold sigstore bundles or notation signatures. */
export async function signatureReferrers(target: ReadableTarget, subject: string, signal?: AbortSignal): Promise<Attached[]> {
  const { referrers } = await referrersOf(target, subject, undefined, signal);
  const out: Attached[] = [];
  for (const d of referrers) {
    const kind = referrerKind(d);
    if (!kind) continue;
    const read = await readManifest(target, { mediaType: d.mediaType, digest: d.digest, size: d.size }, signal);
    if (read.parsed.kind !== "image") continue;
    out.push({ kind, via: "referrer", manifest: read.descriptor, parsed: read.parsed.manifest });
  }
  return out;
}

/** Everything attached to `subject`: cosign signatures and attestations by tag, then signature referrers. */
export async function attachedTo(target: ReadableTarget, subject: string, signal?: AbortSignal): Promise<Attached[]> {
  const tagged = [await cosignManifest(target, subject, "sig", signal), await cosignManifest(target, subject, "att", signal)];
  return [...tagged.filter((a): a is Attached => a !== undefined), ...(await signatureReferrers(target, subject, signal))];
}

/** Reads a small blob (a payload, a bundle) a layer names, verified, within the manifest size bound. */
export async function readSmallBlob(target: ReadableTarget, layer: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  const what = `signature layer ${layer.digest}`;
  if (layer.size > MAX_MANIFEST_BYTES) throw new LimitError(`${what} is ${layer.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  return readAll(await openVerifiedBlob(target, layer, { signal, what, maxSize: MAX_MANIFEST_BYTES }), MAX_MANIFEST_BYTES, what);
}
