/**
 * A node:http server on 127.0.0.1 for transport unit tests: a handler decides each answer
 * (or resets the connection), and every request is recorded with its headers and body size.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  bodyBytes: number;
}

/** A running loopback server. */
export interface Loopback {
  /** `http://127.0.0.1:PORT` */
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** What the handler does with one request: answer it, or reset its connection. */
export type Handler = (req: SeenRequest, res: ServerResponse, index: number) => void | "reset";

/** Starts a server on loopback; the body of each request is read before the handler runs. */
export async function loopback(handler: Handler): Promise<Loopback> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on("data", (c: Buffer) => (bodyBytes += c.length));
    req.on("end", () => {
      const s: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, bodyBytes };
      seen.push(s);
      if (handler(s, res, seen.length - 1) === "reset") req.socket.destroy();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}
