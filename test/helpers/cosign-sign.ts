/**
 * The tests' own cosign signer, written from cosign's `specs/SIGNATURE_SPEC.md` (not from
 * ocidist's verifier): simple-signing payloads, signatures by a key (ECDSA P-256 DER, RSA
 * PKCS#1 v1.5, Ed25519), the signature manifest under `sha256-<hex>.sig` with the signature
 * in `dev.cosignproject.cosign/signature`; keyless signatures with a test Fulcio CA, CT log
 * and Rekor log from `@sigstore/mock`, their certificate and Rekor bundle in the layer
 * annotations; and the `trusted_root.json` naming that test infrastructure.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { initializeCA, initializeCTLog, initializeTLog } from "@sigstore/mock";
import { blob, desc, type Blob } from "../rig/build.js";
import { pushContent } from "../rig/push.js";
import type { RigInfo, RigRegistry } from "../rig/rig.js";

/** A cosign simple-signing payload for `digest`, naming `dockerReference` (cosign names the repository). */
export function payloadFor(dockerReference: string, digest: string): Buffer {
  const doc = { critical: { identity: { "docker-reference": dockerReference }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null };
  return Buffer.from(JSON.stringify(doc));
}

/** cosign's signature over a payload with a private key, base64. */
export function signPayload(key: KeyObject, payload: Buffer): string {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return sign(null, payload, key).toString("base64");
  return sign("sha256", payload, type === "ec" ? { key, dsaEncoding: "der" } : key).toString("base64");
}

/** A key pair of a kind, and its public key as PEM. */
export function keyPair(kind: "ec" | "rsa" | "ed25519" = "ec"): { privateKey: KeyObject; publicKey: KeyObject; pem: string } {
  const pair = kind === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : kind === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ed25519");
  return { ...pair, pem: pair.publicKey.export({ format: "pem", type: "spki" }).toString() };
}

/** One signature layer: its payload and annotations. */
export interface SignatureLayer {
  payload: Buffer;
  annotations: Record<string, string>;
}

/** A key-based signature layer over `payload`. */
export function keySignature(key: KeyObject, payload: Buffer): SignatureLayer {
  return { payload, annotations: { "dev.cosignproject.cosign/signature": signPayload(key, payload) } };
}

/** The signature manifest cosign writes: an OCI manifest whose layers are the payloads. */
export function signatureManifest(layers: SignatureLayer[]): { blobs: Blob[]; manifest: Blob } {
  const payloads = layers.map((l) => blob("application/vnd.dev.cosign.simplesigning.v1+json", l.payload, l.annotations));
  const config = blob("application/vnd.oci.image.config.v1+json", Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: payloads.map((p) => p.digest) } })));
  const doc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: desc(config), layers: payloads.map((p) => desc(p)) };
  return { blobs: [config, ...payloads], manifest: blob(doc.mediaType, Buffer.from(JSON.stringify(doc))) };
}

/** The tag cosign stores `digest`'s signatures under. */
export function sigTag(digest: string, suffix = "sig"): string {
  return `${digest.replace(":", "-")}.${suffix}`;
}

/** Pushes signature layers for `subject` under its `.sig` tag in `repo`. */
export async function pushSignatures(rig: RigInfo, reg: RigRegistry, repo: string, subject: string, layers: SignatureLayer[], suffix = "sig"): Promise<Blob> {
  const { blobs, manifest } = signatureManifest(layers);
  await pushContent(rig, reg, repo, blobs, [manifest], [sigTag(subject, suffix)]);
  return manifest;
}

const FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
const HOUR = 3600_000;

/** A test sigstore: CA, CT log, transparency log, and the trusted root naming them. */
export interface TestSigstore {
  trustedRoot: Record<string, unknown>;
  /** The CA's root certificate, PEM (a policy's `fulcio.caPath`). */
  caPem: string;
  /** The Rekor public key, PEM (a policy's `rekorPublicKeyPath`). */
  rekorPem: string;
  /** A keyless signature layer over `payload` by `identity` from `issuer`; `logLate` logs it an hour after the certificate expired. */
  sign(payload: Buffer, identity: string, issuer: string, logLate?: boolean): Promise<SignatureLayer>;
  /** A sigstore bundle (v0.1 JSON): an in-toto statement in DSSE, signed keyless, logged as a `dsse` 0.0.1 entry with its SET. */
  attest(statement: unknown, identity: string, issuer: string): Promise<Record<string, unknown>>;
}

/** DSSE's pre-authentication encoding (DSSE v1 protocol). */
function pae(type: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);
}

const bytes = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const b64 = (b: ArrayBufferView): string => bytes(b).toString("base64");
const pemOf = (der: ArrayBufferView, type = "CERTIFICATE"): string => `-----BEGIN ${type}-----\n${b64(der).replace(/.{64}/g, "$&\n")}\n-----END ${type}-----\n`;

