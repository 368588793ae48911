/**
 * Keyless (Fulcio + Rekor) verification through sigstore-js: a sigstore bundle, or one built
 * from cosign's tag-scheme layer annotations (certificate, Rekor bundle with its SET,
 * signature), checked against trust material: the certificate chains to a trusted CA at the
 * log's integrated time (so the signing time lies within the certificate's validity), the
 * log entry's SET or inclusion proof is valid and matches the signature, and the signer's
 * identity and OIDC issuer are the ones asked for.
 * @module
 */
import { createHash } from "node:crypto";
import { bundleFromJSON, type Bundle } from "@sigstore/bundle";
import { pem, X509Certificate } from "@sigstore/core";
import { toSignedEntity, Verifier } from "@sigstore/verify";
import { OcidistError } from "../model/errors.js";
import { ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_SIGNATURE } from "./format.js";
import type { KeylessTrust } from "./trusted-root.js";

/** Whose certificate is acceptable: `--certificate-identity` (or `-regexp`) and `--certificate-oidc-issuer` (or a policy's `subjectEmail`, `oidcIssuer`). */
export interface IdentityPolicy {
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
}

/** Who signed, as the certificate says. */
export interface KeylessSigner {
  /** The certificate's subject alternative name (an email, a workflow URI). */
  identity: string;
  /** The OIDC issuer extension. */
  issuer?: string;
}

/** A signature that fails keyless verification. */
export class KeylessError extends OcidistError {
  override name = "KeylessError";
}

function checkIdentity(signer: KeylessSigner, policy: IdentityPolicy): void {
  if (policy.identity !== undefined && signer.identity !== policy.identity) throw new KeylessError(`certificate identity is ${signer.identity}, not ${policy.identity}`);
  if (policy.identityRegexp !== undefined && !new RegExp(policy.identityRegexp).test(signer.identity)) throw new KeylessError(`certificate identity ${signer.identity} does not match ${policy.identityRegexp}`);
  if (policy.issuer !== undefined && signer.issuer !== policy.issuer) throw new KeylessError(`certificate OIDC issuer is ${signer.issuer ?? "absent"}, not ${policy.issuer}`);
}

/** A sigstore-js error as one line: its message and its cause's. */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

/**
 * Verifies a bundle (over `artifact` for a message signature; a DSSE bundle carries its
 * payload) and the signer's identity.
 * @throws KeylessError naming the first check that failed
 */
export function verifyBundle(bundle: Bundle, artifact: Buffer | undefined, trust: KeylessTrust, policy: IdentityPolicy): KeylessSigner {
  let signer: KeylessSigner;
  try {
    const verified = new Verifier(trust.material, { ctlogThreshold: trust.ctlogThreshold, tlogThreshold: 1 }).verify(toSignedEntity(bundle, artifact));
    const identity = verified.identity?.subjectAlternativeName;
    if (!identity) throw new KeylessError("the signature is not made with a certificate");
    const issuer = verified.identity?.extensions?.issuer;
    signer = { identity, ...(issuer ? { issuer } : {}) };
  } catch (err) {
    if (err instanceof KeylessError) throw err;
    throw new KeylessError(reason(err));
  }
  checkIdentity(signer, policy);
  return signer;
}

/** Parses a sigstore bundle's JSON. @throws KeylessError when it is not a valid bundle */
export function parseBundle(bytes: Buffer): Bundle {
  try {
    return bundleFromJSON(JSON.parse(bytes.toString("utf8")));
  } catch (err) {
    throw new KeylessError(`not a sigstore bundle: ${reason(err)}`);
  }
}

/** The Rekor bundle cosign writes in `dev.sigstore.cosign/bundle`. */
interface RekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function derOf(text: string): Buffer {
  X509Certificate.parse(text);
  return pem.toDER(text);
}

/**
 * The sigstore bundle (v0.1: message signature, certificate, log entry with its SET) that a
 * cosign tag-scheme signature layer's annotations amount to, or undefined when the layer
 * carries no certificate (a key-based signature).
 * @throws KeylessError when the annotations are malformed
 */
export function bundleFromCosignLayer(annotations: Record<string, string> | undefined, payload: Buffer): Bundle | undefined {
  const cert = annotations?.[ANNOTATION_CERTIFICATE];
  if (!cert) return undefined;
  const rekorText = annotations[ANNOTATION_BUNDLE];
  if (!rekorText) throw new KeylessError(`a keyless signature without ${ANNOTATION_BUNDLE} (no transparency log entry)`);
  try {
    const rekor = JSON.parse(rekorText) as RekorBundle;
    const body = JSON.parse(Buffer.from(rekor.Payload.body, "base64").toString("utf8")) as { kind: string; apiVersion: string };
    return bundleFromJSON({
      mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
      verificationMaterial: {
        x509CertificateChain: { certificates: [{ rawBytes: derOf(cert).toString("base64") }] },
        tlogEntries: [
          {
            logIndex: String(rekor.Payload.logIndex),
            logId: { keyId: Buffer.from(rekor.Payload.logID, "hex").toString("base64") },
            kindVersion: { kind: body.kind, version: body.apiVersion },
            integratedTime: String(rekor.Payload.integratedTime),
            inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
            canonicalizedBody: rekor.Payload.body,
          },
        ],
      },
      messageSignature: {
        messageDigest: { algorithm: "SHA2_256", digest: createHash("sha256").update(payload).digest("base64") },
        signature: annotations[ANNOTATION_SIGNATURE] ?? "",
      },
    });
  } catch (err) {
    throw new KeylessError(`malformed keyless signature annotations: ${reason(err)}`);
  }
}

/** The signer a bundle's certificate names, unverified (for listing). */
export function bundleSigner(bundle: Bundle): string | undefined {
  const content = bundle.verificationMaterial.content;
  const raw = content.$case === "x509CertificateChain" ? content.x509CertificateChain.certificates[0]?.rawBytes : content.$case === "certificate" ? content.certificate.rawBytes : undefined;
  if (!raw) return content.$case === "publicKey" ? "key" : undefined;
  return certificateSigner(Buffer.from(raw));
}

/** The subject alternative name of a certificate (PEM or DER), unverified. */
export function certificateSigner(cert: string | Buffer): string | undefined {
  try {
    return X509Certificate.parse(typeof cert === "string" ? cert : Buffer.from(cert)).subjectAltName;
  } catch {
    return undefined;
  }
}
