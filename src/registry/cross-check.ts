/**
 * Cross-checking a tag (3TOFU): the same tag resolved through several independent paths —
 * clients over different proxies, or the same repository on mirror registries — must give
 * one manifest digest. The library half of `--cross-check`; the CLI builds the paths.
 * @module
 */
import { OcidistError } from "../model/errors.js";
import { formatReference, type Reference } from "../model/reference.js";
import type { RegistryClient } from "./client.js";
import { headManifest } from "./manifests.js";

/** One path to a tag's digest. */
export interface CrossCheckPath {
  /** How to name the path in reports (`direct`, `via socks5://…`, `mirror host`). */
  label: string;
  client: RegistryClient;
  /** The reference to resolve over this path (a mirror's names another registry). */
  ref: Reference;
}

/** What one path answered. */
export interface CrossCheckAnswer {
  path: string;
  digest?: string;
  /** Why this path gave no digest. */
  error?: string;
}

/** The paths disagreed, or one could not answer. */
export class CrossCheckError extends OcidistError {
  override name = "CrossCheckError";
  constructor(
    message: string,
    /** Every path's answer. */
    readonly answers: CrossCheckAnswer[],
  ) {
    super(message, { errors: [{ code: "CROSS_CHECK_FAILED", message }] });
  }
}

/**
 * Resolves the tag over every path at once (a `HEAD`, which Docker Hub does not count as a
 * pull) and returns the one digest they all name, with each answer.
 * @param describe turns an error of a path into words for its answer
 * @throws CrossCheckError when they disagree or any path fails
 */
export async function crossCheckDigest(
  paths: CrossCheckPath[],
  signal?: AbortSignal,
  describe: (err: unknown) => string = (err) => (err instanceof Error ? err.message : String(err)),
): Promise<{ digest: string; answers: CrossCheckAnswer[] }> {
  const answers = await Promise.all(
    paths.map(async (p): Promise<CrossCheckAnswer> => {
      try {
        return { path: p.label, digest: (await headManifest(p.client, p.ref, signal)).descriptor.digest };
      } catch (err) {
        if (signal?.aborted) throw err;
        return { path: p.label, error: describe(err) };
      }
    }),
  );
  const name = paths[0] ? formatReference(paths[0].ref) : "nothing";
  const silent = answers.filter((a) => !a.digest);
  if (silent.length) throw new CrossCheckError(`cross-check of ${name} failed: ${silent.map((a) => a.path).join(", ")} gave no digest; nothing was read`, answers);
  const digests = new Set(answers.map((a) => a.digest!));
  if (digests.size > 1) throw new CrossCheckError(`cross-check of ${name} failed: the paths disagree (${answers.map((a) => `${a.path} says ${a.digest}`).join(", ")}); nothing was read`, answers);
  return { digest: answers[0]!.digest!, answers };
}
