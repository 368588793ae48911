/**
 * Direct connections over Node's http: the idle timeout blames the registry only when
 * the registry stalls (no headers, no body bytes, a request body it stops reading), never
 * when ocidist's own side is slow (a consumer under backpressure, a slow upload source);
 * bodies are framed as registries expect.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { setTimeout as wait } from "node:timers/promises";
import { after, test } from "node:test";
import { DirectPool } from "../../src/http/direct.js";
import { errorCode } from "../../src/http/round-trip.js";

const TIMEOUT = 300;
const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

async function server(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const s = createServer(handler);
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  closers.push(() => {
    s.closeAllConnections();
    return new Promise((ok) => s.close(() => ok()));
  });
  return new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v2/x`);
}

function pool(): DirectPool {
  const p = new DirectPool({ connections: 4, timeoutMs: TIMEOUT, keepAliveMs: 1000, tls: () => ({ rejectUnauthorized: true }) });
  closers.push(async () => p.close());
  return p;
}

async function drain(body: Readable): Promise<number> {
  let n = 0;
  for await (const c of body) n += (c as Buffer).length;
  return n;
}

const BIG = 16 * 1024 * 1024;

test("a registry that sends no headers, or stops sending the body, times out with ETIMEDOUT", async () => {
  const url = await server((req, res) => {
    if (req.url?.endsWith("/silent")) return;
    res.writeHead(200, { "content-length": "100" });
    res.write(Buffer.alloc(10));
  });
  const p = pool();
  await assert.rejects(p.send({ method: "GET", url: `${url}/silent` }, new URL(`${url}/silent`), {}), (e: unknown) => errorCode(e) === "ETIMEDOUT" && /no response from 127\.0\.0\.1:\d+ within/.test(String(e)));
  const res = await p.send({ method: "GET", url: url.href }, url, {});
  await assert.rejects(drain(res.body), (e: unknown) => errorCode(e) === "ETIMEDOUT" && /sent nothing for/.test(String(e)));
});

test("a consumer slower than the timeout is not a registry that stalled: the whole body arrives", async () => {
  const url = await server((_req, res) => {
    res.writeHead(200, { "content-length": String(BIG) });
    res.end(Buffer.alloc(BIG, 7));
  });
  const res = await pool().send({ method: "GET", url: url.href }, url, {});
  let n = 0;
  for await (const c of res.body) {
    n += (c as Buffer).length;
    // Pause long enough for the socket's buffers to fill and its idle timer to fire.
    if (n === (c as Buffer).length) await wait(TIMEOUT * 4);
  }
  assert.equal(n, BIG);
});

test("a thread of ours blocked past the timeout is not a registry that stalled: bytes that came meanwhile are read", async () => {
  const url = await server((_req, res) => {
    res.writeHead(200, { "content-length": "10" });
    res.flushHeaders();
    // The body comes while the client's thread is blocked (this server shares it): its timer
    // runs first after the block, then the client's idle timer, before the socket is read.
    setTimeout(() => res.end(Buffer.alloc(10, 1)), 20);
  });
  const res = await pool().send({ method: "GET", url: url.href }, url, {});
  const until = Date.now() + TIMEOUT * 3;
  while (Date.now() < until); // a synchronous disk write that took long
  assert.equal(await drain(res.body), 10);
});

test("a registry that stops reading a request body times out; a slow source of ours does not", async () => {
  const url = await server((req, res) => {
    if (req.url?.endsWith("/deaf")) {
      req.pause();
      return;
    }
    let n = 0;
    req.on("data", (c: Buffer) => (n += c.length));
    req.on("end", () => res.end(String(n)));
  });
  const p = pool();
  const deaf = new URL(`${url}/deaf`);
  await assert.rejects(
    p.send({ method: "PATCH", url: deaf.href, body: () => Readable.from([Buffer.alloc(BIG)]) }, deaf, {}),
    (e: unknown) => errorCode(e) === "ETIMEDOUT" && /stopped reading the request body/.test(String(e)),
  );
  async function* slow(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 3; i++) {
      await wait(TIMEOUT * 2);
      yield Buffer.alloc(1000);
    }
  }
  const res = await p.send({ method: "PATCH", url: url.href, body: () => Readable.from(slow()) }, url, {});
  assert.equal(res.status, 200);
  assert.equal(Buffer.concat(await res.body.toArray()).toString(), "3000");
});

test("an empty POST says content-length: 0; a byte body gets its length; headers keep every value", async () => {
  const seen: IncomingMessage["headers"][] = [];
  const url = await server((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.setHeader("www-authenticate", ['Bearer realm="a"', 'Basic realm="b"']);
      res.end();
    });
  });
  const p = pool();
  for (const body of [undefined, () => "héllo"]) {
    const res = await p.send({ method: "POST", url: url.href, body }, url, { "user-agent": "t" });
    await drain(res.body);
    assert.deepEqual(res.headerAll("WWW-Authenticate"), ['Bearer realm="a"', 'Basic realm="b"']);
  }
  assert.equal(seen[0]!["content-length"], "0");
  assert.equal(seen[0]!["transfer-encoding"], undefined);
  assert.equal(seen[1]!["content-length"], "6");
});

test("many exchanges on one pooled connection leave no listener behind", async () => {
  const url = await server((_req, res) => res.end("ok"));
  const p = pool();
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  for (let i = 0; i < 40; i++) await drain((await p.send({ method: "GET", url: url.href }, url, {})).body);
  await wait(10);
  process.off("warning", onWarning);
  assert.deepEqual(warnings, []);
});
