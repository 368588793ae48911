/**
 * A fault-injecting HTTP proxy in front of a real registry, scriptable per request: rules
 * match a method and a path, and the next N matching responses are broken in a chosen way
 * (reset mid-body, truncated, stalled, error statuses, 429 with Retry-After, redirects to
 * another host, wrong Content-Type, oversized or invalid manifests, corrupted or extended
 * blobs). A second listener on another loopback address plays "another host" and records
 * whether credentials reached it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

/** The ways a response can be broken. */
export type Fault =
  | { kind: "reset" }
  | { kind: "truncate" }
  | { kind: "stall"; ms: number }
  | { kind: "status"; status: number; retryAfter?: string }
  | { kind: "redirect" }
  | { kind: "content-type"; value: string }
  | { kind: "oversize" }
  | { kind: "invalid-json" }
  | { kind: "corrupt" }
  | { kind: "extend" }
  /** Answers with this document instead of asking the registry (content no real registry stores). */
  | { kind: "serve"; contentType: string; body: Buffer; digest: string };

/** A rule: which requests, how many times, what fault. */
export interface Rule {
  method?: string;
  path: RegExp;
  fault: Fault;
  times: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`, to use as the registry host. */
  host: string;
  /** Requests the "other host" received, with whether they carried Authorization. */
  otherHost: { path: string; authorization: boolean }[];
  /** Faults actually injected. */
  injected: number;
  setRules(rules: Rule[]): void;
  close(): Promise<void>;
}

const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function forward(upstream: string, req: IncomingMessage, body: Buffer) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const res = await request(`${upstream}${req.url}`, { method: req.method as "GET", headers, body: body.length || req.method === "PUT" || req.method === "PATCH" || req.method === "POST" ? body : undefined });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  // A HEAD answer keeps the length of the body it describes.
  if (req.method === "HEAD" && res.headers["content-length"] !== undefined) out["x-head-length"] = String(res.headers["content-length"]);
  return { status: res.statusCode, headers: out, body: Buffer.from(await res.body.arrayBuffer()) };
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer): void {
  const { "x-head-length": headLength, ...rest } = headers;
  res.writeHead(status, { ...rest, "content-length": String(headLength ?? body.length) });
  res.end(headLength !== undefined ? undefined : body);
}

/** Starts a proxy to `upstream` (`http://127.0.0.1:PORT`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let rules: Rule[] = [];
  const otherHost: FaultProxy["otherHost"] = [];
  const state = { injected: 0 };

  const other: Server = createServer(async (req, res) => {
    otherHost.push({ path: req.url ?? "", authorization: req.headers.authorization !== undefined });
    const body = await readBody(req);
    const r = await forward(upstream, req, body).catch(() => undefined);
    if (!r) return send(res, 502, {}, Buffer.from("upstream failed"));
    send(res, r.status, r.headers, r.body);
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.2", resolve));
  const otherPort = (other.address() as AddressInfo).port;

  const server: Server = createServer(async (req, res) => {
    const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === req.method) && r.path.test(req.url ?? ""));
    const body = await readBody(req);
    if (rule) {
      rule.times--;
      state.injected++;
    }
    const fault = rule?.fault;
    if (fault?.kind === "status") {
      return send(res, fault.status, { "content-type": "application/json", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) }, Buffer.from(JSON.stringify({ errors: [{ code: fault.status === 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE", message: "injected" }] })));
    }
    if (fault?.kind === "serve") {
      const headers = { "content-type": fault.contentType, "docker-content-digest": fault.digest };
      return send(res, 200, req.method === "HEAD" ? { ...headers, "x-head-length": String(fault.body.length) } : headers, fault.body);
    }
    if (fault?.kind === "redirect") {
      res.writeHead(307, { location: `http://127.0.0.2:${otherPort}${req.url}`, "content-length": "0" });
      return res.end();
    }
    if (fault?.kind === "reset" && req.method !== "GET" && req.method !== "HEAD") {
      req.socket.destroy();
      return;
    }
    let r;
    try {
      r = await forward(upstream, req, body);
    } catch (err) {
      // Said in the body so that a test's log shows why (the client prints it).
      return send(res, 502, {}, Buffer.from(`upstream failed: ${(err as Error).message}`));
    }
    const half = r.body.subarray(0, Math.floor(r.body.length / 2));
    switch (fault?.kind) {
      case "reset":
        res.writeHead(r.status, { ...r.headers, "content-length": String(r.body.length) });
        res.write(half, () => req.socket.destroy());
        return;
      case "truncate":
        res.writeHead(r.status, { ...r.headers, "content-length": String(r.body.length) });
        res.write(half, () => req.socket.end());
        return;
      case "stall":
        res.writeHead(r.status, { ...r.headers, "content-length": String(r.body.length) });
        res.write(half);
        setTimeout(() => req.socket.destroy(), fault.ms).unref();
        return;
      case "content-type":
        return send(res, r.status, { ...r.headers, "content-type": fault.value }, r.body);
      case "oversize":
        return send(res, r.status, r.headers, Buffer.concat([Buffer.from('{"schemaVersion":2,"pad":"'), Buffer.alloc(5 * 1024 * 1024, 0x61), Buffer.from('"}')]));
      case "invalid-json":
        return send(res, r.status, r.headers, Buffer.from('{"schemaVersion":2, "config": '));
      case "corrupt": {
        const b = Buffer.from(r.body);
        if (b.length) b[Math.floor(b.length / 2)]! ^= 0xff;
        return send(res, r.status, r.headers, b);
      }
      case "extend":
        return send(res, r.status, r.headers, Buffer.concat([r.body, Buffer.from("trailing bytes")]));
      default:
        return send(res, r.status, r.headers, r.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    otherHost,
    get injected() {
      return state.injected;
    },
    setRules(r) {
      rules = r.map((x) => ({ ...x }));
    },
    close: async () => {
      server.closeAllConnections();
      other.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
    },
  };
}
