/**
 * What a connection may hold of the server: Node's own bounds (headers within
 * `headersTimeout`, else 408; header block size and count; kept-alive connections closed after
 * `keepAliveTimeout`), a cap on open connections, and a transfer watchdog that cuts a request
 * body or an answer moving slower than `minTransferRate` over a `transferWindow`. There is no
 * bound on a request's total time (Node's `requestTimeout` is off): a large push or pull takes
 * as long as it keeps moving.
 * @module
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { SERVE_MAX_HEADER_BYTES, SERVE_MAX_HEADERS, type ServeLimits } from "../model/limits.js";

/** The options of `http.createServer` / `https.createServer` that bound a client. */
export function serverOptions(limits: ServeLimits): ServerOptions & { handshakeTimeout: number } {
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: 0,
    // Node checks the headers deadline this often (30 s by default, which would double a short timeout).
    connectionsCheckingInterval: Math.min(Math.max(Math.floor(limits.headersTimeout / 4), 10), 5_000),
    maxHeaderSize: SERVE_MAX_HEADER_BYTES,
    // TLS: a client that opens a connection and never finishes the handshake.
    handshakeTimeout: limits.headersTimeout,
  };
}

/**
 * Applies the limits that are properties of the server: kept-alive time, header count and
 * the connection cap. From three quarters of the cap on, each new connection closes the idle
 * kept-alive ones (as nginx reclaims them when it runs short), so idle connections alone never
 * lock clients out; past the cap a new connection is closed at once.
 */
export function limitConnections(server: Server, limits: ServeLimits, log?: (line: string) => void): void {
  server.keepAliveTimeout = limits.keepAliveTimeout;
  server.maxHeadersCount = SERVE_MAX_HEADERS;
  server.maxConnections = limits.maxConnections;
  let open = 0;
  server.on("connection", (socket: Socket) => {
    open++;
    socket.once("close", () => open--);
    if (open > (limits.maxConnections * 3) / 4) server.closeIdleConnections();
  });
  let dropped = 0;
  server.on("drop", () => {
    server.closeIdleConnections();
    // One line per 100 refusals: a flood must not flood the log too.
    if (dropped++ % 100 === 0) log?.(`connection refused: ${limits.maxConnections} connections open (${dropped} refused so far)`);
  });
}

/** Bytes the socket has received and handed to the kernel so far. */
function moved(socket: Socket): number {
  return socket.bytesRead + socket.bytesWritten - socket.writableLength;
}

/**
 * True while the server waits on the client: a body still arriving with room to take it (a
 * handler that is not reading does not count against the client), or answer bytes waiting
 * because the client does not take them.
 */
function waitingOnClient(req: IncomingMessage, socket: Socket): boolean {
  return (!req.complete && req.readableLength < req.readableHighWaterMark) || socket.writableLength > 0;
}

/**
 * Watches one request until its answer is done: at each `transferWindow` tick, if the server
 * waited on the client at this tick and the last one and fewer than `minTransferRate ×
 * window` bytes moved between them, the connection is destroyed (`log` says so).
 */
export function watchTransfer(req: IncomingMessage, res: ServerResponse, limits: ServeLimits, log?: (line: string) => void): void {
  const socket = req.socket;
  const minBytes = (limits.minTransferRate * limits.transferWindow) / 1000;
  let last = moved(socket);
  let waiting = false;
  const timer = setInterval(() => {
    const now = moved(socket);
    const wait = waitingOnClient(req, socket);
    if (waiting && wait && now - last < minBytes) {
      clearInterval(timer);
      log?.(`connection cut: ${req.method} ${safeUrl(req.url)} moved ${now - last} bytes in ${limits.transferWindow} ms (at least ${Math.ceil(minBytes)} wanted)`);
      socket.destroy();
      return;
    }
    waiting = wait;
    last = now;
  }, limits.transferWindow);
  timer.unref();
  res.once("close", () => clearInterval(timer));
}

/** A request target fit for a log line: anything but printable ASCII percent-escaped (a URL reaches Node as Latin-1), at most 300 characters. */
export function safeUrl(url = ""): string {
  const text = url.slice(0, 300).replace(/[^\x21-\x7e]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `%${n.toString(16).toUpperCase().padStart(2, "0")}` : "?";
  });
  return url.length > 300 ? `${text}…` : text;
}
