/**
 * The verification options every reading-and-writing command shares (`--key`,
 * `--certificate-identity[-regexp]`, `--certificate-oidc-issuer`, `--trusted-root`,
 * `--policy`) and the gate they call before writing: {@link gateImage} resolves what the
 * location names, verifies that digest through `verifyImage`, and gives back the digest to
 * read, so that what is written is what was verified.
 * @module
 */
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { isValidDigest } from "../model/digest.js";
import { UsageError } from "../model/errors.js";
import type { SignatureRequirement } from "../trust/policy.js";
import type { ImageVerdict, TrustOptions } from "../trust/verify-image.js";
import type { ReadableTarget } from "../targets/target.js";
import type { CliContext } from "./context.js";
import { describeLocation, type Location } from "./locations.js";

/** The options of {@link addTrustOptions}, as commander gives them. */
export interface TrustCliOptions {
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  trustedRoot?: string;
  policy?: string;
}

/** Adds the verification options to a command. */
export function addTrustOptions(command: Command): Command {
  return command
    .option("--key <file>", "require a cosign signature by this PEM public key (ECDSA, RSA, Ed25519)")
    .option("--certificate-identity <id>", "require a keyless signature whose certificate names this identity")
    .option("--certificate-identity-regexp <re>", "… or an identity matching this regular expression")
    .option("--certificate-oidc-issuer <url>", "the OIDC issuer the keyless certificate must name")
    .option("--trusted-root <file>", "sigstore trusted_root.json for keyless (default: the public-good root shipped with ocidist)")
    .option("--policy <file>", "containers-policy.json: the image must satisfy it");
}

/** The keyless requirement the options ask for, or undefined. @throws UsageError for incomplete options */
export async function keylessFrom(opts: TrustCliOptions): Promise<Extract<SignatureRequirement, { type: "keyless" }> | undefined> {
  const keyless = opts.certificateIdentity !== undefined || opts.certificateIdentityRegexp !== undefined || opts.certificateOidcIssuer !== undefined;
  if (!keyless) {
    if (opts.trustedRoot !== undefined) throw new UsageError("--trusted-root is for keyless verification: add --certificate-identity and --certificate-oidc-issuer");
    return undefined;
  }
  if (opts.certificateIdentity === undefined && opts.certificateIdentityRegexp === undefined) throw new UsageError("keyless verification needs --certificate-identity or --certificate-identity-regexp");
  if (opts.certificateOidcIssuer === undefined) throw new UsageError("keyless verification needs --certificate-oidc-issuer");
  if (opts.certificateIdentityRegexp !== undefined) {
    try {
      new RegExp(opts.certificateIdentityRegexp);
    } catch {
      throw new UsageError(`--certificate-identity-regexp: not a regular expression`);
    }
  }
  const identity = { ...(opts.certificateIdentity !== undefined ? { identity: opts.certificateIdentity } : {}), ...(opts.certificateIdentityRegexp !== undefined ? { identityRegexp: opts.certificateIdentityRegexp } : {}), issuer: opts.certificateOidcIssuer };
  // sigstore-js loads only when verification is asked for.
  const { loadTrustedRoot } = await import("../trust/trusted-root.js");
  return { type: "keyless", trust: await loadTrustedRoot(opts.trustedRoot), identity, what: "the keyless identity" };
}

/**
 * The verification the options ask for, or undefined when they ask for none. With
 * `keylessElsewhere` (files --attestation) the keyless options are left to the caller.
 * @throws UsageError for incomplete options
 */
export async function trustOptionsFrom(opts: TrustCliOptions, keylessElsewhere = false): Promise<TrustOptions | undefined> {
  if ([opts.key, opts.certificateIdentity, opts.certificateIdentityRegexp, opts.certificateOidcIssuer, opts.trustedRoot, opts.policy].every((o) => o === undefined)) return undefined;
  const [{ loadPolicy }, { parsePublicKey }, { hasTrustOptions }] = await Promise.all([import("../trust/policy.js"), import("../trust/public-key.js"), import("../trust/verify-image.js")]);
  const requirements: SignatureRequirement[] = [];
  if (opts.key) {
    let pem: string;
    try {
      pem = await readFile(opts.key, "utf8");
    } catch {
      throw new UsageError(`--key ${opts.key} cannot be read`);
    }
    requirements.push({ type: "key", keys: [parsePublicKey(pem, `--key ${opts.key}`)], what: `--key ${opts.key}` });
  }
  const keyless = keylessElsewhere ? undefined : await keylessFrom(opts);
  if (keyless) requirements.push(keyless);
  const policy = opts.policy !== undefined ? await loadPolicy(opts.policy) : undefined;
  const options = { requirements, ...(policy ? { policy } : {}) };
  return hasTrustOptions(options) ? options : undefined;
}

/** containers-image's transport name of a location. */
function transportOf(loc: Location): string {
  return loc.kind === "registry" ? "docker" : loc.kind;
}

/** A gate passed: the digest to read from now on, and the verdict. */
export interface GatePassed {
  digest: string;
  verdict: ImageVerdict;
}

/**
 * Verifies what `ref` names in `target` (its top manifest or index, as signed) and tells so
 * on stderr. Every writing command calls this before it writes.
 * @throws TrustError when the image is not accepted
 */
export async function gateImage(ctx: CliContext, target: ReadableTarget, ref: string | undefined, loc: Location, trust: TrustOptions, announce = true): Promise<GatePassed> {
  const digest = ref !== undefined && isValidDigest(ref) ? ref : (await target.resolve(ref, ctx.signal)).digest;
  const name = describeLocation(loc);
  const { verifyImage } = await import("../trust/verify-image.js");
  const verdict = await verifyImage(target, digest, { transport: transportOf(loc), ...(loc.reference ? { reference: loc.reference } : {}), name }, trust, ctx.signal);
  if (announce && ctx.progress !== "none") ctx.info(describeVerdict(name, verdict));
  return { digest, verdict };
}

/** One line saying why an image was accepted. */
export function describeVerdict(name: string, v: ImageVerdict): string {
  const scope = v.scope ? ` (policy ${v.scope})` : "";
  if (v.unsigned) return `ocidist: ${name} ${v.digest}: accepted without a signature${scope}`;
  const by = v.matches.map((m) => `${m.kind === "cosign" ? "signature" : "bundle"} ${m.layer} by ${m.signer}${m.issuer ? ` (${m.issuer})` : ""}`).join(", ");
  return `ocidist: ${name} ${v.digest}: verified: ${by}${scope}`;
}
