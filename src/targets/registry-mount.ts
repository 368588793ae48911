/**
 * Cross-repository blob mounts (distribution-spec "Mounting a blob from another
 * repository"): `POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>`. A 201 means
 * the blob is now in the repository without a byte moving; a 202 means the registry declined
 * and opened an upload session instead, which is cancelled here (the blob is then pushed as
 * any other), so that the outcome is known for certain rather than inferred.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import type { Reference } from "../model/reference.js";
import type { RegistryClient } from "../registry/client.js";
import { responseError } from "../registry/errors.js";
import { scopeFor } from "../registry/scopes.js";
import { abortUpload } from "../registry/upload.js";

/** Asks the registry to mount `desc` from `fromRepository` into `repo`; true when it did. */
export async function mountBlob(client: RegistryClient, repo: Reference, desc: Descriptor, fromRepository: string, signal?: AbortSignal): Promise<boolean> {
  if (fromRepository === repo.repository) return false;
  const scopes = [scopeFor(repo.repository, "pull,push"), scopeFor(fromRepository, "pull")];
  const res = await client.request(repo.registry, {
    method: "POST",
    path: `/v2/${repo.repository}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(fromRepository)}`,
    headers: { "content-length": "0" },
    scopes,
    followRedirects: false,
    signal,
  });
  if (res.status === 201) {
    res.body.resume();
    return true;
  }
  if (res.status !== 202) throw await responseError(res, "POST", `mount ${desc.digest} from ${fromRepository} into ${repo.registry}/${repo.repository}`);
  res.body.resume();
  const location = res.header("location");
  const url = location ? new URL(location, res.url) : undefined;
  // Best effort: a session left open expires, and the push that follows opens its own.
  if (url && (url.protocol === "https:" || url.protocol === "http:")) await abortUpload(client, repo, url.toString());
  return false;
}
