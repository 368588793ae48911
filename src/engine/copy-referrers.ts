/**
 * Referrers in a copy (with `referrers`): after a manifest is at the destination, the
 * manifests whose `subject` names it (signatures, SBOMs, attestations) are listed at the
 * source and copied as children of it, and theirs in turn. A listed manifest whose own
 * `subject` does not name the manifest is refused: a source's list is only a claim, the
 * referrer's bytes (verified by digest) are the proof. The walk guard refuses a list that
 * leads back to a manifest being copied.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import { parseManifest } from "../model/manifest.js";
import type { ReadableTarget } from "../targets/target.js";
import { fetchManifestBytes } from "./image.js";

/** The part of a graph walk referrers are copied through. */
export interface ReferrerWalk {
  readonly src: ReadableTarget;
  readonly signal: AbortSignal;
  /** Manifests already read and verified, by digest (a referrer read here is not read again). */
  readonly read: Map<string, Buffer>;
  copyChild(child: Descriptor, parent: Descriptor, depth: number): Promise<void>;
}

/** Reads a listed referrer and checks that its `subject` is `desc`. @throws OcidistError when it is not */
async function checkSubject(walk: ReferrerWalk, referrer: Descriptor, desc: Descriptor): Promise<void> {
  const bytes = walk.read.get(referrer.digest) ?? (await fetchManifestBytes(walk.src, referrer, walk.signal));
  const parsed = parseManifest(bytes, referrer.mediaType);
  const subject = parsed.kind === "image" ? parsed.manifest.subject : parsed.kind === "index" ? parsed.index.subject : undefined;
  if (subject?.digest !== desc.digest) {
    throw new OcidistError(`${walk.src.description} lists ${referrer.digest} as a referrer of ${desc.digest}, but its subject is ${subject?.digest ?? "absent"}`);
  }
  walk.read.set(referrer.digest, bytes);
}

/** Copies the referrers of `desc` (and theirs); returns how many `desc` has. Nothing when the source cannot list referrers. */
export async function copyReferrers(walk: ReferrerWalk, desc: Descriptor, depth: number): Promise<number> {
  if (!walk.src.referrers) return 0;
  const list = await walk.src.referrers(desc, undefined, walk.signal);
  await Promise.all(list.map((r) => checkSubject(walk, r, desc)));
  await Promise.all(list.map((r) => walk.copyChild(r, desc, depth + 1)));
  return list.length;
}
