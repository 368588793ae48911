/**
 * `GET`/`HEAD`/`PUT`/`DELETE /v2/<name>/manifests/<reference>` (distribution-spec "Pulling
 * manifests", "Pushing manifests", "Deleting manifests"). A pushed manifest is checked as
 * the client checks what it reads (size cap, media type against content, CVE-2021-41190),
 * every blob and child manifest it names must be in the repository, and it is stored as a
 * blob before index.json names it (tag, or an unnamed referrer entry).
 * @module
 */
import { ANNOTATION_REF_NAME, type Descriptor } from "../model/descriptor.js";
import { digestOf, parseDigest } from "../model/digest.js";
import { OcidistError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES } from "../model/limits.js";
import { childDescriptors, parseManifest, type ParsedManifest } from "../model/manifest.js";
import { baseMediaType, isManifestMediaType } from "../model/media-types.js";
import { referrerDescriptor } from "../registry/referrers.js";
import { checkWritable, readBody, sendEmpty, v2Path, type Ctx } from "./context.js";
import { manifestUnknown, nameUnknown, ServeError } from "./errors.js";
import { referencedDigests } from "./graph.js";
import { parseManifestRef, type ManifestRef } from "./names.js";
import type { Storage } from "./storage.js";

const tagOf = (d: Descriptor) => d.annotations?.[ANNOTATION_REF_NAME];

/** The digest a reference names in the repository, or undefined. */
async function resolveRef(storage: Storage, name: string, ref: ManifestRef): Promise<string | undefined> {
  if ("digest" in ref) return ref.digest;
  const entries = await storage.entries(name);
  return entries.find((e) => tagOf(e) === ref.tag)?.digest;
}

/** GET or HEAD of a manifest: the stored bytes, `Content-Type` their media type, `Docker-Content-Digest`. */
export async function getManifest(ctx: Ctx, name: string, refText: string): Promise<void> {
  const ref = parseManifestRef(refText);
  if (!(await ctx.storage.exists(name))) throw nameUnknown(name);
  const digest = await resolveRef(ctx.storage, name, ref);
  const bytes = digest ? await ctx.storage.readBlob(name, digest, MAX_MANIFEST_BYTES) : undefined;
  if (!digest || !bytes) throw manifestUnknown(refText);
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes);
  } catch {
    // A blob that is no manifest (a layer asked for as a manifest).
    throw manifestUnknown(refText);
  }
  ctx.res.writeHead(200, { "Content-Type": parsed.mediaType, "Content-Length": bytes.length, "Docker-Content-Digest": digest, ETag: `"${digest}"` });
  ctx.res.end(ctx.head ? undefined : bytes);
}

/** Every blob and child manifest `parsed` names must be in the repository. @throws ServeError 400 MANIFEST_BLOB_UNKNOWN */
async function checkChildren(storage: Storage, name: string, parsed: ParsedManifest): Promise<void> {
  if (parsed.kind === "schema1") throw new ServeError(400, "MANIFEST_INVALID", "schema 1 manifests are not accepted; push an OCI or Docker schema 2 manifest");
  for (const d of childDescriptors(parsed)) {
    // Foreign layers live elsewhere (their urls); docker-registry does not require them either.
    if (d.urls?.length) continue;
    const size = await storage.blobSize(name, d.digest);
    if (size === undefined) throw new ServeError(400, "MANIFEST_BLOB_UNKNOWN", `blob unknown to registry: ${d.digest}`, {}, { digest: d.digest });
    if (size !== d.size) throw new ServeError(400, "SIZE_INVALID", `${d.digest} holds ${size} bytes, the manifest says ${d.size}`, {}, { digest: d.digest });
  }
}

/** PUT of a manifest. */
export async function putManifest(ctx: Ctx, name: string, refText: string): Promise<void> {
  checkWritable(ctx);
  const ref = parseManifestRef(refText);
  const bytes = await readBody(ctx, MAX_MANIFEST_BYTES, "manifest");
  const contentType = baseMediaType(ctx.req.headers["content-type"]);
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes, isManifestMediaType(contentType) ? contentType : undefined);
  } catch (err) {
    throw new ServeError(400, "MANIFEST_INVALID", `manifest invalid: ${(err as OcidistError).message}`);
  }
  const digest = "digest" in ref ? digestOf(bytes, parseDigest(ref.digest).algorithm) : digestOf(bytes);
  if ("digest" in ref && digest !== ref.digest) throw new ServeError(400, "DIGEST_INVALID", `the manifest hashes to ${digest}, not the digest in the URL`, {}, { digest: ref.digest });
  await checkChildren(ctx.storage, name, parsed);
  const desc: Descriptor = { mediaType: parsed.mediaType, digest, size: bytes.length };
  const subject = parsed.kind === "index" ? parsed.index.subject : parsed.kind === "image" ? parsed.manifest.subject : undefined;
  await ctx.storage.placeBlobBytes(name, digest, bytes);
  const referrer = subject ? referrerDescriptor(desc, bytes) : undefined;
  if ("tag" in ref || referrer) {
    await ctx.storage.updateIndex(name, async (entries) => {
      let next = [...entries];
      if ("tag" in ref) {
        next = next.filter((e) => tagOf(e) !== ref.tag);
        next.push({ ...desc, annotations: { [ANNOTATION_REF_NAME]: ref.tag } });
      }
      if (referrer && !next.some((e) => e.digest === digest && !tagOf(e))) next.push(referrer);
      return { entries: next, result: undefined };
    });
  }
  sendEmpty(ctx, 201, {
    Location: v2Path(name, `manifests/${digest}`),
    "Docker-Content-Digest": digest,
    ...(subject ? { "OCI-Subject": subject.digest } : {}),
  });
}

/**
 * DELETE of a manifest: by digest, every index.json entry naming it goes, and its blob
 * unless a remaining manifest still names it; by tag, only the tag.
 */
export async function deleteManifest(ctx: Ctx, name: string, refText: string): Promise<void> {
  checkWritable(ctx);
  const ref = parseManifestRef(refText);
  if (!(await ctx.storage.exists(name))) throw nameUnknown(name);
  await ctx.storage.updateIndex(name, async (entries) => {
    if ("tag" in ref) {
      if (!entries.some((e) => tagOf(e) === ref.tag)) throw manifestUnknown(refText);
      return { entries: entries.filter((e) => tagOf(e) !== ref.tag), result: undefined };
    }
    const next = entries.filter((e) => e.digest !== ref.digest);
    const bytes = await ctx.storage.readBlob(name, ref.digest, MAX_MANIFEST_BYTES);
    if (!bytes || !isManifestBytes(bytes)) throw manifestUnknown(refText);
    if (!(await referencedDigests(ctx.storage, name, next)).has(ref.digest)) await ctx.storage.removeBlob(name, ref.digest);
    return { entries: next.length === entries.length ? undefined : next, result: undefined };
  });
  sendEmpty(ctx, 202);
}

function isManifestBytes(bytes: Buffer): boolean {
  try {
    parseManifest(bytes);
    return true;
  } catch {
    return false;
  }
}
