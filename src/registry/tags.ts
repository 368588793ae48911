/**
 * Listing: tags of a repository and the registry catalog, following every page
 * (distribution-spec "Listing Tags", `Link: <…>; rel="next"`, `n` and `last`).
 * @module
 */
import { CATALOG_SCOPE, formatScope } from "../auth/scope.js";
import { OcidistError } from "../model/errors.js";
import { nextLink } from "../http/link.js";
import { MAX_LIST_PAGE_BYTES, MAX_LIST_PAGES, MAX_LISTED_NAMES } from "../model/limits.js";
import type { Reference } from "../model/reference.js";
import { readAll } from "../util/stream.js";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";
import { scopeFor } from "./scopes.js";

/** Page size asked for: 1000 is the largest ECR accepts. */
const PAGE_SIZE = 1000;

/** Options of {@link listTags} and {@link listCatalog}. */
export interface ListOptions {
  /** Most names to accept over all pages (default {@link MAX_LISTED_NAMES}); more is an error, not a truncation. */
  maxNames?: number;
}

/** Gathers every page's names, refusing more than `max` in all (no spread: a page may hold millions). */
async function gather(source: AsyncGenerator<string[]>, max: number, what: string, option: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of source) {
    if (out.length + page.length > max) {
      await source.return(undefined);
      throw new OcidistError(`${what}: the registry lists more than ${max} names (${option} raises the cap)`);
    }
    for (const name of page) out.push(name);
  }
  return out;
}

/** The URL of the page after `last` (distribution-spec `last`: exclusive). */
function withLast(url: string, last: string): string {
  const u = new URL(url);
  u.searchParams.set("last", last);
  return u.toString();
}

/** Follows pages of a list endpoint, yielding each page's array under `key`. */
async function* pages(client: RegistryClient, registry: string, firstPath: string, key: "tags" | "repositories", scopes: string[], what: string, signal?: AbortSignal): AsyncGenerator<string[]> {
  let path: string | undefined = firstPath;
  const seen = new Set<string>();
  const listed = new Set<string>();
  let guessed = false;
  for (let n = 0; path && n < MAX_LIST_PAGES; n++) {
    if (seen.has(path)) throw new OcidistError(`${what}: the registry's pages loop back to ${path}`);
    seen.add(path);
    const res = await client.request(registry, { method: "GET", path, scopes, signal });
    if (res.status !== 200) throw await responseError(res, "GET", what);
    const body = await readAll(res.body, MAX_LIST_PAGE_BYTES, `${what} page`);
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new OcidistError(`${what}: the registry answered with something that is not JSON`);
    }
    const list = doc[key];
    if (list !== null && list !== undefined && (!Array.isArray(list) || list.some((t) => typeof t !== "string"))) {
      throw new OcidistError(`${what}: "${key}" is not a list of strings`);
    }
    const items = (list as string[] | null) ?? [];
    // Without `Link`, a full page may still have a next one: some registries honour `n` but
    // send no `Link`. Ask on with `last=` until a page adds nothing new.
    const fresh = guessed ? items.filter((t) => !listed.has(t)) : items;
    if (guessed && fresh.length === 0) return;
    for (const t of fresh) listed.add(t);
    yield fresh;
    let next = nextLink(res.header("link"), res.url);
    guessed = !next;
    if (!next && items.length >= PAGE_SIZE) next = withLast(res.url, items[items.length - 1]!);
    if (!next) return;
    const u = new URL(next);
    if (u.origin !== new URL(res.url).origin) throw new OcidistError(`${what}: refusing a next page on another host (${u.host})`);
    path = `${u.pathname}${u.search}`;
  }
}

/** Every tag of a repository, in the registry's order. @throws NotFoundError (NAME_UNKNOWN) */
export async function listTags(client: RegistryClient, repo: Reference, signal?: AbortSignal, options: ListOptions = {}): Promise<string[]> {
  const path = `/v2/${repo.repository}/tags/list?n=${PAGE_SIZE}`;
  const what = `tags of ${repo.registry}/${repo.repository}`;
  return gather(pages(client, repo.registry, path, "tags", [scopeFor(repo.repository, "pull")], what, signal), options.maxNames ?? MAX_LISTED_NAMES, what, "--max-tags");
}

/** Every repository of a registry (`/v2/_catalog`, scope `registry:catalog:*`). */
export async function listCatalog(client: RegistryClient, registry: string, signal?: AbortSignal, options: ListOptions = {}): Promise<string[]> {
  const scope = typeof CATALOG_SCOPE === "string" ? CATALOG_SCOPE : formatScope(CATALOG_SCOPE);
  const what = `catalog of ${registry}`;
  return gather(pages(client, registry, `/v2/_catalog?n=${PAGE_SIZE}`, "repositories", [scope], what, signal), options.maxNames ?? MAX_LISTED_NAMES, what, "--max-repositories");
}
