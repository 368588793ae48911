/**
 * The routes of the distribution API (distribution-spec "Endpoints" end-1 … end-13 and the
 * catalog): the path is matched, the repository name and reference validated, then the
 * handler runs; anything a handler throws becomes the spec's JSON error.
 * @module
 */
import { blobs, catalog, manifests, referrers, tags, uploads, type Route } from "./routes.js";
import { type Ctx } from "./context.js";
import { ServeError } from "./errors.js";
import { checkDigest, checkName } from "./names.js";

type Handler = (ctx: Ctx, name: string, arg: string) => Promise<void>;

const PATTERNS: { re: RegExp; route: Route }[] = [
  { re: /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/, route: uploads },
  { re: /^\/v2\/(.+)\/blobs\/([^/]+)$/, route: blobs },
  { re: /^\/v2\/(.+)\/manifests\/([^/]+)$/, route: manifests },
  { re: /^\/v2\/(.+)\/tags\/list()$/, route: tags },
  { re: /^\/v2\/(.+)\/referrers\/([^/]+)$/, route: referrers },
];

/** Finds the handler of a request. @throws ServeError 404/405/400 */
export function route(ctx: Ctx): () => Promise<void> {
  const path = ctx.url.pathname;
  const method = ctx.head ? "GET" : (ctx.req.method ?? "GET");
  if (path === "/v2/" || path === "/v2") {
    return async () => {
      ctx.res.writeHead(200, { "Content-Type": "application/json", "Content-Length": 2 });
      ctx.res.end(ctx.head ? undefined : "{}");
    };
  }
  if (path === "/v2/_catalog") return pick(catalog, method, ctx, "", "");
  for (const { re, route: r } of PATTERNS) {
    const m = re.exec(path);
    if (!m) continue;
    const name = checkName(m[1]!);
    let arg = m[2]!;
    try {
      arg = decodeURIComponent(arg);
    } catch {
      throw new ServeError(400, "NAME_INVALID", "malformed path");
    }
    if (r === blobs || r === referrers) checkDigest(arg);
    return pick(r, method, ctx, name, arg);
  }
  throw new ServeError(404, "NAME_UNKNOWN", "no such endpoint");
}

function pick(r: Route, method: string, ctx: Ctx, name: string, arg: string): () => Promise<void> {
  const h: Handler | undefined = r[method];
  if (!h) throw new ServeError(405, "UNSUPPORTED", `${method} is not supported here`, { Allow: Object.keys(r).join(", ") });
  return () => h(ctx, name, arg);
}
