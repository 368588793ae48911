/**
 * `signatures`: what is attached to a manifest, one entry per signature or attestation:
 * its kind, where it is, its digest and, where the material says (a certificate), who
 * signed. Nothing is verified here; `verify` does that.
 * @module
 */
import { LimitError, OcidistError } from "../model/errors.js";
import { MAX_SIGNATURE_LAYERS } from "../model/limits.js";
import type { ReadableTarget } from "../targets/target.js";
import { attachedTo, readSmallBlob, type Attached, type AttachedKind } from "./attached.js";
import { ANNOTATION_CERTIFICATE } from "./format.js";
import { bundleSigner, certificateSigner, parseBundle } from "./keyless.js";

/** One signature or attestation found. */
export interface SignatureEntry {
  kind: AttachedKind;
  via: Attached["via"];
  /** The cosign tag, for the tag scheme. */
  tag?: string;
  /** The manifest holding it. */
  manifest: string;
  /** The layer (payload, envelope, bundle or notation signature). */
  digest: string;
  mediaType: string;
  /** Who signed, where the material names it: a certificate's identity, or `key` for a key-based signature. */
  signer?: string;
  /** An attestation's predicate type, when annotated. */
  predicateType?: string;
}

async function signerOf(target: ReadableTarget, a: Attached, layer: Attached["parsed"]["layers"][number], signal?: AbortSignal): Promise<string | undefined> {
  if (a.kind === "cosign-signature" || a.kind === "cosign-attestation") {
    const cert = layer.annotations?.[ANNOTATION_CERTIFICATE];
    return cert ? certificateSigner(cert) : "key";
  }
  if (a.kind !== "sigstore-bundle") return undefined;
  try {
    return bundleSigner(parseBundle(await readSmallBlob(target, layer, signal)));
  } catch (err) {
    if (err instanceof OcidistError) return undefined;
    throw err;
  }
}

/** Lists the signatures and attestations attached to `subject` (a manifest digest). */
export async function listSignatures(target: ReadableTarget, subject: string, signal?: AbortSignal): Promise<SignatureEntry[]> {
  const out: SignatureEntry[] = [];
  const attached = await attachedTo(target, subject, signal);
  const layers = attached.reduce((n, a) => n + a.parsed.layers.length, 0);
  if (layers > MAX_SIGNATURE_LAYERS) throw new LimitError(`${subject} has ${layers} signature layers, over the ${MAX_SIGNATURE_LAYERS} listed`);
  for (const a of attached) {
    for (const layer of a.parsed.layers) {
      const signer = await signerOf(target, a, layer, signal);
      const predicateType = layer.annotations?.predicateType;
      out.push({ kind: a.kind, via: a.via, ...(a.tag ? { tag: a.tag } : {}), manifest: a.manifest.digest, digest: layer.digest, mediaType: layer.mediaType, ...(signer ? { signer } : {}), ...(predicateType ? { predicateType } : {}) });
    }
  }
  return out;
}
