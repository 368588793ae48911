/**
 * Deleting what a reference names without taking more than was asked: a tag alone where the
 * registry can untag (OCI distribution-spec 1.1, `DELETE /v2/<name>/manifests/<tag>`), else
 * the manifest by digest, which removes every tag that names it, so those tags are found
 * first and the delete is refused when it would take others too (unless forced).
 * @module
 */
import { NotFoundError, OcidistError } from "../model/errors.js";
import type { Reference } from "../model/reference.js";
import { limiter } from "../util/limit.js";
import type { RegistryClient } from "./client.js";
import { deleteManifest, headManifest } from "./manifests.js";
import { responseError } from "./errors.js";
import { scopeFor } from "./scopes.js";
import { listTags } from "./tags.js";

/** What a delete removed. */
export interface DeleteResult {
  /** `tag`: only the tag went (the manifest stays); `manifest`: the manifest and every tag naming it. */
  removed: "tag" | "manifest";
  digest: string;
  /** The tags that went with it. */
  tags: string[];
}

/** Options of {@link deleteReference}. */
export interface DeleteOptions {
  /** Delete the manifest even when tags other than the one named would go too. */
  force?: boolean;
  /** Parallel HEADs when finding the tags that share a manifest (default 8). */
  jobs?: number;
  signal?: AbortSignal;
}

/** Tries the OCI 1.1 tag deletion; false when the registry does not support it (distribution 2.x answers 400 DIGEST_INVALID). */
async function untag(client: RegistryClient, ref: Reference, tag: string, signal?: AbortSignal): Promise<boolean> {
  const res = await client.request(ref.registry, {
    method: "DELETE",
    path: `/v2/${ref.repository}/manifests/${tag}`,
    scopes: [scopeFor(ref.repository, "delete")],
    signal,
  });
  if (res.status === 202 || res.status === 200 || res.status === 204) {
    res.body.resume();
    return true;
  }
  const err = await responseError(res, "DELETE", `delete ${ref.registry}/${ref.repository}:${tag}`);
  const codes = err.errors.map((e) => e.code);
  if (res.status === 400 || res.status === 405 || codes.includes("UNSUPPORTED") || codes.includes("DIGEST_INVALID")) return false;
  throw err;
}

/** The tags of the repository whose manifest is `digest`. */
async function tagsNaming(client: RegistryClient, ref: Reference, digest: string, options: DeleteOptions): Promise<string[]> {
  const all = await listTags(client, ref, options.signal);
  const schedule = limiter(options.jobs ?? 8);
  const hits = await Promise.all(
    all.map((tag) =>
      schedule(async () => {
        try {
          const { descriptor } = await headManifest(client, { ...ref, tag, digest: undefined }, options.signal);
          return descriptor.digest === digest ? tag : undefined;
        } catch (err) {
          // A tag removed meanwhile names nothing.
          if (err instanceof NotFoundError) return undefined;
          throw err;
        }
      }),
    ),
  );
  return hits.filter((t): t is string => t !== undefined);
}

/**
 * Deletes what `ref` names. A digest reference deletes that manifest. A tag is untagged
 * alone where the registry supports it; otherwise its manifest is deleted by digest,
 * refused with the list of other tags that would go too unless `force`. A tag given with a
 * digest (`repo:tag@sha256:…`, as `--cross-check` pins it) is deleted as the tag, and only
 * while it still names that digest.
 * @throws OcidistError when other tags would go or the tag has moved, RegistryError from the registry
 */
export async function deleteReference(client: RegistryClient, ref: Reference, options: DeleteOptions = {}): Promise<DeleteResult> {
  const { signal } = options;
  const tag = ref.tag;
  if (ref.digest && !tag) {
    await deleteManifest(client, ref, ref.digest, signal);
    return { removed: "manifest", digest: ref.digest, tags: [] };
  }
  if (!tag) throw new OcidistError(`${ref.registry}/${ref.repository}: name a tag or a digest to delete`);
  const { descriptor } = await headManifest(client, { ...ref, digest: undefined }, signal);
  const digest = descriptor.digest;
  if (ref.digest && digest !== ref.digest) throw new OcidistError(`${ref.registry}/${ref.repository}:${tag} names ${digest} now, not ${ref.digest}: nothing deleted`);
  const tags = await tagsNaming(client, ref, digest, options);
  const others = tags.filter((t) => t !== tag);
  if (others.length === 0 || !(await untag(client, ref, tag, signal))) {
    if (others.length && !options.force) {
      throw new OcidistError(
        `${ref.registry}/${ref.repository}:${tag} names ${digest}, which is also tagged ${others.join(", ")}; this registry can only delete the manifest, which removes all of them: pass --force to do that, or retag first`,
      );
    }
    await deleteManifest(client, ref, digest, signal);
    return { removed: "manifest", digest, tags: tags.includes(tag) ? tags : [tag, ...tags] };
  }
  return { removed: "tag", digest, tags: [tag] };
}
