/**
 * The trust material of keyless verification: a sigstore `trusted_root.json` (Fulcio CAs,
 * Rekor and CT log keys) from `--trusted-root FILE`, by default the public-good root that
 * `@sigstore/tuf` ships in its TUF seeds (so verification works offline); or, for a policy's
 * `fulcio` requirement, a CA file and a Rekor public key.
 * @module
 */
import { createHash, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { X509Certificate } from "@sigstore/core";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toTrustMaterial, type TrustMaterial } from "@sigstore/verify";
import { UsageError } from "../model/errors.js";

/** Trust material and how many CT log timestamps (SCTs) a certificate must carry. */
export interface KeylessTrust {
  material: TrustMaterial;
  /** 1 with a full trusted root; 0 for a policy's `fulcio` (containers-image checks none). */
  ctlogThreshold: number;
}

const FAR_PAST = new Date(0);
const FAR_FUTURE = new Date(8_640_000_000_000_000);

/** Makes trust material from a parsed `trusted_root.json`. @throws UsageError when it is not one */
export function trustFromRoot(doc: unknown, what: string): KeylessTrust {
  try {
    const root = TrustedRoot.fromJSON(doc);
    if (!root.certificateAuthorities.length || !root.tlogs.length) throw new Error("no certificate authority or transparency log");
    return { material: toTrustMaterial(root), ctlogThreshold: root.ctlogs.length ? 1 : 0 };
  } catch (err) {
    throw new UsageError(`${what}: not a sigstore trusted root (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The public-good trusted root shipped in `@sigstore/tuf`'s seeds. */
async function shippedRoot(): Promise<unknown> {
  const seeds = JSON.parse(await readFile(createRequire(import.meta.url).resolve("@sigstore/tuf/seeds.json"), "utf8")) as Record<string, { targets?: Record<string, string> }>;
  const encoded = seeds["https://tuf-repo-cdn.sigstore.dev"]?.targets?.["trusted_root.json"];
  if (!encoded) throw new UsageError("the shipped sigstore trusted root is missing; pass --trusted-root FILE");
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
}

/** Loads `--trusted-root FILE`, or the shipped public-good root when none is given. */
export async function loadTrustedRoot(path?: string): Promise<KeylessTrust> {
  if (!path) return trustFromRoot(await shippedRoot(), "shipped trusted root");
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--trusted-root ${path}: ${err instanceof SyntaxError ? "not JSON" : "cannot be read"}`);
  }
  return trustFromRoot(doc, path);
}

/** Splits a PEM bundle into its certificates. */
function pemCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new UsageError(`${what}: no PEM certificate`);
  return blocks.map((b) => X509Certificate.parse(b));
}

/**
 * Trust material for a policy's `fulcio` requirement: the CA certificates of `caPem`
 * (each a trust anchor with the rest as its chain) and one Rekor key. containers-policy.json
 * names no CT log, so none is required; an SCT a certificate embeds must still verify, against
 * the CT logs of `ctlogsFrom` (the shipped public-good root's, which public Fulcio uses).
 */
export function trustFromFulcio(caPem: string, rekorKey: KeyObject, what: string, ctlogsFrom?: KeylessTrust): KeylessTrust {
  const certs = pemCertificates(caPem, what);
  const spki = rekorKey.export({ format: "der", type: "spki" });
  const material: TrustMaterial = {
    certificateAuthorities: certs.map((_, i) => ({ certChain: certs.slice(i), validFor: { start: FAR_PAST, end: FAR_FUTURE } })),
    timestampAuthorities: [],
    tlogs: [{ logID: createHash("sha256").update(spki).digest(), baseURL: "", publicKey: rekorKey, validFor: { start: FAR_PAST, end: FAR_FUTURE } }],
    ctlogs: ctlogsFrom?.material.ctlogs ?? [],
    publicKey: () => {
      throw new UsageError("a keyless policy has no public keys");
    },
  };
  return { material, ctlogThreshold: 0 };
}
