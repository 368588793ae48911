/**
 * Manifest operations of the distribution API: GET and HEAD with every manifest type in
 * `Accept`, size-capped and verified reads, PUT and DELETE.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { digestOf, parseDigest } from "../model/digest.js";
import { manifestDigest, verifyManifest } from "../model/manifest-digest.js";
import { DigestMismatchError, OcidistError, UsageError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES } from "../model/limits.js";
import { parseManifest, type ParsedManifest } from "../model/manifest.js";
import { DOCKER_SCHEMA1_SIGNED, MANIFEST_ACCEPT, baseMediaType } from "../model/media-types.js";
import { formatReference, type Reference } from "../model/reference.js";
import { readAll } from "../util/stream.js";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";
import { scopeFor } from "./scopes.js";
import { discard } from "../http/discard.js";

/** A manifest as served: its descriptor, exact bytes, and parsed form. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
  /** Response headers of interest (rate-limit headers on Docker Hub, for instance). */
  headers: Record<string, string | string[] | undefined>;
}

/** The manifest path component for a reference: its digest when it has one, else its tag. */
function manifestRef(ref: Reference): string {
  const r = ref.digest ?? ref.tag;
  if (!r) throw new UsageError(`${formatReference(ref)}: a tag or digest is needed`);
  return r;
}

/** `/v2/<name>/manifests/<reference>` */
function manifestPath(ref: Reference, target = manifestRef(ref)): string {
  return `/v2/${ref.repository}/manifests/${target}`;
}

/**
 * GETs a manifest, reading at most 4 MiB, and verifies it: against the reference's digest
 * when it has one, else against `Docker-Content-Digest` when the registry sent it (in the
 * header's algorithm). The descriptor's digest is always the sha256 of the bytes.
 * @throws NotFoundError (MANIFEST_UNKNOWN), DigestMismatchError, InvalidManifestError
 */
export async function getManifest(client: RegistryClient, ref: Reference, signal?: AbortSignal): Promise<FetchedManifest> {
  const res = await client.request(ref.registry, {
    method: "GET",
    path: manifestPath(ref),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [scopeFor(ref.repository, "pull")],
    signal,
  });
  const what = `manifest ${formatReference(ref)}`;
  if (res.status !== 200) throw await responseError(res, "GET", what);
  const declared = Number(res.header("content-length"));
  if (Number.isFinite(declared) && declared > MAX_MANIFEST_BYTES) {
    discard(res.body);
    throw new OcidistError(`${what}: ${declared} bytes is over the ${MAX_MANIFEST_BYTES}-byte manifest limit`);
  }
  const bytes = await readAll(res.body, MAX_MANIFEST_BYTES, what);
  const contentType = res.header("content-type");
  const parsed = parseManifest(bytes, contentType);
  const expected = ref.digest ?? res.header("docker-content-digest");
  if (expected) {
    try {
      verifyManifest(bytes, expected, parsed.mediaType);
    } catch (err) {
      if (err instanceof DigestMismatchError) err.message = `${what}: ${err.message}${ref.digest ? "" : " (Docker-Content-Digest)"}`;
      throw err;
    }
  }
  const sha = ref.digest && parseDigest(ref.digest).algorithm === "sha256" ? ref.digest : manifestDigest(bytes, parsed.mediaType);
  return { descriptor: { mediaType: parsed.mediaType, digest: sha, size: bytes.length }, bytes, parsed, headers: res.headers };
}

/**
 * HEADs a manifest: its descriptor from `Docker-Content-Digest`, `Content-Length` and
 * `Content-Type`. Falls back to a GET when the registry leaves any of them out, and for
 * signed schema 1 (whose canonical digest is over the payload, which a HEAD does not show).
 */
