/**
 * Blob uploads (distribution-spec "Pushing Blobs"): cross-repository mount, monolithic
 * POST + PUT, and chunked PATCH uploads when the registry asks for chunks
 * (`OCI-Chunk-Min-Length`) or a chunk size is set. The `Location` header is used exactly
 * as given, relative or absolute, with its query kept.
 * @module
 */
import type { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { OcidistError, UploadSessionError } from "../model/errors.js";
import { OCTET_STREAM } from "../model/media-types.js";
import type { HttpResponse } from "../http/transport.js";
import type { Reference } from "../model/reference.js";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";
import { scopeFor } from "./scopes.js";
import { discard } from "../http/discard.js";

/** Options of {@link uploadBlob}. */
export interface UploadOptions {
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
  /** Upload in chunks of this many bytes (PATCH); 0 or absent: one PUT unless the registry asks for chunks. */
  chunkSize?: number;
  signal?: AbortSignal;
}

/** How a blob reached the registry. */
export type UploadOutcome = "mounted" | "uploaded";

function uploadsPath(repository: string): string {
  return `/v2/${repository}/blobs/uploads/`;
}

/** Resolves a `Location` against the URL that returned it, keeping its query. */
function resolveLocation(res: HttpResponse, what: string): string {
  const loc = res.header("location");
  if (!loc) throw new OcidistError(`${what}: the registry answered ${res.status} without a Location`);
  const url = new URL(loc, res.url);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new OcidistError(`${what}: refusing upload location with scheme ${url.protocol}`);
  return url.toString();
}

/** Any 2xx: what the distribution clients accept where the spec names one status. */
function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Appends `digest=` to an upload location with `?` or `&`. */
function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set("digest", digest);
  return u.toString();
}

/**
 * Uploads a blob. `open()` is called once, only when bytes must really be sent (not after a
 * successful mount); it must yield exactly `desc.size` bytes hashing to `desc.digest`.
 */
