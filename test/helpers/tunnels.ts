/**
 * Tunnelling proxies of the tests' own, written from RFC 9110 (CONNECT) and RFC 1928
 * (SOCKS5, no authentication, CONNECT command only): a second network path to a registry.
 * `route` decides where a tunnel really goes, so one proxy can be faithful (to the host
 * asked for) and another can play an attacker on the path (to an impostor registry).
 */
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** Where a tunnel asked for `host:port` goes. */
export type Route = (host: string, port: number) => { host: string; port: number };

/** A running tunnelling proxy. */
export interface TunnelProxy {
  /** `http://127.0.0.1:PORT`, `https://127.0.0.1:PORT` or `socks5://127.0.0.1:PORT`. */
  url: string;
  /** Every `host:port` a client asked to reach, in order. */
  seen: string[];
  close(): Promise<void>;
}

const faithful: Route = (host, port) => ({ host, port });

async function listen(server: Server, scheme: string, seen: string[], sockets: Set<Socket>): Promise<TunnelProxy> {
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Connects to `to`, answers the client (`onOpen`), passes on what it already sent (`rest`), then joins the two. */
function splice(client: Socket, to: { host: string; port: number }, rest: Buffer, onOpen: () => void, onFail: () => void): void {
  const upstream = connect(to.port, to.host, () => {
    onOpen();
    if (rest.length) upstream.write(rest);
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on("error", () => {
    onFail();
    client.destroy();
  });
  client.on("error", () => upstream.destroy());
  client.on("close", () => upstream.destroy());
}

/**
 * An HTTP proxy that answers CONNECT only (what a client uses for any registry through a proxy);
 * with `tls` (PEM certificate and key) the client speaks TLS to the proxy itself (`https://`).
 */
export function startConnectProxy(route: Route = faithful, tls?: { cert: Buffer; key: Buffer }): Promise<TunnelProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const refuse = (_req: IncomingMessage, res: { writeHead(n: number): { end(): void } }) => res.writeHead(405).end();
  const server = tls ? createHttpsServer(tls, refuse) : createHttpServer(refuse);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(req.url ?? "");
    if (!m) return void client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    seen.push(req.url!);
    splice(client, route(m[1]!, Number(m[2])), head, () => client.write("HTTP/1.1 200 Connection Established\r\n\r\n"), () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
  });
  return listen(server, tls ? "https" : "http", seen, sockets);
}

/** A SOCKS5 proxy (no authentication; IPv4, IPv6 and domain-name targets). */
export function startSocks5Proxy(route: Route = faithful): Promise<TunnelProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    let buf = Buffer.alloc(0);
    let stage: "greeting" | "request" | "done" = "greeting";
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === "greeting") {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        if (buf[0] !== 5) return void client.destroy();
        buf = buf.subarray(2 + buf[1]!);
        client.write(Buffer.from([5, 0]));
        stage = "request";
      }
      if (stage !== "request" || buf.length < 5) return;
      const atyp = buf[3];
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      if (buf.length < 4 + addrLen + 2) return;
      const addr = buf.subarray(4, 4 + addrLen);
      const host = atyp === 1 ? [...addr].join(".") : atyp === 4 ? (addr.toString("hex").match(/.{4}/g) ?? []).join(":") : addr.subarray(1).toString("latin1");
      const port = buf.readUInt16BE(4 + addrLen);
      const rest = buf.subarray(4 + addrLen + 2);
      stage = "done";
      client.off("data", onData);
      if (buf[1] !== 1) return void client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
      seen.push(`${host}:${port}`);
      splice(client, route(host, port), rest, () => client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0])), () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
    };
    client.on("data", onData);
  });
  return listen(server, "socks5", seen, sockets);
}
