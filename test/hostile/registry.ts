/**
 * A hostile registry for attack tests: a small in-memory distribution API on loopback that
 * serves whatever bytes a test gives it, under whatever headers, for any digest. Content is
 * stored with {@link HostileRegistry.manifest} / {@link HostileRegistry.blob}; any request can
 * be answered differently with {@link HostileRegistry.override} (first matching override wins,
 * before the store). No real registry can be made to lie, so this one is written for it.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the hostile registry received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
}

/** Answers a request itself; return false to fall through to the store. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | void;

/** A running hostile registry. */
export interface HostileRegistry {
  /** `127.0.0.1:PORT`, usable as a registry host (plain HTTP on loopback). */
  host: string;
  /** Every request, in order. */
  requests: SeenRequest[];
  /**
   * Serves `bytes` as a manifest under `repo` for each of `refs` (tags or digests), with
   * `Content-Type` = `mediaType` and `Docker-Content-Digest` = `digest` (default: the sha256
   * of the bytes; pass a lie to test that it is not believed).
   */
  manifest(repo: string, refs: string[], bytes: Buffer | string, mediaType: string, digest?: string): void;
  /** Serves `bytes` as a blob under `repo` at `digest` (default: their sha256). Returns the digest. */
  blob(repo: string, bytes: Buffer | string, digest?: string): string;
  /** Answers matching requests with `handler` before the store is asked. */
  override(method: string, path: RegExp, handler: Handler): void;
  close(): Promise<void>;
}

/** sha256:hex of some bytes. */
export function sha256(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

interface Stored {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** Starts a hostile registry on a free loopback port. */
export async function startHostile(): Promise<HostileRegistry> {
  const manifests = new Map<string, Stored>();
  const blobs = new Map<string, Stored>();
  const overrides: { method: string; path: RegExp; handler: Handler }[] = [];
  const requests: SeenRequest[] = [];

  const notFound = (res: ServerResponse, code: string) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ code, message: "not found" }] }));
  };
  const serve = (req: IncomingMessage, res: ServerResponse, s: Stored) => {
    const headers = { "content-type": s.mediaType, "content-length": String(s.bytes.length), "docker-content-digest": s.digest };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && req.method === "GET" && Number(range[1]) < s.bytes.length) {
      const from = Number(range[1]);
      res.writeHead(206, { ...headers, "content-length": String(s.bytes.length - from), "content-range": `bytes ${from}-${s.bytes.length - 1}/${s.bytes.length}` });
      res.end(s.bytes.subarray(from));
      return;
    }
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : s.bytes);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://hostile");
    requests.push({ method: req.method ?? "GET", path: url.pathname + url.search, headers: req.headers });
    for (const o of overrides) {
      if ((o.method === "*" || o.method === req.method) && o.path.test(url.pathname + url.search)) {
        if (o.handler(req, res, url) !== false) return;
      }
    }
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
      res.end("{}");
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m && (req.method === "GET" || req.method === "HEAD")) {
      const [, repo, kind, ref] = m;
      const hit = (kind === "manifests" ? manifests : blobs).get(`${repo}|${decodeURIComponent(ref!)}`);
      if (hit) return serve(req, res, hit);
      return notFound(res, kind === "manifests" ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN");
    }
    notFound(res, "NAME_UNKNOWN");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    manifest(repo, refs, bytes, mediaType, digest) {
      const b = Buffer.from(bytes);
      const s = { bytes: b, mediaType, digest: digest ?? sha256(b) };
      for (const r of refs) manifests.set(`${repo}|${r}`, s);
    },
    blob(repo, bytes, digest) {
      const b = Buffer.from(bytes);
      const d = digest ?? sha256(b);
      blobs.set(`${repo}|${d}`, { bytes: b, mediaType: "application/octet-stream", digest: d });
      return d;
    },
    override(method, path, handler) {
      overrides.push({ method, path, handler });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
