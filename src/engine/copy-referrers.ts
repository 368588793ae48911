/**
 * Referrers in a copy (with `referrers`): after a manifest is at the destination, the
 * manifests whose `subject` names it (signatures, SBOMs, attestations) are listed at the
 * source and copied as children of it, and theirs in turn. The walk guard refuses a list
 * that leads back to a manifest being copied.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import type { ReadableTarget } from "../targets/target.js";

/** The part of a graph walk referrers are copied through. */
export interface ReferrerWalk {
  readonly src: ReadableTarget;
  readonly signal: AbortSignal;
  copyChild(child: Descriptor, parent: Descriptor, depth: number): Promise<void>;
}

/** Copies the referrers of `desc` (and theirs); returns how many `desc` has. Nothing when the source cannot list referrers. */
export async function copyReferrers(walk: ReferrerWalk, desc: Descriptor, depth: number): Promise<number> {
  if (!walk.src.referrers) return 0;
  const list = await walk.src.referrers(desc, undefined, walk.signal);
  await Promise.all(list.map((r) => walk.copyChild(r, desc, depth + 1)));
  return list.length;
}