/** Sets up a test sigstore; `withCtLog: false` issues certificates without SCTs (a private Fulcio with no CT log). */
export async function testSigstore(withCtLog = true): Promise<TestSigstore> {
  const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ctKeys = p256();
  const rekorKeys = p256();
  const ctLog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(p256(), withCtLog ? ctLog : undefined, new Date(Date.now() - 60_000));
  const tlog = await initializeTLog("https://rekor.test", rekorKeys);
  const lateLog = await initializeTLog("https://rekor.test", rekorKeys, new Date(Date.now() + HOUR));
  const rekorSpki = rekorKeys.publicKey.export({ format: "der", type: "spki" });
  const start = "2000-01-01T00:00:00Z";
  const trustedRoot = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [{ baseUrl: "https://rekor.test", hashAlgorithm: "SHA2_256", publicKey: { rawBytes: b64(rekorSpki), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start } }, logId: { keyId: b64(createHash("sha256").update(rekorSpki).digest()) } }],
    certificateAuthorities: [{ subject: { organization: "sigstore.mock", commonName: "sigstore" }, uri: "https://fulcio.test", certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] }, validFor: { start } }],
    ctlogs: [{ baseUrl: "https://ctfe.test", hashAlgorithm: "SHA2_256", publicKey: { rawBytes: b64(ctLog.publicKey), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start } }, logId: { keyId: b64(ctLog.logID) } }],
    timestampAuthorities: [],
  };
  const issue = async (identity: string, issuer: string) => {
    const signer = p256();
    const cert = await ca.issueCertificate({ publicKey: signer.publicKey.export({ format: "der", type: "spki" }), subjectAltName: identity, extensions: [{ oid: FULCIO_ISSUER_V2, value: issuer }] });
    return { signer, cert, certPem: pemOf(cert) };
  };
  type Logged = { body: string; integratedTime: number; logIndex: number; logID: string; verification: { signedEntryTimestamp: string } };
  const record = async (entry: object, late = false) => Object.values(await (late ? lateLog : tlog).log(entry))[0] as Logged;
  return {
    trustedRoot,
    async attest(statement, identity, issuer) {
      const { signer, cert, certPem } = await issue(identity, issuer);
      const type = "application/vnd.in-toto+json";
      const payload = Buffer.from(JSON.stringify(statement));
      const sig = sign("sha256", pae(type, payload), { key: signer.privateKey, dsaEncoding: "der" }).toString("base64");
      const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
      const envelope = { payload: payload.toString("base64"), payloadType: type, signatures: [{ sig, keyid: "" }] };
      const logged = await record({ apiVersion: "0.0.1", kind: "dsse", spec: { envelopeHash: { algorithm: "sha256", value: sha(Buffer.from(JSON.stringify(envelope))) }, payloadHash: { algorithm: "sha256", value: sha(payload) }, signatures: [{ signature: sig, verifier: b64(Buffer.from(certPem)) }] } });
      return {
        mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
        verificationMaterial: {
          x509CertificateChain: { certificates: [{ rawBytes: b64(cert) }] },
          tlogEntries: [{ logIndex: String(logged.logIndex), logId: { keyId: Buffer.from(logged.logID, "hex").toString("base64") }, kindVersion: { kind: "dsse", version: "0.0.1" }, integratedTime: String(logged.integratedTime), inclusionPromise: { signedEntryTimestamp: logged.verification.signedEntryTimestamp }, canonicalizedBody: logged.body }],
          timestampVerificationData: { rfc3161Timestamps: [] },
        },
        dsseEnvelope: envelope,
      };
    },
    caPem: pemOf(ca.rootCertificate),
    rekorPem: pemOf(rekorSpki, "PUBLIC KEY"),
    async sign(payload, identity, issuer, logLate = false) {
      const { signer, certPem } = await issue(identity, issuer);
      const signature = signPayload(signer.privateKey, payload);
      const entry = {
        apiVersion: "0.0.1",
        kind: "hashedrekord",
        spec: { data: { hash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") } }, signature: { content: signature, publicKey: { content: b64(Buffer.from(certPem)) } } },
      };
      const logged = await record(entry, logLate);
      const rekorBundle = { SignedEntryTimestamp: logged.verification.signedEntryTimestamp, Payload: { body: logged.body, integratedTime: logged.integratedTime, logIndex: logged.logIndex, logID: logged.logID } };
      return {
        payload,
        annotations: {
          "dev.cosignproject.cosign/signature": signature,
          "dev.sigstore.cosign/certificate": certPem,
          "dev.sigstore.cosign/chain": pemOf(ca.rootCertificate),
          "dev.sigstore.cosign/bundle": JSON.stringify(rekorBundle),
        },
      };
    },
  };
}
