/**
 * One access-log line per request (`-v`): client, user, request line, status, bytes sent,
 * time taken. Query strings are kept (this API carries no secret in them); what is not printable
 * ASCII in the request target is percent-escaped, so a request cannot forge or colour a log line.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { safeUrl } from "./connections.js";

/** Calls `log` with a line once the answer to `req` is complete or the connection is gone. */
export function logRequest(req: IncomingMessage, res: ServerResponse, log: (line: string) => void, user: () => string | undefined): void {
  const start = process.hrtime.bigint();
  let done = false;
  const line = (how: string) => {
    if (done) return;
    done = true;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const length = res.getHeader("content-length") ?? "-";
    log(`${req.socket.remoteAddress ?? "-"} ${user() ?? "-"} "${req.method} ${safeUrl(req.url)} HTTP/${req.httpVersion}" ${res.statusCode} ${String(length)} ${ms.toFixed(1)}ms${how}`);
  };
  res.once("finish", () => line(""));
  res.once("close", () => line(" (connection closed)"));
}
