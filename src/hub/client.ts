/**
 * A client for Docker Hub's web API: repositories of a namespace, one repository, tags with
 * their images, and search; every page followed (`next`) up to a limit; with credentials,
 * the Hub's own token (`POST /v2/auth/token`, falling back to `/v2/users/login`) so that
 * private repositories list too. The base URL can point at a mirror or a test server.
 * @module
 */
import { NotFoundError, OcidistError, RegistryError, UnauthorizedError, UsageError } from "../model/errors.js";
import type { Transport, HttpResponse } from "../http/transport.js";
import { redactUrl } from "../http/redact.js";
import { MAX_HUB_RESPONSE_BYTES } from "../model/limits.js";
import { readAll } from "../util/stream.js";
import type { HubPage, HubRepository, HubSearchResult, HubTag } from "./types.js";
import { checkCredentialTransport, DEFAULT_HUB_URL } from "./credentials.js";

export { DEFAULT_HUB_URL };

/** Options of a {@link HubClient}. */
export interface HubClientOptions {
  /** Base URL; default `$OCIDIST_HUB_URL`, else https://hub.docker.com. */
  baseUrl?: string;
  /**
   * Username and password or personal access token, for private repositories; sent to the
   * base URL as given, so pass only credentials meant for it (see `storedHubCredentialsApply`).
   */
  username?: string;
  secret?: string;
  /** Allow sending the credentials over plain http to a host other than this machine. */
  insecure?: boolean;
}

/** A listing limit and page size. */
export interface ListOptions {
  /** Stop after this many items (default: all). */
  limit?: number;
  signal?: AbortSignal;
}

const PAGE_SIZE = 100;

