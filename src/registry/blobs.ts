/**
 * Blob reads of the distribution API: HEAD for existence, GET (following redirects to
 * other hosts without credentials) with `Range` for resumption.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { parseDigest } from "../model/digest.js";
import type { Reference } from "../model/reference.js";
import type { Readable } from "node:stream";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";
import { scopeFor } from "./scopes.js";
import { discard } from "../http/discard.js";

/** A blob body being received, from the byte offset the registry really started at (0 when it ignored the range). */
export interface BlobBody {
  body: Readable;
  offset: number;
}

/** `/v2/<name>/blobs/<digest>`, with the digest validated first (CVE-2024-3727). */
function blobPath(repository: string, digest: string): string {
  parseDigest(digest);
  return `/v2/${repository}/blobs/${digest}`;
}

/** The blob's size when the repository has it (`HEAD`: 200 with `Content-Length`), undefined on 404. */
export async function headBlob(client: RegistryClient, ref: Reference, digest: string, signal?: AbortSignal, actions: "pull" | "pull,push" = "pull"): Promise<{ size: number | undefined } | undefined> {
  const res = await client.request(ref.registry, {
    method: "HEAD",
    path: blobPath(ref.repository, digest),
    scopes: [scopeFor(ref.repository, actions)],
    signal,
  });
  res.body.resume();
  if (res.status === 200) {
    const size = Number(res.header("content-length"));
    return { size: Number.isSafeInteger(size) && size >= 0 ? size : undefined };
  }
  if (res.status === 404) return undefined;
  throw await responseError(res, "HEAD", `blob ${ref.registry}/${ref.repository}@${digest}`);
}

/** Whether the repository has the blob. */
export async function blobExists(client: RegistryClient, ref: Reference, digest: string, signal?: AbortSignal, actions: "pull" | "pull,push" = "pull"): Promise<boolean> {
  return (await headBlob(client, ref, digest, signal, actions)) !== undefined;
}

/**
 * GETs a blob from `offset` on. The registry may ignore the range (200): the result says
 * where its body really starts.
 */
export async function fetchBlob(client: RegistryClient, ref: Reference, desc: Descriptor, offset = 0, signal?: AbortSignal): Promise<BlobBody> {
  const headers: Record<string, string> = {};
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const res = await client.request(ref.registry, {
    method: "GET",
    path: blobPath(ref.repository, desc.digest),
    headers,
    scopes: [scopeFor(ref.repository, "pull")],
    signal,
  });
  if (res.status === 200) return { body: res.body, offset: 0 };
  if (res.status === 206 && offset > 0) {
    const m = /^bytes (\d+)-/.exec(res.header("content-range") ?? "");
    if (m && Number(m[1]) === offset) return { body: res.body, offset };
    discard(res.body);
    return fetchBlob(client, ref, desc, 0, signal);
  }
  if (res.status === 416 && offset > 0) {
    discard(res.body);
    return fetchBlob(client, ref, desc, 0, signal);
  }
  throw await responseError(res, "GET", `blob ${ref.registry}/${ref.repository}@${desc.digest}`);
}
