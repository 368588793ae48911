/**
 * `serve(dir, options)`: an OCI distribution registry (spec v1.1) over a directory of OCI
 * layouts, one per repository, on HTTP or HTTPS, optionally read-only and behind htpasswd
 * Basic authentication, every client bounded by `limits` (`connections.ts`, `sessions.ts`,
 * `budget.ts`; defaults in `model/limits.ts`). Returns once it listens; `close()` stops it.
 * @module
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttp, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { InvalidDigestError, OcidistError, UsageError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES, SERVE_LIMITS, type ServeLimits } from "../model/limits.js";
import { logRequest } from "./access-log.js";
import { DEFAULT_ADDRESS, parseAddress, urlOf } from "./address.js";
import { Htpasswd } from "./auth.js";
import { ByteBudget } from "./budget.js";
import { limitConnections, serverOptions, watchTransfer } from "./connections.js";
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
  /** Receives one access-log line per request, and a line for each connection refused or cut. */
  log?: (line: string) => void;
  /** What a client may hold of the server; each one left out is {@link SERVE_LIMITS}'s. */
  limits?: Partial<ServeLimits>;
}

/** The limits `serve` runs with: `given` over the defaults, each checked. @throws UsageError */
export function serveLimits(given: Partial<ServeLimits> = {}): ServeLimits {
  const limits: ServeLimits = { ...SERVE_LIMITS };
  for (const [key, value] of Object.entries(given) as [keyof ServeLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in SERVE_LIMITS)) throw new UsageError(`unknown serve limit ${JSON.stringify(key)}`);
    if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`serve limit ${key} must be a positive integer, not ${value}`);
    limits[key] = value;
  }
  if (limits.maxBodyMemory < MAX_MANIFEST_BYTES) throw new UsageError(`serve limit maxBodyMemory must be at least ${MAX_MANIFEST_BYTES} bytes (one manifest of the largest size)`);
  return limits;
}

/** A running registry. */
export interface RunningServer {
  /** `http://HOST:PORT` or `https://…` */
  readonly url: string;
  /** `HOST:PORT`, as a reference's registry part. */
  readonly host: string;
  /** Bytes of request bodies (manifests being received) held in memory now, against `maxBodyMemory`. */
  readonly bodyBytesHeld: number;
  /** Stops listening, ends connections and upload sessions. */
  close(): Promise<void>;
}

/** Starts a registry over `dir`. @throws UsageError, OcidistError */
export async function serve(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const { host, port } = parseAddress(options.address ?? DEFAULT_ADDRESS);
  const limits = serveLimits(options.limits);
  if (!!options.tlsCert !== !!options.tlsKey) throw new UsageError("--tls-cert and --tls-key go together");
  const auth = options.htpasswd ? await Htpasswd.load(options.htpasswd) : undefined;
  const tls = options.tlsCert && options.tlsKey
    ? await Promise.all([readFile(options.tlsCert), readFile(options.tlsKey)]).catch((err: Error) => {
        throw new OcidistError(`cannot read the TLS certificate or key: ${err.message}`);
      })
    : undefined;
  const storage = await Storage.open(dir);
  const sessions = new Sessions(() => storage.tempPath(), limits.maxUploadSessions, limits.uploadSessionTimeout);
  const shared: Shared = { storage, sessions, bodies: new ByteBudget(limits.maxBodyMemory), auth, readOnly: !!options.readOnly, log: options.log, limits };
  const handler = (req: IncomingMessage, res: ServerResponse) => void answer(req, res, shared);
  let server: HttpServer;
  try {
    const bounds = serverOptions(limits);
    server = tls ? (createHttps({ ...bounds, cert: tls[0], key: tls[1] }, handler) as unknown as HttpServer) : createHttp(bounds, handler);
  } catch (err) {
    await sessions.close();
    await storage.close();
    throw new OcidistError(`cannot use the TLS certificate and key: ${(err as Error).message}`);
  }
  limitConnections(server, limits, options.log);
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
    get bodyBytesHeld() {
      return shared.bodies.inUse;
    },
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
  bodies: ByteBudget;
  auth?: Htpasswd;
  readOnly: boolean;
  log?: (line: string) => void;
  limits: ServeLimits;
}

async function answer(req: IncomingMessage, res: ServerResponse, s: Shared): Promise<void> {
  let user: string | undefined;
  if (s.log) logRequest(req, res, s.log, () => user);
  watchTransfer(req, res, s.limits, s.log);
  res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
  // Every answer is JSON or bytes: never to be sniffed as markup.
  res.setHeader("X-Content-Type-Options", "nosniff");
  const head = req.method === "HEAD";
  // An answer sent before the body was read ends the connection (the rest of the body is not read).
  res.once("finish", () => {
    if (!req.complete) req.socket.destroySoon();
  });
  try {
    if (s.auth) user = await s.auth.check(req.headers.authorization);
    const raw = req.url ?? "/";
    // WHATWG URL parsing would resolve dot segments away, and reads a backslash as a slash; a request carrying either is refused.
    const path = raw.split("?")[0]!.replace(/%2e/gi, ".");
    if (/(?:^|\/)\.{1,2}(?:\/|$)/.test(path) || /\\|%5c/i.test(path) || !raw.startsWith("/")) throw new ServeError(400, "NAME_INVALID", "dot segments or backslashes in the path");
    const url = new URL(raw, "http://registry");
    const ctx: Ctx = { req, res, url, storage: s.storage, sessions: s.sessions, bodies: s.bodies, readOnly: s.readOnly, head };
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
