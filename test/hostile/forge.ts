/**
 * Forging schema 1 JWS bodies the way an attacker would, for the digest-pinning tests: a
 * body whose libtrust "payload" (rebuilt from `formatLength` and `formatTail`) is some
 * genuine bytes, so that a client trusting those two numbers believes the body has the
 * genuine bytes' digest. The signatures are real (ES256 by the attacker's key), so only the
 * structural check of the payload can catch the forgery.
 */
import { generateKeyPairSync, sign } from "node:crypto";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = publicKey.export({ format: "jwk" });

/** A valid ES256 libtrust signature block over `payload` with the given format fields. */
export function signatureBlock(payload: Buffer, formatLength: number, formatTail: Buffer): Record<string, unknown> {
  const prot = Buffer.from(JSON.stringify({ formatLength, formatTail: formatTail.toString("base64url"), time: "2024-01-02T03:04:05Z" })).toString("base64url");
  const signature = sign("sha256", Buffer.from(`${prot}.${payload.toString("base64url")}`), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
  return { header: { jwk, alg: "ES256" }, signature, protected: prot };
}

/** Any schema 1 document, with a JWS whose rebuilt payload is `genuine` (formatLength 0, formatTail = genuine). */
export function forgeSchema1(doc: Record<string, unknown>, genuine: Buffer): Buffer {
  const sig = signatureBlock(genuine, 0, genuine);
  return Buffer.from(JSON.stringify({ ...doc, signatures: [sig] }));
}

/**
 * A genuine signed schema 1 manifest with members spliced in just before its signatures:
 * duplicate `fsLayers`/`history` that `JSON.parse` prefers, while the untouched protected
 * header still rebuilds the genuine payload (and its signature still verifies over it).
 */
export function spliceSchema1(signed: Buffer, members: Record<string, unknown>): Buffer {
  const text = signed.toString("latin1");
  const at = text.indexOf(',\n   "signatures"');
  if (at < 0) throw new Error("not a pretty-signed schema 1 manifest");
  const extra = Object.entries(members).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join("");
  return Buffer.concat([signed.subarray(0, at), Buffer.from(extra), signed.subarray(at)]);
}
