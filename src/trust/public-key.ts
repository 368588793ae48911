/**
 * Public keys of `--key` and a policy's `keyPath`/`keyData`: PEM (SPKI, as `cosign
 * generate-key-pair` writes them) for ECDSA P-256/P-384, RSA and Ed25519, and the signature
 * check cosign makes with each (ECDSA and RSA PKCS#1 v1.5 over SHA-256 / SHA-384, Ed25519 over
 * the message itself).
 * @module
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { UsageError } from "../model/errors.js";

/**
 * Parses a PEM public key.
 * @throws UsageError for anything but an ECDSA (P-256, P-384, P-521), RSA or Ed25519 public key
 */
export function parsePublicKey(pem: string | Buffer, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new UsageError(`${what}: not a PEM public key`);
  }
  const type = key.asymmetricKeyType;
  if (type !== "ec" && type !== "rsa" && type !== "ed25519") throw new UsageError(`${what}: a ${type ?? "unknown"} key; ECDSA, RSA or Ed25519 wanted`);
  return key;
}

/** The hash cosign pairs with a key: SHA-384 for P-384, SHA-512 for P-521, else SHA-256; none for Ed25519. */
function hashFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === "ed25519") return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === "secp384r1") return "sha384";
  if (curve === "secp521r1") return "sha512";
  return "sha256";
}

/** Whether `signature` is `key`'s signature over `message` (ECDSA signatures DER-encoded, as cosign writes them). */
export function verifyWithKey(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return verify(hashFor(key), message, key.asymmetricKeyType === "ec" ? { key, dsaEncoding: "der" } : key, signature);
  } catch {
    return false;
  }
}
