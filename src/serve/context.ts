/**
 * What every request handler gets: the request, its parsed URL, the storage, the upload
 * sessions and the server's options; and the small answers they share.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SERVE_DRAIN_LIMIT } from "../model/limits.js";
import type { ByteBudget } from "./budget.js";
import { safeJson, ServeError } from "./errors.js";
import type { Sessions } from "./sessions.js";
import type { Storage } from "./storage.js";

/** One request being answered. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  storage: Storage;
  sessions: Sessions;
  /** Bytes of request bodies held in memory, over all requests. */
  bodies: ByteBudget;
  readOnly: boolean;
  /** HEAD: headers only. */
  head: boolean;
}

/** Refuses a write on a read-only server. @throws ServeError 405 UNSUPPORTED */
export function checkWritable(ctx: Ctx): void {
  if (ctx.readOnly) throw new ServeError(405, "UNSUPPORTED", "this registry is read-only");
}

/** Sends an answer with no body. */
export function sendEmpty(ctx: Ctx, status: number, headers: Record<string, string | number> = {}): void {
  ctx.res.writeHead(status, { "Content-Length": 0, ...headers });
  ctx.res.end();
}

/** Sends a JSON document (headers only for HEAD). */
export function sendJson(ctx: Ctx, status: number, value: unknown, headers: Record<string, string> = {}, contentType = "application/json"): void {
  const body = Buffer.from(safeJson(value));
  ctx.res.writeHead(status, { "Content-Type": contentType, "Content-Length": body.length, ...headers });
  ctx.res.end(ctx.head ? undefined : body);
}

/** A path under `/v2/` with the repository name in it. */
export function v2Path(name: string, rest: string): string {
  return `/v2/${name}/${rest}`;
}

/**
 * Reads a request body of at most `cap` bytes into memory, its bytes taken from the server's
 * body budget until the answer is done. @throws ServeError 413, 429 when the budget is spent
 */
export async function readBody(ctx: Ctx, cap: number, what: string): Promise<Buffer> {
  const tooLarge = () => new ServeError(413, "SIZE_INVALID", `${what} larger than the ${cap} bytes this server accepts`);
  const declared = Number(ctx.req.headers["content-length"] ?? 0);
  if (declared > cap + SERVE_DRAIN_LIMIT) throw tooLarge();
  let held = 0;
  // Given back once, when the answer is done or the client went away. Chunks that were
  // already queued when the connection closed still come out of the loop below: none of
  // them may be taken after the release, or the budget would lose them for good.
  let released = false;
  ctx.res.once("close", () => {
    released = true;
    ctx.bodies.give(held);
  });
  const chunks: Buffer[] = [];
  let total = 0;
  let refused: ServeError | undefined;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > cap + SERVE_DRAIN_LIMIT) throw tooLarge();
    if (total > cap || refused || released) continue;
    try {
      ctx.bodies.take(chunk.length);
    } catch (err) {
      // Read on (and drop) so that the client sees the 429 rather than a reset.
      refused = err as ServeError;
      continue;
    }
    held += chunk.length;
    chunks.push(chunk);
  }
  if (total > cap) throw tooLarge();
  if (refused) throw refused;
  return Buffer.concat(chunks, total);
}
