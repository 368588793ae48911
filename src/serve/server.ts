/**
 * `serve(dir, options)`: an OCI distribution registry (spec v1.1) over a directory of OCI
 * layouts, one per repository, on HTTP or HTTPS, optionally read-only and behind htpasswd
 * Basic authentication. Returns once it listens; `close()` stops it.
 * @module
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttp, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { InvalidDigestError, OcidistError, UsageError } from "../model/errors.js";
import { logRequest } from "./access-log.js";
import { DEFAULT_ADDRESS, parseAddress, urlOf } from "./address.js";
import { Htpasswd } from "./auth.js";
import type { Ctx } from "./context.js";
import { sendError, ServeError } from "./errors.js";
import { route } from "./router.js";
import { Sessions } from "./sessions.js";
import { Storage } from "./storage.js";

/** How `serve` runs. */
export interface ServeOptions {
  /** `HOST:PORT` (default `127.0.0.1:5000`; port 0 picks a free one). */
  address?: string;
  /** Refuse every write with 405 UNSUPPORTED. */
  readOnly?: boolean;
  /** An htpasswd file of bcrypt entries: Basic authentication for every request. */
  htpasswd?: string;
  /** PEM certificate chain and key: HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Receives one access-log line per request. */
  log?: (line: string) => void;
}

/** A running registry. */
export interface RunningServer {
  /** `http://HOST:PORT` or `https://…` */
  readonly url: string;
  /** `HOST:PORT`, as a reference's registry part. */
  readonly host: string;
  /** Stops listening, ends connections and upload sessions. */
  close(): Promise<void>;
}

/** Starts a registry over `dir`. @throws UsageError, OcidistError */
export async function serve(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const { host, port } = parseAddress(options.address ?? DEFAULT_ADDRESS);
  if (!!options.tlsCert !== !!options.tlsKey) throw new UsageError("--tls-cert and --tls-key go together");
  const auth = options.htpasswd ? await Htpasswd.load(options.htpasswd) : undefined;
  const tls = options.tlsCert && options.tlsKey
    ? await Promise.all([readFile(options.tlsCert), readFile(options.tlsKey)]).catch((err: Error) => {
        throw new OcidistError(`cannot read the TLS certificate or key: ${err.message}`);
      })
    : undefined;
  const storage = await Storage.open(dir);
  const sessions = new Sessions(() => storage.tempPath());
  const handler = (req: IncomingMessage, res: ServerResponse) => void answer(req, res, { storage, sessions, auth, readOnly: !!options.readOnly, log: options.log });
  let server: HttpServer;
  try {
    server = tls ? (createHttps({ cert: tls[0], key: tls[1] }, handler) as unknown as HttpServer) : createHttp(handler);
  } catch (err) {
    await sessions.close();
    await storage.close();
    throw new OcidistError(`cannot use the TLS certificate and key: ${(err as Error).message}`);
  }
  server.requestTimeout = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => reject(new OcidistError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    await sessions.close();
    await storage.close();
    throw err;
  }
  const bound = server.address() as AddressInfo;
  const url = urlOf(!!options.tlsCert, host, bound.port);
  return {
    url,
    host: new URL(url).host,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const t = setTimeout(() => server.closeAllConnections(), 500);
      await closed;
      clearTimeout(t);
      await sessions.close();
      await storage.close();
    },
  };
}

interface Shared {
  storage: Storage;
  sessions: Sessions;
  auth?: Htpasswd;
  readOnly: boolean;
  log?: (line: string) => void;
}

async function answer(req: IncomingMessage, res: ServerResponse, s: Shared): Promise<void> {
  let user: string | undefined;
  if (s.log) logRequest(req, res, s.log, () => user);
  res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
  const head = req.method === "HEAD";
  // An answer sent before the body was read ends the connection (the rest of the body is not read).
  res.once("finish", () => {
    if (!req.complete) req.socket.destroySoon();
  });
  try {
    if (s.auth) user = await s.auth.check(req.headers.authorization);
    const raw = req.url ?? "/";
    // WHATWG URL parsing would resolve dot segments away; a request carrying any is refused.
    if (/(?:^|\/)\.{1,2}(?:\/|$)/.test(raw.split("?")[0]!.replace(/%2e/gi, ".")) || !raw.startsWith("/")) throw new ServeError(400, "NAME_INVALID", "dot segments in the path");
    const url = new URL(raw, "http://registry");
    const ctx: Ctx = { req, res, url, storage: s.storage, sessions: s.sessions, readOnly: s.readOnly, head };
    await route(ctx)();
  } catch (err) {
    const e = asServeError(err);
    if (e.status >= 500) s.log?.(`error: ${(err as Error).message}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (!req.complete) res.setHeader("Connection", "close");
    sendError(res, e, head);
  }
}

/** What an error means to the client. */
function asServeError(err: unknown): ServeError {
  if (err instanceof ServeError) return err;
  if (err instanceof InvalidDigestError) return new ServeError(400, "DIGEST_INVALID", err.message);
  // The message may name the served directory's paths: it goes to the log (-v), not to the client.
  if (err instanceof OcidistError) return new ServeError(500, "UNKNOWN", "internal error");
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return new ServeError(507, "UNKNOWN", "no space left on the registry's disk");
  if (code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET") return new ServeError(400, "BLOB_UPLOAD_INVALID", "the request ended early");
  return new ServeError(500, "UNKNOWN", "internal error");
}
