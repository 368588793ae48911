/**
 * `GET`/`HEAD`/`DELETE /v2/<name>/blobs/<digest>` (distribution-spec "Pulling blobs",
 * "Deleting blobs"): blobs streamed from disk, `Range` answered with 206.
 * @module
 */
import { noteStreamed } from "../util/garbage.js";
import { pipeline } from "node:stream/promises";
import { checkWritable, sendEmpty, type Ctx } from "./context.js";
import { blobUnknown, nameUnknown, ServeError } from "./errors.js";
import { referencedDigests } from "./graph.js";

/** Parses `Range: bytes=a-b` (one range) against a size; undefined when absent. @throws ServeError 416 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const unsatisfiable = () => new ServeError(416, "RANGE_INVALID", "requested range not satisfiable", { "Content-Range": `bytes */${size}` });
  if (!m || (m[1] === "" && m[2] === "")) throw unsatisfiable();
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw unsatisfiable();
  return { start, end };
}

/** GET or HEAD of a blob. */
export async function getBlob(ctx: Ctx, name: string, digest: string): Promise<void> {
  const size = await ctx.storage.blobSize(name, digest);
  if (size === undefined) throw (await ctx.storage.exists(name)) ? blobUnknown(digest) : nameUnknown(name);
  const range = parseRange(ctx.req.headers.range, size);
  const headers: Record<string, string | number> = {
    "Content-Type": "application/octet-stream",
    "Docker-Content-Digest": digest,
    "Accept-Ranges": "bytes",
    ETag: `"${digest}"`,
    "Cache-Control": "max-age=31536000",
  };
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  headers["Content-Length"] = end - start + 1;
  if (ctx.head || size === 0) {
    ctx.res.writeHead(range ? 206 : 200, headers);
    ctx.res.end();
    return;
  }
  const body = await ctx.storage.openBlob(name, digest, start, end);
  ctx.res.writeHead(range ? 206 : 200, headers);
  // Each read is a fresh buffer, dead once the socket took it: counted, so that a host that
  // collects early (the CLI, see util/garbage.ts) frees them every MiB rather than every
  // 30-40 MB (bench/serve.ts: the server's peak 99-105 -> 65 MiB, with Storage.openBlob's
  // smaller reads). Listening here is safe: pipeline attaches in this same tick.
  body.on("data", (c: Buffer | string) => noteStreamed(c.length));
  await pipeline(body, ctx.res);
}

/** DELETE of a blob: refused while a manifest of the layout still names it, so the layout stays valid. */
export async function deleteBlob(ctx: Ctx, name: string, digest: string): Promise<void> {
  checkWritable(ctx);
  await ctx.storage.updateIndex(name, async (entries) => {
    if ((await ctx.storage.blobSize(name, digest)) === undefined) throw blobUnknown(digest);
    if ((await referencedDigests(ctx.storage, name, entries)).has(digest)) {
      throw new ServeError(405, "UNSUPPORTED", "a manifest of this repository uses the blob; delete the manifest first", {}, { digest });
    }
    await ctx.storage.removeBlob(name, digest);
    return { result: undefined };
  });
  sendEmpty(ctx, 202);
}
