/**
 * A rewriting proxy in front of the rig's `docker-registry`, to play the registry
 * implementations that cannot be installed here: each response can be rewritten by a
 * test-supplied function (status, headers, body), or a request answered without asking the
 * upstream. go-containerregistry's registry answering `PATCH` with 204, a registry that
 * honours `n` but sends no `Link`, one that re-signs schema 1 on every GET — each is a few
 * lines of a rewrite.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

/** A request as the proxy saw it. */
export interface ProxyRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A response, from upstream or made by a rewrite. */
export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Rewrites what the upstream answered; return it unchanged to pass it on. */
export type Rewrite = (req: ProxyRequest, res: ProxyResponse) => ProxyResponse | Promise<ProxyResponse>;

/** Looks at a request before it is forwarded: may change `url`, or answer it (the upstream is then not asked). */
export type Intercept = (req: ProxyRequest) => ProxyResponse | void;

/** A running proxy. */
export interface RewritingProxy {
  /** `127.0.0.1:PORT`, usable as a registry host. */
  host: string;
  /** Every request, in order. */
  seen: ProxyRequest[];
  /** Replaces the rewrites (applied in order). */
  set(...rewrites: Rewrite[]): void;
  /** Replaces the intercepts (applied in order, before forwarding). */
  intercept(...intercepts: Intercept[]): void;
  close(): Promise<void>;
}

const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/** Starts a proxy to `upstream` (`http://127.0.0.1:PORT`). */
export async function startRewritingProxy(upstream: string): Promise<RewritingProxy> {
  let rewrites: Rewrite[] = [];
  let intercepts: Intercept[] = [];
  const seen: ProxyRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const preq: ProxyRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers, body: Buffer.concat(chunks) };
    seen.push(preq);
    const reply = (answer: ProxyResponse, headLength?: string | string[]) => {
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(headLength ?? answer.body.length) });
      res.end(preq.method === "HEAD" ? undefined : answer.body);
    };
    try {
      for (const i of intercepts) {
        const answer = i(preq);
        if (answer) return reply(answer);
      }
      const withBody = preq.body.length > 0 || ["PUT", "PATCH", "POST"].includes(preq.method);
      const up = await request(`${upstream}${preq.url}`, { method: preq.method as "GET", headers, body: withBody ? preq.body : undefined });
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      let answer: ProxyResponse = { status: up.statusCode, headers: out, body: Buffer.from(await up.body.arrayBuffer()) };
      const headLength = preq.method === "HEAD" ? up.headers["content-length"] : undefined;
      for (const r of rewrites) answer = await r(preq, answer);
      reply(answer, headLength);
    } catch (err) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream failed: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    set(...r) {
      rewrites = r;
      intercepts = [];
    },
    intercept(...i) {
      intercepts = i;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
