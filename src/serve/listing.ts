/**
 * `GET /v2/<name>/tags/list` and `GET /v2/_catalog` (distribution-spec "Content
 * discovery"), both sorted and paged with `n` and `last` (exclusive), a `Link: <…>;
 * rel="next"` when more follow.
 * @module
 */
import { ANNOTATION_REF_NAME } from "../model/descriptor.js";
import { SERVE_MAX_PAGE } from "../model/limits.js";
import { isValidTag } from "../model/reference.js";
import { sendJson, type Ctx } from "./context.js";
import { nameUnknown, ServeError } from "./errors.js";

/** One page of sorted `all` after `last`, and the `Link` to the next one. */
function page(ctx: Ctx, all: string[], path: string): { items: string[]; headers: Record<string, string> } {
  const q = ctx.url.searchParams;
  const nText = q.get("n");
  let n = SERVE_MAX_PAGE;
  if (nText !== null) {
    if (!/^\d+$/.test(nText)) throw new ServeError(400, "PAGINATION_NUMBER_INVALID", "n must be a non-negative integer", {}, { n: nText.slice(0, 50) });
    n = Math.min(Number(nText), SERVE_MAX_PAGE);
  }
  const last = q.get("last");
  const rest = last === null ? all : all.filter((t) => t > last);
  const items = rest.slice(0, n);
  const headers: Record<string, string> = {};
  if (items.length && rest.length > items.length) {
    const next = new URLSearchParams({ n: String(n), last: items[items.length - 1]! });
    headers.Link = `<${path}?${next.toString()}>; rel="next"`;
  }
  return { items, headers };
}

/** The tags of a repository. */
export async function listTags(ctx: Ctx, name: string): Promise<void> {
  if (!(await ctx.storage.exists(name))) throw nameUnknown(name);
  const tags = new Set<string>();
  for (const e of await ctx.storage.entries(name)) {
    const t = e.annotations?.[ANNOTATION_REF_NAME];
    if (t && isValidTag(t)) tags.add(t);
  }
  const { items, headers } = page(ctx, [...tags].sort(), `/v2/${name}/tags/list`);
  sendJson(ctx, 200, { name, tags: items }, headers);
}

/** The repositories. */
export async function listCatalog(ctx: Ctx): Promise<void> {
  const { items, headers } = page(ctx, await ctx.storage.repositories(), "/v2/_catalog");
  sendJson(ctx, 200, { repositories: items }, headers);
}
