/**
 * `files --attestation BUNDLE`: a Homebrew bottle's (or any artifact's) provenance published
 * as a sigstore bundle (GitHub artifact attestations: an in-toto statement in DSSE), verified
 * keyless, whose statement must name the digest of every file the artifact's manifest lists.
 * The file may hold one bundle, JSON lines of bundles (`gh attestation download`), or the
 * GitHub API's `{"attestations": [{"bundle": …}]}`; one bundle naming each file suffices.
 * @module
 */
import type { Platform } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import { imageManifestOf, resolveImage } from "../engine/image.js";
import type { ReadableTarget } from "../targets/target.js";
import { statementNames, verifyStatementBundle } from "./in-toto.js";
import { parseBundle, type IdentityPolicy, type KeylessSigner } from "./keyless.js";
import type { KeylessTrust } from "./trusted-root.js";
import { TrustError } from "./verify-image.js";

/** What an attestation vouched for. */
export interface AttestedFiles {
  /** The digest `ref` resolved to (the index, or the manifest), to read the files from: what was attested is what is written. */
  resolved: string;
  /** The files' digests, each named by a verified statement. */
  digests: string[];
  signer: KeylessSigner;
  predicateType?: string;
}

/** The bundles a file holds. @throws TrustError when it holds none */
export function bundlesIn(text: string, what: string): unknown[] {
  const docs: unknown[] = [];
  try {
    docs.push(JSON.parse(text));
  } catch {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        docs.push(JSON.parse(line));
      } catch {
        throw new TrustError(`${what}: neither JSON nor JSON lines`);
      }
    }
  }
  const out = docs.flatMap((d) => {
    const list = (d as { attestations?: { bundle?: unknown }[] })?.attestations;
    return Array.isArray(list) ? list.map((a) => a?.bundle) : [d];
  });
  if (!out.length) throw new TrustError(`${what}: no bundle`);
  return out;
}

/**
 * Verifies that the bundles of `text` attest every layer of what `ref` names in `target`
 * (an index resolved to `platform`), before anything is written.
 * @throws TrustError naming the first file not attested, or why no bundle verified
 */
export async function verifyAttestation(target: ReadableTarget, ref: string | undefined, platform: Platform, text: string, what: string, trust: KeylessTrust, identity: IdentityPolicy, signal?: AbortSignal): Promise<AttestedFiles> {
  const resolved = await resolveImage(target, ref, platform, signal);
  const top = (resolved.index ?? resolved.manifest).descriptor.digest;
  const digests = imageManifestOf(resolved.manifest.parsed, target.description).layers.map((l) => l.digest);
  const reasons: string[] = [];
  const verified = [];
  for (const [i, doc] of bundlesIn(text, what).entries()) {
    try {
      verified.push(verifyStatementBundle(parseBundle(Buffer.from(JSON.stringify(doc))), trust, identity));
    } catch (err) {
      if (!(err instanceof OcidistError)) throw err;
      reasons.push(`bundle ${i + 1}: ${err.message}`);
    }
  }
  if (!verified.length) throw new TrustError(`${what}: no bundle verifies: ${reasons.join("; ")}`);
  for (const d of digests) if (!verified.some((v) => statementNames(v.statement, d))) throw new TrustError(`${what}: no verified statement names ${d} (the artifact's file)`);
  const first = verified.find((v) => digests.some((d) => statementNames(v.statement, d)))!;
  return { resolved: top, digests, signer: first.signer, ...(first.statement.predicateType ? { predicateType: first.statement.predicateType } : {}) };
}
