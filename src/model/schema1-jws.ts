/**
 * The JWS of a signed Docker schema 1 manifest (libtrust's "pretty" JWS). Its payload, whose
 * hash registries give as the manifest's digest, is the document without its `signatures`
 * member: the first `formatLength` bytes followed by `formatTail` from the protected header.
 * libtrust takes those two numbers on trust, so any bytes could be made to "contain" any
 * payload; here the JWS counts only when what they cut off is exactly the last top-level
 * member, `,"signatures":[…]`, and every signature verifies over the payload with the key
 * its header carries (`jwk`, or the first `x5c` certificate).
 * @module
 */
import { X509Certificate, createPublicKey, verify, type KeyObject } from "node:crypto";
import { parseStrictJson, type StrictJson } from "./json-strict.js";

/** A JWS that holds, or the reason it does not. */
export type Schema1Jws = { payload: Buffer; problem?: undefined } | { payload?: undefined; problem: string };

type Json = Record<string, unknown>;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** JWS `alg` values libtrust signs with: digest, and the key type they need. */
const ALGORITHMS: Record<string, { hash: string; keyType: string }> = {
  ES256: { hash: "sha256", keyType: "ec" },
  ES384: { hash: "sha384", keyType: "ec" },
  ES512: { hash: "sha512", keyType: "ec" },
  RS256: { hash: "sha256", keyType: "rsa" },
  RS384: { hash: "sha384", keyType: "rsa" },
  RS512: { hash: "sha512", keyType: "rsa" },
};

function isObject(v: unknown): v is Json {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function b64url(s: unknown): Buffer | undefined {
  return typeof s === "string" && BASE64URL.test(s) ? Buffer.from(s, "base64url") : undefined;
}

/** The public key a signature header names. */
function headerKey(header: Json): KeyObject {
  if (isObject(header.jwk)) return createPublicKey({ key: header.jwk as never, format: "jwk" });
  const chain = header.x5c;
  if (Array.isArray(chain) && typeof chain[0] === "string") return new X509Certificate(Buffer.from(chain[0], "base64")).publicKey;
  throw new Error("no jwk or x5c key");
}

/** Checks one signature over `protected.payload`; returns its format fields or a problem. */
function checkSignature(sig: unknown, payload64: string | undefined, i: number): { formatLength: number; formatTail: string } | string {
  if (!isObject(sig) || !isObject(sig.header) || typeof sig.protected !== "string" || typeof sig.signature !== "string") return `signatures[${i}] needs header, protected and signature`;
  const protectedBytes = b64url(sig.protected);
  let head: unknown;
  try {
    head = protectedBytes && parseStrictJson(protectedBytes).value;
  } catch (err) {
    return `signatures[${i}]: protected header is not strict JSON (${(err as Error).message})`;
  }
  if (!isObject(head)) return `signatures[${i}]: protected header is not a base64url JSON object`;
  const { formatLength, formatTail } = head;
  if (typeof formatLength !== "number" || !Number.isSafeInteger(formatLength) || formatLength < 0 || typeof formatTail !== "string" || !BASE64URL.test(formatTail)) {
    return `signatures[${i}]: protected header needs formatLength and formatTail`;
  }
  if (payload64 === undefined) return { formatLength, formatTail };
  const alg = ALGORITHMS[typeof sig.header.alg === "string" ? sig.header.alg : ""];
  const signature = b64url(sig.signature);
  if (!alg || !signature) return `signatures[${i}]: unsupported alg ${JSON.stringify(sig.header.alg)}`;
  try {
    const key = headerKey(sig.header);
    if (key.asymmetricKeyType !== alg.keyType) return `signatures[${i}]: a ${key.asymmetricKeyType} key cannot sign ${String(sig.header.alg)}`;
    const input = Buffer.from(`${sig.protected}.${payload64}`);
    const ok = verify(alg.hash, input, alg.keyType === "ec" ? { key, dsaEncoding: "ieee-p1363" } : key, signature);
    return ok ? { formatLength, formatTail } : `signatures[${i}] does not verify`;
  } catch (err) {
    return `signatures[${i}]: ${(err as Error).message}`;
  }
}

/**
 * Reads the JWS of a schema 1 manifest. `doc` is the document as {@link parseStrictJson}
 * read it (read here when not given).
 */
export function readSchema1Jws(bytes: Uint8Array, doc?: StrictJson): Schema1Jws {
  try {
    doc ??= parseStrictJson(bytes);
  } catch (err) {
    return { problem: `not strict JSON (${(err as Error).message})` };
  }
  if (!isObject(doc.value) || doc.value.schemaVersion !== 1) return { problem: "not a schema 1 manifest" };
  const sigs = doc.value.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0) return { problem: "no signatures" };
  const members = doc.members;
  const last = members[members.length - 1]!;
  const before = members[members.length - 2];
  if (last.key !== "signatures" || !before) return { problem: "signatures is not the last member after the payload's own" };
  const first = checkSignature(sigs[0], undefined, 0);
  if (typeof first === "string") return { problem: first };
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tail = Buffer.from(first.formatTail, "base64url");
  // What the header cuts off must be exactly `,<ws>"signatures"<ws>:<ws>[…]`, and the tail what follows it.
  const cut = body.subarray(first.formatLength, last.valueStart).toString("latin1");
  if (first.formatLength !== before.valueEnd || !/^,[ \t\r\n]*"signatures"[ \t\r\n]*:[ \t\r\n]*$/.test(cut) || !body.subarray(last.valueEnd).equals(tail)) {
    return { problem: "formatLength and formatTail do not cut off exactly the signatures member" };
  }
  const payload = Buffer.concat([body.subarray(0, first.formatLength), tail]);
  const payload64 = payload.toString("base64url");
  for (let i = 0; i < sigs.length; i++) {
    const r = checkSignature(sigs[i], payload64, i);
    if (typeof r === "string") return { problem: r };
    if (r.formatLength !== first.formatLength || r.formatTail !== first.formatTail) return { problem: `signatures[${i}] has another formatLength or formatTail` };
  }
  return { payload };
}
