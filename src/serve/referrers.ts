/**
 * `GET /v2/<name>/referrers/<digest>` (distribution-spec "Listing Referrers"): an image
 * index of the manifests whose `subject` is the digest, found as `targets/layout-referrers.ts`
 * finds them (unnamed index.json entries); `artifactType` filters, and says so in
 * `OCI-Filters-Applied`.
 * @module
 */
import { OCI_INDEX } from "../model/media-types.js";
import { readLayoutIndex } from "../targets/layout-reader.js";
import { LayoutSubjects } from "../targets/layout-referrers.js";
import { sendJson, type Ctx } from "./context.js";
import { nameUnknown } from "./errors.js";

/** The referrers list. */
export async function listReferrers(ctx: Ctx, name: string, digest: string): Promise<void> {
  if (!(await ctx.storage.exists(name))) throw nameUnknown(name);
  const fs = ctx.storage.fs(name);
  const subjects = new LayoutSubjects(fs, await readLayoutIndex(fs));
  const artifactType = ctx.url.searchParams.get("artifactType") ?? undefined;
  const manifests = await subjects.referrersOf(digest, artifactType);
  const headers: Record<string, string> = artifactType ? { "OCI-Filters-Applied": "artifactType" } : {};
  sendJson(ctx, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, headers, OCI_INDEX);
}
