/**
 * cosign's simple-signing payload (the "Red Hat simple signing" format cosign signs):
 * `{"critical": {"identity": {"docker-reference": …}, "image": {"docker-manifest-digest": …},
 * "type": "cosign container image signature"}, "optional": …}`.
 * @module
 */
import { OcidistError } from "../model/errors.js";
import { SIMPLE_SIGNING_TYPE } from "./format.js";

/** What a payload claims. */
export interface SimpleSigningClaim {
  /** The manifest digest signed. */
  digest: string;
  /** The reference the signer named (not compared by `--key`; a policy's `signedIdentity` compares it). */
  dockerReference: string;
  /** The `optional` annotations, as given. */
  optional?: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses a payload.
 * @throws OcidistError when it is not a cosign container image signature payload
 */
export function parseSimpleSigning(bytes: Buffer): SimpleSigningClaim {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new OcidistError("signature payload is not JSON");
  }
  const critical = isRecord(doc) ? doc.critical : undefined;
  if (!isRecord(critical) || critical.type !== SIMPLE_SIGNING_TYPE) throw new OcidistError(`signature payload is not a ${SIMPLE_SIGNING_TYPE}`);
  const image = critical.image;
  const identity = critical.identity;
  const digest = isRecord(image) ? image["docker-manifest-digest"] : undefined;
  const ref = isRecord(identity) ? identity["docker-reference"] : undefined;
  if (typeof digest !== "string" || typeof ref !== "string") throw new OcidistError("signature payload lacks critical.image.docker-manifest-digest or critical.identity.docker-reference");
  const optional = isRecord(doc) && isRecord(doc.optional) ? doc.optional : undefined;
  return { digest, dockerReference: ref, ...(optional ? { optional } : {}) };
}
