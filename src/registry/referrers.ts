/**
 * Referrers (distribution-spec v1.1 "Listing Referrers"): the API, and the tag schema
 * fallback `<alg>-<hex>` for registries without it.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { parseDigest } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES } from "../model/limits.js";
import { parseManifest } from "../model/manifest.js";
import { OCI_INDEX } from "../model/media-types.js";
import type { Reference } from "../model/reference.js";
import { readAll } from "../util/stream.js";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";
import { getManifest, putManifest } from "./manifests.js";
import { scopeFor } from "./scopes.js";

/** The referrers fallback tag for a digest: `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}`;
}

/** Where a referrers list came from. */
export type ReferrersSource = "api" | "tag";

/**
 * Lists the manifests whose `subject` is `digest`, optionally only those of one artifact
 * type (filtered here unless the registry says it filtered: `OCI-Filters-Applied`).
 */
export async function listReferrers(
  client: RegistryClient,
  repo: Reference,
  digest: string,
  artifactType?: string,
  signal?: AbortSignal,
): Promise<{ referrers: Descriptor[]; source: ReferrersSource }> {
  parseDigest(digest);
  const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
  const res = await client.request(repo.registry, {
    method: "GET",
    path: `/v2/${repo.repository}/referrers/${digest}${query}`,
    headers: { accept: OCI_INDEX },
    scopes: [scopeFor(repo.repository, "pull")],
    signal,
  });
  let list: Descriptor[];
  let filtered = false;
  let source: ReferrersSource = "api";
  if (res.status === 200) {
    const bytes = await readAll(res.body, MAX_MANIFEST_BYTES, "referrers index");
    const parsed = parseManifest(bytes, OCI_INDEX);
    if (parsed.kind !== "index") throw new OcidistError(`referrers of ${digest}: the registry did not answer with an index`);
    list = parsed.index.manifests;
    filtered = (res.header("oci-filters-applied") ?? "").split(",").map((s) => s.trim()).includes("artifactType");
  } else if (res.status === 404) {
    res.body.resume();
    source = "tag";
    list = await referrersFromTag(client, repo, digest, signal);
  } else {
    throw await responseError(res, "GET", `referrers of ${repo.registry}/${repo.repository}@${digest}`);
  }
  if (artifactType && !filtered) list = list.filter((d) => d.artifactType === artifactType);
  return { referrers: list, source };
}

/** Reads the fallback tag's index; a missing tag means no referrers. */
async function referrersFromTag(client: RegistryClient, repo: Reference, digest: string, signal?: AbortSignal): Promise<Descriptor[]> {
  try {
    const got = await getManifest(client, { registry: repo.registry, repository: repo.repository, tag: referrersTag(digest) }, signal);
    if (got.parsed.kind !== "index") return [];
    return got.parsed.index.manifests;
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
}

/**
 * The descriptor a referrers list holds for a manifest (distribution-spec "Listing
 * Referrers"): `artifactType` is the manifest's, else its config's media type; its
 * annotations are carried over.
 */
export function referrerDescriptor(desc: Descriptor, bytes: Buffer): Descriptor | undefined {
  const parsed = parseManifest(bytes, desc.mediaType);
  if (parsed.kind === "schema1") return undefined;
  const doc = parsed.kind === "index" ? parsed.index : parsed.manifest;
  if (!doc.subject) return undefined;
  const artifactType = doc.artifactType ?? (parsed.kind === "image" ? parsed.manifest.config.mediaType : undefined);
  return {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    ...(artifactType ? { artifactType } : {}),
    ...(doc.annotations ? { annotations: doc.annotations } : {}),
  };
}

/**
 * Adds a referrer to the fallback tag of its subject, for registries without the referrers
 * API (distribution-spec "Pushing Manifests with Subject"): read the index there (none →
 * empty), add the descriptor unless present, push it back.
 */
export async function addToReferrersTag(client: RegistryClient, repo: Reference, subject: string, referrer: Descriptor, signal?: AbortSignal): Promise<void> {
  const existing = await referrersFromTag(client, repo, subject, signal);
  if (existing.some((d) => d.digest === referrer.digest)) return;
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...existing, referrer] };
  const bytes = Buffer.from(JSON.stringify(index));
  await putManifest(client, { registry: repo.registry, repository: repo.repository, tag: referrersTag(subject) }, bytes, OCI_INDEX, signal);
}
