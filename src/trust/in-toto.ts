/**
 * In-toto statements in sigstore bundles (DSSE, `application/vnd.in-toto+json`): GitHub's
 * artifact attestations, npm provenance, cosign's bundle referrers. The bundle is verified
 * keyless, then the statement's `subject` digests are what the caller compares.
 * @module
 */
import type { Bundle } from "@sigstore/bundle";
import { parseDigest } from "../model/digest.js";
import { KeylessError, verifyBundle, type IdentityPolicy, type KeylessSigner } from "./keyless.js";
import type { KeylessTrust } from "./trusted-root.js";

/** The payload type of an in-toto statement in a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** An in-toto statement, the fields read. */
export interface Statement {
  _type?: string;
  predicateType?: string;
  subject: { name?: string; digest: Record<string, string> }[];
}

/** Verifies a DSSE bundle keyless and returns its in-toto statement. @throws KeylessError */
export function verifyStatementBundle(bundle: Bundle, trust: KeylessTrust, policy: IdentityPolicy): { signer: KeylessSigner; statement: Statement } {
  if (bundle.content.$case !== "dsseEnvelope") throw new KeylessError("the bundle holds no DSSE envelope (no in-toto statement)");
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new KeylessError(`the bundle's payload is ${envelope.payloadType}, not an in-toto statement`);
  const signer = verifyBundle(bundle, undefined, trust, policy);
  let statement: Statement;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString("utf8")) as Statement;
  } catch {
    throw new KeylessError("the bundle's in-toto statement is not JSON");
  }
  if (!Array.isArray(statement.subject)) throw new KeylessError("the in-toto statement has no subject");
  return { signer, statement };
}

/** Whether a statement's subjects include `digest` (`sha256:<hex>`). */
export function statementNames(statement: Statement, digest: string): boolean {
  const { algorithm, encoded } = parseDigest(digest);
  return statement.subject.some((s) => typeof s?.digest === "object" && s.digest !== null && s.digest[algorithm] === encoded);
}