export async function uploadBlob(
  client: RegistryClient,
  repo: Reference,
  desc: Descriptor,
  open: () => Promise<Readable>,
  options: UploadOptions = {},
): Promise<UploadOutcome> {
  const what = `upload ${desc.digest} to ${repo.registry}/${repo.repository}`;
  const scopes = [scopeFor(repo.repository, "pull,push")];
  if (options.mountFrom && options.mountFrom !== repo.repository) scopes.push(scopeFor(options.mountFrom, "pull"));
  const query = options.mountFrom && options.mountFrom !== repo.repository
    ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(options.mountFrom)}`
    : "";
  const start = await client.request(repo.registry, {
    method: "POST",
    path: `${uploadsPath(repo.repository)}${query}`,
    headers: { "content-length": "0" },
    scopes,
    followRedirects: false,
    signal: options.signal,
  });
  if (start.status === 201 && query) {
    start.body.resume();
    return "mounted";
  }
  if (!isSuccess(start.status)) throw await responseError(start, "POST", `${what}: start of the upload (POST, expected 202 Accepted)`);
  start.body.resume();
  let location = resolveLocation(start, what);
  const minChunk = Number(start.header("oci-chunk-min-length")) || 0;
  const chunkSize = Math.max(options.chunkSize ?? 0, minChunk);
  const body = await open();
  if (chunkSize > 0 && desc.size > chunkSize) {
    location = await patchChunks(client, repo, location, body, chunkSize, scopes, what, options.signal);
    await finish(client, repo, location, desc.digest, scopes, what, undefined, options.signal);
  } else {
    await finish(client, repo, location, desc.digest, scopes, what, { body, size: desc.size }, options.signal);
  }
  return "uploaded";
}

/** `PUT <location>?digest=…`, with the whole body (monolithic) or none (closing a chunked upload). */
async function finish(
  client: RegistryClient,
  repo: Reference,
  location: string,
  digest: string,
  scopes: string[],
  what: string,
  content: { body: Readable; size: number } | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const res = await client.request(repo.registry, {
    method: "PUT",
    path: withDigest(location, digest),
    headers: {
      "content-type": OCTET_STREAM,
      "content-length": String(content?.size ?? 0),
    },
    ...(content ? { body: () => content.body, retry: false } : {}),
    scopes,
    followRedirects: false,
    signal,
  });
  if (!isSuccess(res.status)) {
    discard(content?.body);
    throw await responseError(res, "PUT", `${what}: ${content ? "monolithic upload" : "closing the chunked upload"} (PUT, expected 201 Created)`);
  }
  res.body.resume();
}

/**
 * Sends the body in `PATCH` chunks with `Content-Range: <start>-<end>`, always to the newest
 * `Location`; after a 416 asks the upload's status (`GET`, `Range: 0-<end>`) and resumes
 * from there when those bytes are still in the chunk at hand.
 * @returns the location to close the upload at.
 */
async function patchChunks(
  client: RegistryClient,
  repo: Reference,
  location: string,
  body: Readable,
  chunkSize: number,
  scopes: string[],
  what: string,
  signal?: AbortSignal,
): Promise<string> {
  let offset = 0;
  for await (const whole of chunked(body, chunkSize)) {
    let chunk = whole;
    let start = offset;
    for (let recoveries = 0; ; recoveries++) {
      const end = start + chunk.length - 1;
      const piece = chunk;
      const res = await client.request(repo.registry, {
        method: "PATCH",
        path: location,
        headers: {
          "content-type": OCTET_STREAM,
          "content-length": String(piece.length),
          "content-range": `${start}-${end}`,
        },
        body: () => piece,
        scopes,
        followRedirects: false,
        signal,
      });
      if (res.status === 416 && recoveries < 3) {
        // The registry holds a different amount than we thought: ask where it stands and
        // resend from there, as long as those bytes are still in the chunk at hand.
        res.body.resume();
        const status = await uploadStatus(client, repo, location, scopes, what, signal, offset);
        location = status.location;
        if (status.received < offset || status.received > end + 1) {
          throw new UploadSessionError(`${what}: the registry refused the chunk at ${start} (416) and holds ${status.received} bytes; cannot resume from there`);
        }
        chunk = whole.subarray(status.received - offset);
        start = status.received;
        if (chunk.length === 0) break;
        continue;
      }
      // The spec says 202; go-containerregistry's registry answers 204. Any 2xx is a success,
      // as docker's and containerd's clients take it.
      if (!isSuccess(res.status)) throw await responseError(res, "PATCH", `${what}: chunk ${start}-${end} (PATCH, expected 202 Accepted)`);
      res.body.resume();
      location = resolveLocation(res, what);
      const received = parseRangeEnd(res.header("range"));
      if (received !== undefined && received !== end) {
        throw new UploadSessionError(`${what}: the registry acknowledged bytes up to ${received}, ${end} were sent`);
      }
      break;
    }
    offset += whole.length;
  }
  return location;
}

/**
 * `GET <location>` of an upload in progress: 204 with `Range: 0-<end>` and a fresh Location.
 * docker-registry answers `0-0` both for an empty upload and for one byte held (it never
 * sends `0--1`); `committed`, the bytes this client knows were accepted, settles it: `0-0`
 * after nothing was committed means nothing is held.
 */
async function uploadStatus(client: RegistryClient, repo: Reference, location: string, scopes: string[], what: string, signal: AbortSignal | undefined, committed: number): Promise<{ received: number; location: string }> {
  const res = await client.request(repo.registry, { method: "GET", path: location, scopes, followRedirects: false, signal });
  if (res.status !== 204 && res.status !== 200) throw await responseError(res, "GET", what);
  res.body.resume();
  const end = parseRangeEnd(res.header("range"));
  const received = end === undefined || (end === 0 && committed === 0) ? 0 : end + 1;
  return { received, location: res.header("location") ? resolveLocation(res, what) : location };
}

/** The end of a `Range` header, in either `0-N` or `bytes=0-N` form. */
function parseRangeEnd(range: string | undefined): number | undefined {
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec((range ?? "").trim());
  return m ? Number(m[2]) : undefined;
}

/** Re-slices a stream into chunks of exactly `size` bytes (the last may be shorter). */
async function* chunked(body: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    let chunk = c;
    while (have + chunk.length >= size) {
      const take = size - have;
      parts.push(chunk.subarray(0, take));
      yield Buffer.concat(parts, size);
      parts = [];
      have = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length) {
      parts.push(chunk);
      have += chunk.length;
    }
  }
  if (have) yield Buffer.concat(parts, have);
}

/** Cancels an upload session (`DELETE <location>`); failures are ignored. */
export async function abortUpload(client: RegistryClient, repo: Reference, location: string): Promise<void> {
  try {
    const res = await client.request(repo.registry, { method: "DELETE", path: location, scopes: [scopeFor(repo.repository, "pull,push")], followRedirects: false });
    res.body.resume();
  } catch {
    /* best effort */
  }
}
