/**
 * A local server speaking the documented shapes of Docker Hub's web API (no real Hub can run
 * here): namespaces' repositories, one repository, tags with images, `/v1/search`, the token
 * endpoint, page/page_size pagination with absolute `next` URLs, errors and a rate limit.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the fake received. */
export interface HubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

/** A running fake. */
export interface FakeHub {
  url: string;
  requests: HubRequest[];
  close(): Promise<void>;
}

const TOKEN = "hub-token-for-alice";
const ACCEPTED: Record<string, string[]> = { alice: ["alice-secret", "dckr_pat_test"] };

const when = (i: number) => new Date(Date.UTC(2026, 0, 1) - i * 86_400_000).toISOString();

function ubuntuTags() {
  return Array.from({ length: 45 }, (_, i) => ({
    creator: 7,
    id: 1000 + i,
    images: [
      { architecture: "amd64", features: "", variant: null, digest: `sha256:${(i + 1).toString(16).padStart(64, "a")}`, os: "linux", os_features: "", os_version: null, size: 29_000_000 + i, status: "active", last_pulled: when(0), last_pushed: when(i) },
      { architecture: "arm64", features: "", variant: "v8", digest: `sha256:${(i + 1).toString(16).padStart(64, "b")}`, os: "linux", os_features: "", os_version: null, size: 27_000_000 + i, status: "active", last_pulled: when(0), last_pushed: when(i) },
    ],
    last_updated: when(i),
    last_updater: 7,
    last_updater_username: "doijanky",
    name: `tag-${String(i).padStart(2, "0")}`,
    repository: 130,
    full_size: 29_000_000 + i,
    v2: true,
    tag_status: "active",
    tag_last_pulled: when(0),
    tag_last_pushed: when(i),
    media_type: "application/vnd.oci.image.index.v1+json",
    content_type: "image",
    digest: `sha256:${(i + 1).toString(16).padStart(64, "c")}`,
  }));
}

function repo(namespace: string, name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace, repository_type: "image", status: 1, status_description: "active", description: `${name} description`, is_private: false, star_count: 10, pull_count: 1000, last_updated: when(1), date_registered: when(900), affiliation: "", media_types: ["application/vnd.oci.image.index.v1+json"], content_types: ["image"], categories: [], ...extra };
}

/** Starts the fake on a free loopback port. */
export async function startFakeHub(): Promise<FakeHub> {
  const requests: HubRequest[] = [];
  const tags = ubuntuTags();
  const repos: Record<string, ReturnType<typeof repo>[]> = {
    library: Array.from({ length: 7 }, (_, i) => repo("library", ["ubuntu", "alpine", "debian", "busybox", "nginx", "redis", "postgres"][i]!)),
    alice: [repo("alice", "public-app"), repo("alice", "secret-app", { is_private: true })],
  };
  let base = "";
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "", path: url.pathname, query, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const send = (status: number, doc: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(doc));
    };
    const authed = req.headers.authorization === `Bearer ${TOKEN}`;
    const page = <T>(items: T[]) => {
      // Serves at most 10 per page whatever is asked, so clients must follow `next`.
      const size = Math.min(10, Number(query.page_size ?? 10));
      const p = Number(query.page ?? 1);
      const results = items.slice((p - 1) * size, p * size);
      const nextUrl = p * size < items.length ? new URL(url.toString()) : undefined;
      nextUrl?.searchParams.set("page", String(p + 1));
      return { count: items.length, next: nextUrl ? nextUrl.toString() : null, previous: p > 1 ? "prev" : null, results };
    };
    if (req.method === "POST" && url.pathname === "/v2/auth/token") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const doc = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { identifier?: string; secret?: string };
      if (ACCEPTED[doc.identifier ?? ""]?.includes(doc.secret ?? "")) return send(200, { access_token: TOKEN });
      return send(401, { errinfo: {}, message: "Incorrect authentication credentials" });
    }
    let m: RegExpMatchArray | null;
    if ((m = url.pathname.match(/^\/v2\/namespaces\/([^/]+)\/repositories\/?$/))) {
      const ns = m[1]!;
      if (ns === "ratelimited") return send(429, { message: "rate limit exceeded" }, { "x-ratelimit-limit": "180", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1767225600", "x-retry-after": "1767225600" });
      const list = (repos[ns] ?? []).filter((r) => !r.is_private || authed);
      if (!repos[ns]) return send(404, { message: `namespace ${ns} not found`, errinfo: { namespace: ns } });
      return send(200, page(list));
    }
    if ((m = url.pathname.match(/^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags\/?$/))) {
      if (m[1] === "library" && m[2] === "ubuntu") return send(200, page(tags));
      return send(404, { message: "object not found", errinfo: {} });
    }
    if ((m = url.pathname.match(/^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/?$/))) {
      const r = (repos[m[1]!] ?? []).find((x) => x.name === m![2] && (!x.is_private || authed));
      return r ? send(200, { ...r, full_description: "# readme" }) : send(404, { message: "object not found", errinfo: {} });
    }
    if (url.pathname === "/v1/search") {
      const q = query.q ?? "";
      const all = Object.values(repos).flat().filter((r) => !r.is_private && r.name.includes(q)).map((r) => ({ name: r.namespace === "library" ? r.name : `${r.namespace}/${r.name}`, description: r.description, star_count: r.star_count, is_official: r.namespace === "library", is_automated: false }));
      const n = Number(query.n ?? 25);
      const p = Number(query.page ?? 1);
      return send(200, { num_pages: Math.ceil(all.length / n), num_results: all.length, page_size: n, page: p, query: q, results: all.slice((p - 1) * n, p * n) });
    }
    send(404, { message: "page not found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((r) => server.close(() => r())) };
}
