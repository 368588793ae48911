/**
 * Direct connections — no proxy — over Node's own `http` and `https` modules. Their HTTP
 * parser is native and already in the Node binary, so a request costs no WebAssembly
 * compile and no extra modules: a `tags` against a local registry starts near the floor
 * of `node -e 0`, and a pull holds no parser memory of its own. Proxies go through
 * undici (`sender.ts`), which has CONNECT and SOCKS5.
 *
 * One idle timeout covers the three phases of an exchange, judged by what stalls:
 * - sending the body: a registry that stops reading it (the socket's buffer stays full)
 *   times out; waiting on our own source (a download feeding an upload) does not;
 * - waiting for the response headers: times out;
 * - reading the body: a registry that stops sending times out; a consumer of ours that
 *   is slow to read (backpressure) does not.
 *
 * Nor does our own event loop being blocked past the timeout: bytes that arrived meanwhile
 * are counted before the registry is blamed.
 * @module
 */
import * as http from "node:http";
import type * as Https from "node:https";
import type { Socket } from "node:net";
import { builtin } from "../util/lazy-builtin.js";
import { pipeline } from "node:stream";
import { isStreamBody, type HttpRequest, type HttpResponse } from "./round-trip.js";

/** Settings of a {@link DirectPool}. */
export interface DirectOptions {
  /** Parallel connections per origin. */
  connections: number;
  /** Idle time after which an exchange fails, in milliseconds. */
  timeoutMs: number;
  /** How long an idle pooled connection is kept, in milliseconds. */
  keepAliveMs: number;
  /** TLS settings for https origins, asked for when the first one is met. */
  tls: () => { rejectUnauthorized: boolean; ca?: string[] };
}

/** `node:https`, loaded by the first https request (a plain-http command never needs TLS). */
const https = (): typeof Https => builtin<typeof Https>("node:https");

/** Methods whose empty body is sent as `content-length: 0` rather than as an empty chunked body. */
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** An error with a code the retry policy knows (`ETIMEDOUT`). */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: "ETIMEDOUT" });
}

/** Keep-alive pools for plain-HTTP and https origins reached without a proxy. */
export class DirectPool {
  private readonly options: DirectOptions;
  private plain?: http.Agent;
  private secure?: Https.Agent;

  constructor(options: DirectOptions) {
    this.options = options;
  }

  /** Sends `req` to `target` once; the response body is a Node stream the caller must consume or destroy. */
  send(req: HttpRequest, target: URL, headers: Record<string, string>): Promise<HttpResponse> {
    const body = req.body?.();
    const h: Record<string, string> = { ...headers };
    const has = (name: string) => Object.keys(h).some((k) => k.toLowerCase() === name);
    if (body === undefined) {
      if (WITH_BODY.has(req.method) && !has("content-length")) h["content-length"] = "0";
    } else if (!isStreamBody(body) && !has("content-length")) {
      h["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    }
    const secure = target.protocol === "https:";
    const agent = secure ? this.secureAgent() : this.plainAgent();
    const request = (secure ? https().request : http.request) as typeof http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const cr = request(target, { method: req.method, headers: h, agent, signal: req.signal });
      let res: http.IncomingMessage | undefined;
      let sent = false;
      const ms = this.options.timeoutMs;
      const seconds = Math.round(ms / 1000);
      // Errors after the response arrived reach its body (below); before, they reject.
      cr.on("error", reject);
      // The socket's own idle timer, watched for this exchange only (a pooled socket is reused).
      const judge = (socket: Socket): void => {
        if (!res) {
          if (!sent && !socket.writableNeedDrain) return void socket.setTimeout(ms);
          cr.destroy(timeoutError(sent ? `no response from ${target.host} within ${seconds} s` : `${target.host} stopped reading the request body for ${seconds} s`));
          return;
        }
        if (res.complete) return;
        // Bytes waiting in the body: our consumer is behind (backpressure), the registry is not.
        if (res.readableLength > 0) return void socket.setTimeout(ms);
        res.destroy(timeoutError(`${target.host} sent nothing for ${seconds} s`));
        cr.destroy();
      };
      // The timer fires before the loop reads the sockets: when our own thread was busy (a
      // long synchronous disk write), bytes that came meanwhile are still unread. They are
      // read before setImmediate's turn; only a socket that moved nothing even then stalled.
      const onTimeout = (): void => {
        const socket = cr.socket;
        if (!socket) return;
        const moved = socket.bytesRead + socket.bytesWritten;
        setImmediate(() => {
          if (socket.bytesRead + socket.bytesWritten === moved) judge(socket);
        });
      };
      cr.once("socket", (socket: Socket) => {
        socket.setTimeout(ms);
        socket.on("timeout", onTimeout);
        cr.once("close", () => socket.off("timeout", onTimeout));
      });
      cr.on("finish", () => (sent = true));
      cr.once("response", (r) => {
        res = r;
        resolve(response(r, req.url));
      });
      if (isStreamBody(body)) {
        pipeline(body, cr, (err) => {
          if (err) cr.destroy(err);
        });
      } else {
        cr.end(body);
      }
    });
  }

  /** Closes every pooled connection. */
  close(): void {
    this.plain?.destroy();
    this.secure?.destroy();
  }

  private agentOptions(): http.AgentOptions {
    return { keepAlive: true, maxSockets: this.options.connections, timeout: this.options.keepAliveMs, scheduling: "lifo" };
  }

  private plainAgent(): http.Agent {
    return (this.plain ??= new http.Agent(this.agentOptions()));
  }

  private secureAgent(): Https.Agent {
    return (this.secure ??= new (https().Agent)({ ...this.agentOptions(), ...this.options.tls() }));
  }
}

/** The transport's response over a Node response. */
function response(r: http.IncomingMessage, url: string): HttpResponse {
  const h = r.headers;
  return {
    status: r.statusCode ?? 0,
    headers: h,
    body: r,
    url,
    header(name: string) {
      const v = h[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    headerAll(name: string) {
      return r.headersDistinct[name.toLowerCase()] ?? [];
    },
  };
}