/** `ubuntu` → library/ubuntu; `user/repo`; `docker.io/user/repo`. Other registries are refused. */
export function parseHubRepo(text: string): { namespace: string; name: string } {
  let t = text.trim().replace(/^docker\.io\//, "").replace(/^(index|registry-1)\.docker\.io\//, "");
  if (/^[^/]*[.:][^/]*\//.test(t)) throw new UsageError(`${JSON.stringify(text)} is not a Docker Hub repository`);
  t = t.replace(/[:@].*$/, "");
  const parts = t.split("/");
  if (parts.length === 1) parts.unshift("library");
  if (parts.length !== 2 || !parts.every((p) => /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(p))) {
    throw new UsageError(`invalid Docker Hub repository ${JSON.stringify(text)}: want NAME or NAMESPACE/NAME`);
  }
  return { namespace: parts[0]!, name: parts[1]! };
}

/** The Hub client. */
export class HubClient {
  readonly baseUrl: string;
  private token?: Promise<string | undefined>;

  constructor(
    private readonly transport: Transport,
    private readonly options: HubClientOptions = {},
  ) {
    this.baseUrl = (options.baseUrl ?? process.env.OCIDIST_HUB_URL ?? DEFAULT_HUB_URL).replace(/\/+$/, "");
  }

  /** The Hub token for the credentials, fetched once; undefined when anonymous. */
  private authToken(signal?: AbortSignal): Promise<string | undefined> {
    this.token ??= (async () => {
      const { username, secret } = this.options;
      if (!username || !secret) return undefined;
      checkCredentialTransport(this.baseUrl, this.options.insecure);
      const viaToken = await this.post("/v2/auth/token", { identifier: username, secret }, signal);
      if (viaToken.status !== 404) return this.tokenFrom(viaToken, "access_token");
      return this.tokenFrom(await this.post("/v2/users/login", { username, password: secret }, signal), "token");
    })();
    return this.token;
  }

  private post(path: string, doc: unknown, signal?: AbortSignal): Promise<HttpResponse> {
    const body = Buffer.from(JSON.stringify(doc));
    return this.transport.request({ method: "POST", url: `${this.baseUrl}${path}`, headers: { "content-type": "application/json", accept: "application/json" }, body: () => body, signal });
  }

  private async tokenFrom(res: HttpResponse, field: "access_token" | "token"): Promise<string> {
    if (res.status !== 200) throw await this.error(res, "Docker Hub login");
    const doc = (await this.json(res)) as Record<string, unknown>;
    const t = doc[field] ?? doc.token ?? doc.access_token;
    if (typeof t !== "string" || !t) throw new OcidistError("Docker Hub login: no token in the answer");
    return t;
  }

  private async json(res: HttpResponse): Promise<unknown> {
    const bytes = await readAll(res.body, MAX_HUB_RESPONSE_BYTES, "Docker Hub answer");
    try {
      return JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new OcidistError(`Docker Hub answered ${redactUrl(res.url)} with something that is not JSON`);
    }
  }

  private async error(res: HttpResponse, what: string): Promise<Error> {
    let detail = "";
    try {
      const doc = (await this.json(res)) as { message?: string; detail?: string; errinfo?: unknown };
      detail = doc.message ?? doc.detail ?? "";
    } catch {
      /* no detail */
    }
    const init = { http: { status: res.status, method: "GET", url: redactUrl(res.url) } };
    const msg = `${what}: ${detail ? `${detail} ` : ""}(HTTP ${res.status})`;
    if (res.status === 404) return new NotFoundError(`${what}: not found on Docker Hub (HTTP 404)`, { ...init, errors: [{ code: "NOT_FOUND" }] });
    if (res.status === 401 || res.status === 403) return new UnauthorizedError(`${msg}; credentials missing or not allowed`, { ...init, errors: [{ code: res.status === 401 ? "UNAUTHORIZED" : "DENIED" }] });
    if (res.status === 429) {
      const after = res.header("x-retry-after") ?? res.header("retry-after");
      const remaining = res.header("x-ratelimit-remaining");
      const limit = res.header("x-ratelimit-limit");
      const when = after && /^\d+$/.test(after) && Number(after) > 1e9 ? `retry after ${new Date(Number(after) * 1000).toISOString()}` : after ? `retry after ${after} s` : "retry later";
      return new RegistryError(`${what}: TOOMANYREQUESTS: Docker Hub's API rate limit${limit ? ` (${remaining ?? "0"}/${limit} left)` : ""}; ${when}`, { ...init, errors: [{ code: "TOOMANYREQUESTS" }] });
    }
    return new RegistryError(msg, init);
  }

  /** GETs a Hub URL (a path below the base, or a `next` URL on the same origin). */
  private async get(pathOrUrl: string, what: string, signal?: AbortSignal): Promise<unknown> {
    const url = new URL(pathOrUrl, `${this.baseUrl}/`);
    if (url.origin !== new URL(this.baseUrl).origin) throw new OcidistError(`${what}: refusing a next page on another host (${url.host})`);
    const token = await this.authToken(signal);
    const res = await this.transport.request({ method: "GET", url: url.toString(), headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
    if (res.status !== 200) throw await this.error(res, what);
    return this.json(res);
  }

  /** Follows `next` pages, yielding results until `limit`. */
  private async *pages<T>(first: string, what: string, options: ListOptions): AsyncGenerator<T> {
    let next: string | null | undefined = first;
    let n = 0;
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next)) throw new OcidistError(`${what}: the pages loop back`);
      seen.add(next);
      const page = (await this.get(next, what, options.signal)) as HubPage<T>;
      if (!Array.isArray(page.results)) throw new OcidistError(`${what}: Docker Hub's answer has no results list`);
      for (const r of page.results) {
        if (options.limit !== undefined && n >= options.limit) return;
        n++;
        yield r;
      }
      if (options.limit !== undefined && n >= options.limit) return;
      next = page.next;
    }
  }

  private pageSize(options: ListOptions): number {
    return Math.min(PAGE_SIZE, Math.max(1, options.limit ?? PAGE_SIZE));
  }

  /** The repositories of a namespace. */
  async repositories(namespace: string, options: ListOptions = {}): Promise<HubRepository[]> {
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(namespace)) throw new UsageError(`invalid Docker Hub namespace ${JSON.stringify(namespace)}`);
    const out: HubRepository[] = [];
    for await (const r of this.pages<HubRepository>(`/v2/namespaces/${namespace}/repositories?page_size=${this.pageSize(options)}`, `repositories of ${namespace}`, options)) out.push(r);
    return out;
  }

  /** One repository. */
  async repository(repo: string, signal?: AbortSignal): Promise<HubRepository> {
    const { namespace, name } = parseHubRepo(repo);
    return (await this.get(`/v2/namespaces/${namespace}/repositories/${name}`, `repository ${namespace}/${name}`, signal)) as HubRepository;
  }

  /** The tags of a repository, with their images. */
  async tags(repo: string, options: ListOptions = {}): Promise<HubTag[]> {
    const { namespace, name } = parseHubRepo(repo);
    const out: HubTag[] = [];
    for await (const t of this.pages<HubTag>(`/v2/namespaces/${namespace}/repositories/${name}/tags?page_size=${this.pageSize(options)}`, `tags of ${namespace}/${name}`, options)) out.push(t);
    return out;
  }

  /** Searches repositories (the docker CLI's `/v1/search`). */
  async search(term: string, options: ListOptions = {}): Promise<HubSearchResult[]> {
    if (!term.trim()) throw new UsageError("hub search needs a term");
    const out: HubSearchResult[] = [];
    const n = this.pageSize(options);
    for (let page = 1; ; page++) {
      const doc = (await this.get(`/v1/search?q=${encodeURIComponent(term)}&n=${n}&page=${page}`, `search for ${JSON.stringify(term)}`, options.signal)) as { results?: HubSearchResult[]; num_pages?: number };
      const results = doc.results ?? [];
      for (const r of results) {
        if (options.limit !== undefined && out.length >= options.limit) return out;
        out.push(r);
      }
      if (results.length < n || (doc.num_pages !== undefined && page >= doc.num_pages) || (options.limit !== undefined && out.length >= options.limit)) return out;
    }
  }
}