export async function headManifest(
  client: RegistryClient,
  ref: Reference,
  signal?: AbortSignal,
  actions: "pull" | "pull,push" = "pull",
): Promise<{ descriptor: Descriptor; headers: FetchedManifest["headers"] }> {
  const res = await client.request(ref.registry, {
    method: "HEAD",
    path: manifestPath(ref),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [scopeFor(ref.repository, actions)],
    signal,
  });
  const what = `manifest ${formatReference(ref)}`;
  if (res.status !== 200) throw await responseError(res, "HEAD", what);
  res.body.resume();
  const digest = res.header("docker-content-digest");
  const size = Number(res.header("content-length"));
  const mediaType = baseMediaType(res.header("content-type"));
  // Signed schema 1: the header may be the whole-body digest; the canonical one needs the bytes.
  if (!digest || !Number.isSafeInteger(size) || !mediaType || (ref.digest && digest !== ref.digest) || mediaType === DOCKER_SCHEMA1_SIGNED) {
    const got = await getManifest(client, ref, signal);
    return { descriptor: got.descriptor, headers: got.headers };
  }
  parseDigest(digest);
  return { descriptor: { mediaType, digest, size }, headers: res.headers };
}

/**
 * PUTs manifest bytes under a tag or digest with `Content-Type` = its media type, and checks
 * the `Docker-Content-Digest` the registry answers.
 *
 * A signed schema 1 manifest has two digests of the same bytes: the canonical one over its
 * JWS payload (what docker and distribution compute, and what ocidist reports and promises
 * to keep), and the hash of the whole signed body (what some registries compute instead).
 * Either answer is accepted; a registry that refuses the payload digest as the PUT's
 * reference is asked again under the whole-body digest.
 * @returns the descriptor of what was stored (its digest the canonical one).
 */
export async function putManifest(
  client: RegistryClient,
  ref: Reference,
  bytes: Buffer,
  mediaType: string,
  signal?: AbortSignal,
): Promise<{ descriptor: Descriptor; subjectProcessed: boolean }> {
  const digest = manifestDigest(bytes, mediaType);
  const whole = digestOf(bytes);
  const accepted = new Set([digest, whole]);
  const byTag = ref.tag && !ref.digest;
  let target = byTag ? ref.tag! : digest;
  let res = await sendManifest(client, ref, target, bytes, mediaType, signal);
  if (res.status === 400 && !byTag && whole !== digest) {
    res.body.resume();
    target = whole;
    res = await sendManifest(client, ref, target, bytes, mediaType, signal);
  }
  const what = `push manifest ${ref.registry}/${ref.repository}:${target}`;
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) throw await responseError(res, "PUT", what);
  res.body.resume();
  const answered = res.header("docker-content-digest");
  if (answered && !accepted.has(answered) && answered.startsWith("sha256:")) {
    throw new DigestMismatchError(`${what}: the registry stored ${answered}, ocidist sent ${digest}`, digest, answered);
  }
  return { descriptor: { mediaType, digest, size: bytes.length }, subjectProcessed: res.header("oci-subject") !== undefined };
}

function sendManifest(client: RegistryClient, ref: Reference, target: string, bytes: Buffer, mediaType: string, signal?: AbortSignal) {
  return client.request(ref.registry, {
    method: "PUT",
    path: manifestPath(ref, target),
    headers: { "content-type": mediaType },
    body: () => bytes,
    scopes: [scopeFor(ref.repository, "pull,push")],
    signal,
  });
}

/** DELETEs a manifest by digest (distribution-spec "Deleting Manifests"). */
export async function deleteManifest(client: RegistryClient, ref: Reference, digest: string, signal?: AbortSignal): Promise<void> {
  parseDigest(digest);
  const res = await client.request(ref.registry, {
    method: "DELETE",
    path: manifestPath(ref, digest),
    scopes: [scopeFor(ref.repository, "delete")],
    signal,
  });
  if (res.status === 202 || res.status === 200 || res.status === 204) {
    res.body.resume();
    return;
  }
  const err = await responseError(res, "DELETE", `delete ${ref.registry}/${ref.repository}@${digest}`);
  if (res.status === 405) err.message = `${err.message}: the registry has deletion disabled`;
  throw err;
}
