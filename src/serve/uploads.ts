/**
 * Blob uploads (distribution-spec "Pushing blobs"): `POST` opens a session (or, with
 * `digest`, uploads whole; with `mount`/`from`, links a blob of another repository), `PATCH`
 * appends a chunk (in order, `Content-Range` checked) or a stream, `PUT ?digest=` closes it,
 * `GET` reports it, `DELETE` cancels it. A blob enters the layout only once its bytes hash
 * to the digest the client named; otherwise nothing is stored.
 * @module
 */
import { rm } from "node:fs/promises";
import { parseDigest } from "../model/digest.js";
import { checkWritable, sendEmpty, v2Path, type Ctx } from "./context.js";
import { digestInvalid, ServeError } from "./errors.js";
import { checkDigest, checkName } from "./names.js";
import { rangeHeaders, type Session } from "./sessions.js";

function sessionHeaders(name: string, s: Session): Record<string, string | number> {
  return { Location: v2Path(name, `blobs/uploads/${s.id}`), "Docker-Upload-UUID": s.id, ...rangeHeaders(s) };
}

function created(ctx: Ctx, name: string, digest: string): void {
  sendEmpty(ctx, 201, { Location: v2Path(name, `blobs/${digest}`), "Docker-Content-Digest": digest });
}

/** True when the request carries a body. */
function hasBody(ctx: Ctx): boolean {
  const len = ctx.req.headers["content-length"];
  return (len !== undefined && Number(len) > 0) || ctx.req.headers["transfer-encoding"] !== undefined;
}

/** `POST /v2/<name>/blobs/uploads/`. */
export async function startUpload(ctx: Ctx, name: string): Promise<void> {
  checkWritable(ctx);
  const q = ctx.url.searchParams;
  const mount = q.get("mount");
  if (mount !== null) {
    const digest = checkDigest(mount);
    const from = q.get("from");
    if (from !== null && from !== name) {
      checkName(from);
      if (await ctx.storage.mountBlob(from, name, digest)) return created(ctx, name, digest);
    } else if ((await ctx.storage.blobSize(name, digest)) !== undefined) {
      return created(ctx, name, digest);
    }
  }
  const digestParam = q.get("digest");
  const session = await ctx.sessions.create(name);
  if (digestParam !== null && mount === null) {
    const digest = checkDigestOrDrop(ctx, session, digestParam);
    await ctx.sessions.append(session, ctx.req).catch(async (err: unknown) => {
      await ctx.sessions.drop(session);
      throw err;
    });
    await finish(ctx, name, session, digest);
    return;
  }
  sendEmpty(ctx, 202, { ...sessionHeaders(name, session), "OCI-Chunk-Min-Length": 0 });
}

function checkDigestOrDrop(ctx: Ctx, s: Session, text: string): string {
  try {
    return checkDigest(text);
  } catch (err) {
    void ctx.sessions.drop(s);
    throw err;
  }
}

/** Parses `Content-Range: <start>-<end>` (with or without `bytes `). */
function contentRange(header: string | undefined): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) throw new ServeError(400, "BLOB_UPLOAD_INVALID", `malformed Content-Range ${JSON.stringify(header.slice(0, 100))}`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** `PATCH /v2/<name>/blobs/uploads/<id>`: a chunk (with `Content-Range`) or a stream. */
export async function patchUpload(ctx: Ctx, name: string, id: string): Promise<void> {
  checkWritable(ctx);
  const s = ctx.sessions.get(name, id);
  const range = contentRange(ctx.req.headers["content-range"]);
  if (range) {
    if (range.start !== s.offset || range.end < range.start) {
      throw new ServeError(416, "BLOB_UPLOAD_INVALID", `chunk ${range.start}-${range.end} does not follow the ${s.offset} bytes held`, sessionHeaders(name, s) as Record<string, string>);
    }
    const len = ctx.req.headers["content-length"];
    if (len !== undefined && Number(len) !== range.end - range.start + 1) {
      throw new ServeError(400, "BLOB_UPLOAD_INVALID", "Content-Length does not match Content-Range");
    }
  }
  const before = s.offset;
  await ctx.sessions.append(s, ctx.req);
  if (range && s.offset - before !== range.end - range.start + 1) {
    await ctx.sessions.drop(s);
    throw new ServeError(400, "BLOB_UPLOAD_INVALID", "chunk length does not match Content-Range; upload cancelled");
  }
  sendEmpty(ctx, 202, sessionHeaders(name, s));
}

/** `PUT /v2/<name>/blobs/uploads/<id>?digest=`: the last bytes (if any), then the blob is checked and stored. */
export async function putUpload(ctx: Ctx, name: string, id: string): Promise<void> {
  checkWritable(ctx);
  const s = ctx.sessions.get(name, id);
  const digestText = ctx.url.searchParams.get("digest");
  let digest: string;
  try {
    digest = checkDigest(digestText);
  } catch (err) {
    await ctx.sessions.drop(s);
    throw err;
  }
  const range = contentRange(ctx.req.headers["content-range"]);
  if (range && range.start !== s.offset) {
    throw new ServeError(416, "BLOB_UPLOAD_INVALID", `chunk ${range.start}-${range.end} does not follow the ${s.offset} bytes held`, sessionHeaders(name, s) as Record<string, string>);
  }
  if (hasBody(ctx)) await ctx.sessions.append(s, ctx.req);
  else ctx.req.resume();
  await finish(ctx, name, s, digest);
}

/** Checks the session's bytes against `digest`; stores the blob (201) or drops everything (400 DIGEST_INVALID). */
async function finish(ctx: Ctx, name: string, s: Session, digest: string): Promise<void> {
  // Not idle while it is being stored: the sweeper must not remove its file.
  s.busy = true;
  const { algorithm } = parseDigest(digest);
  if (algorithm !== "sha256") {
    await ctx.sessions.drop(s);
    throw digestInvalid(`this registry verifies sha256 uploads only, not ${algorithm}`, digest);
  }
  const actual = `sha256:${s.hash.copy().digest("hex")}`;
  if (actual !== digest) {
    await ctx.sessions.drop(s);
    throw digestInvalid(`the uploaded content hashes to ${actual}, not the digest given`, digest);
  }
  try {
    await ctx.storage.placeBlob(name, digest, s.path);
  } finally {
    await ctx.sessions.drop(s);
    await rm(s.path, { force: true });
  }
  created(ctx, name, digest);
}

/** `GET /v2/<name>/blobs/uploads/<id>`: 204 with the `Range` held. */
export async function uploadStatus(ctx: Ctx, name: string, id: string): Promise<void> {
  const s = ctx.sessions.get(name, id);
  sendEmpty(ctx, 204, sessionHeaders(name, s));
}

/** `DELETE /v2/<name>/blobs/uploads/<id>`: cancels. */
export async function cancelUpload(ctx: Ctx, name: string, id: string): Promise<void> {
  checkWritable(ctx);
  const s = ctx.sessions.get(name, id);
  await ctx.sessions.drop(s);
  sendEmpty(ctx, 204);
}
