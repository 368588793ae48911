/**
 * The one gate of trust: {@link verifyImage} decides whether the manifest a digest names is
 * acceptable, from the requirements of `--key` / keyless options and of a `--policy`, before
 * anything of it is written. Every writing command and `verify` go through it.
 * @module
 */
import { OcidistError } from "../model/errors.js";
import type { Reference } from "../model/reference.js";
import type { ReadableTarget } from "../targets/target.js";
import { requirementsFor, type Policy, type PolicyRequirement, type SignatureRequirement } from "./policy.js";
import { checkRequirement, signatureCandidates, type SignatureMatch } from "./signature-check.js";

/** What the image must satisfy: every requirement of the options, and the policy's for its scope. */
export interface TrustOptions {
  requirements: SignatureRequirement[];
  policy?: Policy;
}

/** The image being judged: its location's transport and, for a registry, its reference. */
export interface ImageIdentity {
  /** containers-image's transport name: `docker`, `oci`, `oci-archive`, `docker-archive`. */
  transport: string;
  /** The reference read (with its tag or digest), for a registry. */
  reference?: Reference;
  /** How to name it in messages. */
  name: string;
}

/** An accepted image. */
export interface ImageVerdict {
  digest: string;
  /** The policy scope that applied, when a policy did. */
  scope?: string;
  /** The signature that satisfied each signature requirement. */
  matches: SignatureMatch[];
  /** Whether the policy accepted it without a signature (`insecureAcceptAnything`). */
  unsigned: boolean;
}

/** An image refused: no valid signature, or the policy rejects it. Nothing is written. */
export class TrustError extends OcidistError {
  override name = "TrustError";
}

/** Whether there is anything to verify. */
export function hasTrustOptions(options: TrustOptions | undefined): options is TrustOptions {
  return options !== undefined && (options.requirements.length > 0 || options.policy !== undefined);
}

/**
 * Verifies the manifest `digest` of `target` against `options`, or throws.
 * @throws TrustError naming why, one line
 */
export async function verifyImage(target: ReadableTarget, digest: string, image: ImageIdentity, options: TrustOptions, signal?: AbortSignal): Promise<ImageVerdict> {
  let scope: string | undefined;
  const all: PolicyRequirement[] = options.requirements.map((requirement) => ({ type: "signature", requirement }));
  if (options.policy) {
    const found = requirementsFor(options.policy, image.transport, image.reference);
    scope = found.scope;
    all.push(...found.requirements);
  }
  const refuse = (why: string) => new TrustError(`${image.name} (${digest}) is not trusted: ${why}`);
  let candidates: Awaited<ReturnType<typeof signatureCandidates>> | undefined;
  const matches: SignatureMatch[] = [];
  for (const req of all) {
    if (req.type === "reject") throw refuse(`the policy rejects it (${scope ?? "default"})`);
    if (req.type === "unsupported") throw refuse(`the policy requires ${req.what}, which ocidist does not verify (${scope ?? "default"})`);
    if (req.type === "insecureAcceptAnything") continue;
    candidates ??= await signatureCandidates(target, digest, signal);
    if (!candidates.length) throw refuse("no signatures found");
    const outcome = await checkRequirement(target, candidates, digest, req.requirement, image.reference);
    if (!outcome.match) throw refuse(`no signature satisfies ${req.requirement.what}: ${outcome.reasons.join("; ")}`);
    matches.push(outcome.match);
  }
  return { digest, ...(scope ? { scope } : {}), matches, unsigned: matches.length === 0 };
}
