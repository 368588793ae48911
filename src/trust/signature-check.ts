/**
 * Checking one requirement against the signatures attached to a digest: each cosign
 * tag-scheme signature layer (its simple-signing payload must name the digest; then the
 * key or the keyless certificate and log entry; then the policy's `signedIdentity`), and
 * each sigstore bundle referrer (keyless, a DSSE in-toto statement whose subject is the
 * digest). The first that passes is the match; otherwise every reason is kept.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { LimitError, OcidistError } from "../model/errors.js";
import { MAX_SIGNATURE_LAYERS } from "../model/limits.js";
import type { Reference } from "../model/reference.js";
import type { ReadableTarget } from "../targets/target.js";
import { cosignManifest, readSmallBlob, signatureReferrers } from "./attached.js";
import { ANNOTATION_SIGNATURE, SIMPLE_SIGNING } from "./format.js";
import type { SignatureRequirement } from "./policy.js";
import { verifyWithKey } from "./public-key.js";
import { identityMatches } from "./signed-identity.js";
import { parseSimpleSigning } from "./simple-signing.js";

/** A signature that satisfied a requirement. */
export interface SignatureMatch {
  /** `cosign` (tag scheme) or `sigstore-bundle` (referrer). */
  kind: "cosign" | "sigstore-bundle";
  /** The manifest holding the signature. */
  manifest: string;
  /** The layer holding it (the payload or bundle). */
  layer: string;
  /** Who signed: `key` or the certificate's identity. */
  signer: string;
  /** The certificate's OIDC issuer, keyless. */
  issuer?: string;
}

/** A signature candidate: where it is, and its bytes read lazily. */
interface Candidate {
  kind: SignatureMatch["kind"];
  manifest: string;
  layer: Descriptor;
}

/** Why a requirement failed: one reason per signature looked at. */
export interface RequirementOutcome {
  match?: SignatureMatch;
  reasons: string[];
}

/** sigstore-js, loaded only when a keyless requirement is checked: `--key` does without it. */
const keyless = () => import("./keyless.js");

async function checkCosignLayer(target: ReadableTarget, c: Candidate, subject: string, req: SignatureRequirement, image: Reference | undefined): Promise<SignatureMatch> {
  const payload = await readSmallBlob(target, c.layer);
  const claim = parseSimpleSigning(payload);
  if (claim.digest !== subject) throw new OcidistError(`its payload names ${claim.digest}`);
  let signer = "key";
  let issuer: string | undefined;
  if (req.type === "key") {
    const sig = Buffer.from(c.layer.annotations?.[ANNOTATION_SIGNATURE] ?? "", "base64");
    if (!sig.length) throw new OcidistError(`no ${ANNOTATION_SIGNATURE} annotation`);
    if (!req.keys.some((k) => verifyWithKey(k, payload, sig))) throw new OcidistError(`the signature does not verify with ${req.what}`);
  } else {
    const { bundleFromCosignLayer, verifyBundle } = await keyless();
    const bundle = bundleFromCosignLayer(c.layer.annotations, payload);
    if (!bundle) throw new OcidistError("a key-based signature, no certificate");
    const who = verifyBundle(bundle, payload, req.trust, req.identity);
    signer = who.identity;
    issuer = who.issuer;
  }
  if (req.signedIdentity) {
    if (!image) throw new OcidistError("the location has no registry name to compare the signature's docker-reference with");
    if (!identityMatches(req.signedIdentity, image, claim.dockerReference)) throw new OcidistError(`it is signed for ${claim.dockerReference}, which ${req.signedIdentity.type} does not accept here`);
  }
  return { kind: "cosign", manifest: c.manifest, layer: c.layer.digest, signer, ...(issuer ? { issuer } : {}) };
}

async function checkBundle(target: ReadableTarget, c: Candidate, subject: string, req: SignatureRequirement): Promise<SignatureMatch> {
  if (req.type !== "keyless") throw new OcidistError("a sigstore bundle is checked keyless only");
  if (req.signedIdentity) throw new OcidistError("a sigstore bundle names no docker-reference for signedIdentity");
  const [{ parseBundle }, { statementNames, verifyStatementBundle }] = await Promise.all([keyless(), import("./in-toto.js")]);
  const bundle = parseBundle(await readSmallBlob(target, c.layer));
  const { signer, statement } = verifyStatementBundle(bundle, req.trust, req.identity);
  if (!statementNames(statement, subject)) throw new OcidistError(`its statement's subject is not ${subject}`);
  return { kind: "sigstore-bundle", manifest: c.manifest, layer: c.layer.digest, signer: signer.identity, ...(signer.issuer ? { issuer: signer.issuer } : {}) };
}

/** The signature candidates attached to `subject`: cosign signature layers, then bundle referrer layers. */
export async function signatureCandidates(target: ReadableTarget, subject: string, signal?: AbortSignal): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const sig = await cosignManifest(target, subject, "sig", signal);
  for (const layer of sig?.parsed.layers ?? []) if (layer.mediaType === SIMPLE_SIGNING) out.push({ kind: "cosign", manifest: sig!.manifest.digest, layer });
  for (const ref of await signatureReferrers(target, subject, signal)) {
    if (ref.kind !== "sigstore-bundle") continue;
    for (const layer of ref.parsed.layers) out.push({ kind: "sigstore-bundle", manifest: ref.manifest.digest, layer });
  }
  if (out.length > MAX_SIGNATURE_LAYERS) throw new LimitError(`${subject} has ${out.length} signature layers, over the ${MAX_SIGNATURE_LAYERS} checked`);
  return out;
}

/** Checks one requirement against the candidates; the first that passes is the match. */
export async function checkRequirement(target: ReadableTarget, candidates: Candidate[], subject: string, req: SignatureRequirement, image: Reference | undefined): Promise<RequirementOutcome> {
  const reasons: string[] = [];
  for (const c of candidates) {
    try {
      const match = c.kind === "cosign" ? await checkCosignLayer(target, c, subject, req, image) : await checkBundle(target, c, subject, req);
      return { match, reasons };
    } catch (err) {
      if (!(err instanceof OcidistError)) throw err;
      reasons.push(`${c.kind === "cosign" ? "signature" : "bundle"} ${c.layer.digest}: ${err.message}`);
    }
  }
  return { reasons };
}
