/**
 * The referrers of a manifest (signatures, SBOMs, attestations) in any target: a registry's
 * referrers API or its `sha256-<hex>` fallback tag, an OCI layout's unnamed `index.json`
 * entries whose manifest has a `subject`; a docker archive holds none.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { isValidDigest } from "../model/digest.js";
import { resolveDigest } from "../engine/image.js";
import { listReferrers, type ReferrersSource } from "../registry/referrers.js";
import { RegistryTarget } from "../targets/registry.js";
import type { ReadableTarget } from "../targets/target.js";

/** What {@link referrersOf} found. */
export interface ReferrersResult {
  /** The digest whose referrers these are. */
  subject: string;
  /** Where the list came from: the referrers API, the fallback tag, a layout's index, or `none` (the location cannot hold referrers). */
  source: ReferrersSource | "layout" | "none";
  referrers: Descriptor[];
}

/** Lists the manifests whose `subject` is the manifest `ref` names (a digest is taken as is), optionally of one artifact type. */
export async function referrersOf(target: ReadableTarget, ref: string | undefined, artifactType?: string, signal?: AbortSignal): Promise<ReferrersResult> {
  const subject = ref !== undefined && isValidDigest(ref) ? ref : (await resolveDigest(target, ref, undefined, signal)).digest;
  // A registry says which of its two ways answered.
  if (target instanceof RegistryTarget) return { subject, ...(await listReferrers(target.client, target.repo, subject, artifactType, signal)) };
  if (!target.referrers) return { subject, source: "none", referrers: [] };
  return { subject, source: "layout", referrers: await target.referrers({ mediaType: "", digest: subject, size: -1 }, artifactType, signal) };
}
