/**
 * `ocidist serve` against clients that try to hold its sockets, file descriptors and memory,
 * over real sockets with short limits given through `serve()`'s `limits` option: headers
 * trickled or never sent (408 at `headersTimeout`), a body trickled or an answer never read
 * (cut by the transfer watchdog) while a slow but steady body is not, a flood of connections
 * past `maxConnections` (refused; served again once they close) and of idle kept-alive ones
 * (reclaimed), upload sessions past their cap (429) or left idle (404 BLOB_UPLOAD_UNKNOWN),
 * manifest bodies past the memory budget (429), and what a client sends echoed only escaped.
 * Every wait is for an event; no assertion is on how fast anything happens.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { serve, type RunningServer } from "../../src/index.js";
import type { ServeLimits } from "../../src/model/limits.js";
import { tempDir } from "../helpers/cli.js";
import { curl, errorCode } from "../helpers/serve.js";

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A server over a fresh directory with `limits`, its log lines collected; stopped after `fn`. */
async function withServer(limits: Partial<ServeLimits>, fn: (s: RunningServer, log: string[], dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir("ocidist-serve-limits-");
  const log: string[] = [];
  const s = await serve(dir, { address: "127.0.0.1:0", limits, log: (l) => log.push(l) });
  try {
    await fn(s, log, dir);
  } finally {
    await s.close();
  }
}

/** A raw connection to the server, connected. */
function open(s: RunningServer): Promise<Socket> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => resolve(sock));
    sock.once("error", reject);
  });
}

/** Everything the server sent on `sock` until the connection closed (Latin-1). */
function closed(sock: Socket): Promise<string> {
  let data = "";
  sock.on("data", (d: Buffer) => (data += d.toString("latin1")));
  sock.on("error", () => undefined);
  return new Promise((resolve) => sock.once("close", () => resolve(data)));
}

/** Resolves once `lines` holds a line matching `re`. */
async function logged(lines: string[], re: RegExp): Promise<string> {
  for (;;) {
    const hit = lines.find((l) => re.test(l));
    if (hit) return hit;
    await sleep(20);
  }
}

/** Writes `chunk` on `sock` every `ms` until it closes; returns a stop function. */
function trickle(sock: Socket, chunk: string | Buffer, ms: number): () => void {
  const t = setInterval(() => {
    if (!sock.destroyed) sock.write(chunk);
  }, ms);
  sock.once("close", () => clearInterval(t));
  return () => clearInterval(t);
}

/** Starts an upload session; its path. */
async function startUpload(s: RunningServer, repo: string): Promise<string> {
  const a = await curl(`${s.url}/v2/${repo}/blobs/uploads/`, ["-X", "POST"]);
  assert.equal(a.status, 202, a.text);
  return a.headers.location!;
}

/** One HTTP/1.1 request on a raw socket, resolved with the answer's head once it has `bodyLength` body bytes. */
function ask(sock: Socket, request: string, bodyLength: number): Promise<string> {
  let data = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      data += d.toString("latin1");
      const end = data.indexOf("\r\n\r\n");
      if (end >= 0 && data.length - end - 4 >= bodyLength) {
        sock.off("data", onData);
        resolve(data.slice(0, end));
      }
    };
    sock.on("data", onData);
    sock.once("error", reject);
    sock.write(request);
  });
}

test("headers trickled or never sent: 408 and the connection closed at headersTimeout; others still served", { timeout: 60_000 }, async () => {
  await withServer({ headersTimeout: 500 }, async (s) => {
    const silent = await open(s);
    const slow = await open(s);
    slow.write("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    trickle(slow, "a", 50);
    const [a, b] = await Promise.all([closed(silent), closed(slow)]);
    assert.match(a, /^HTTP\/1\.1 408 /);
    // The trickler may see a reset before the 408 (it keeps writing); it is disconnected either way.
    assert.ok(b === "" || /^HTTP\/1\.1 408 /.test(b), b);
    assert.equal((await curl(`${s.url}/v2/`)).status, 200);
  });
});

test("a header block over 16 KiB is 431", async () => {
  await withServer({}, async (s) => {
    const a = await curl(`${s.url}/v2/`, ["-H", `X-Big: ${"a".repeat(17 * 1024)}`]);
    assert.equal(a.status, 431);
  });
});

test("a PATCH body trickled below minTransferRate is cut; a slow but steady one outlives every timeout", { timeout: 60_000 }, async () => {
  await withServer({ headersTimeout: 500, transferWindow: 1500, minTransferRate: 700 }, async (s, log) => {
    // 10 bytes a second against 700 wanted.
    const location = await startUpload(s, "slow/body");
    const sock = await open(s);
    const gone = closed(sock);
    sock.write(`PATCH ${location} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`);
    trickle(sock, "x", 100);
    assert.doesNotMatch(await gone, /^HTTP\/1\.1 202/);
    assert.match(await logged(log, /connection cut: PATCH/), /bytes in 1500 ms/);
    // The session stays, with what reached it: the client may resume.
    const st = await curl(`${s.url}${location}`);
    assert.equal(st.status, 204);
    assert.ok(Number(st.headers.range!.split("-")[1]) < 1_000_000, st.headers.range);

    // 20 KiB a second for 4 s: longer than headersTimeout and two windows, and kept.
    const steady = await startUpload(s, "slow/steady");
    const sock2 = await open(s);
    const chunk = Buffer.alloc(2048, 0x61);
    const total = 40 * chunk.length;
    const answer = ask(sock2, `PATCH ${steady} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`, 0);
    for (let i = 0; i < 40; i++) {
      sock2.write(chunk);
      await sleep(100);
    }
    const head = await answer;
    assert.match(head, /^HTTP\/1\.1 202 /);
    assert.match(head, new RegExp(`\\r\\nRange: 0-${total - 1}\\r\\n`, "i"));
    sock2.destroy();
  });
});

test("a client that never reads the blob it asked for is cut; the blob is still served to others", { timeout: 120_000 }, async () => {
  await withServer({ transferWindow: 300, minTransferRate: 1000 }, async (s, log, dir) => {
    // Larger than what the kernel buffers on loopback, so the server's writes back up.
    const bytes = randomBytes(48 * 1024 * 1024);
    const digest = sha(bytes);
    mkdirSync(join(dir, "big/blobs/sha256"), { recursive: true });
    writeFileSync(join(dir, "big/oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(dir, "big/index.json"), '{"schemaVersion":2,"manifests":[]}');
    writeFileSync(join(dir, "big/blobs/sha256", digest.slice(7)), bytes);
    const sock = await open(s);
    sock.pause();
    sock.on("error", () => undefined);
    sock.write(`GET /v2/big/blobs/${digest} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(await logged(log, /connection cut: GET \/v2\/big\/blobs\//), /moved/);
    sock.destroy();
    const a = await curl(`${s.url}/v2/big/blobs/${digest}`);
    assert.equal(a.status, 200);
    assert.equal(sha(a.body), digest);
  });
});

test("connections past maxConnections are refused; a client is served again once they close", { timeout: 60_000 }, async () => {
  await withServer({ maxConnections: 8 }, async (s, log) => {
    const held: Socket[] = [];
    for (let i = 0; i < 8; i++) held.push(await open(s));
    const extra = await Promise.all(Array.from({ length: 4 }, () => open(s).then(closed)));
    assert.deepEqual(extra, ["", "", "", ""], "refused without an answer");
    await assert.rejects(curl(`${s.url}/v2/`), "a ninth client is refused while eight connections are held");
    assert.match(await logged(log, /connection refused: 8 connections open/), /refused so far/);
    for (const h of held) h.destroy();
    for (;;) {
      const a = await curl(`${s.url}/v2/`).catch(() => undefined);
      if (a) {
        assert.equal(a.status, 200);
        break;
      }
      await sleep(20);
    }
  });
});

test("idle kept-alive connections are reclaimed near maxConnections: twenty clients in turn all get served under a cap of 8", { timeout: 60_000 }, async () => {
  await withServer({ maxConnections: 8 }, async (s) => {
    const socks: Socket[] = [];
    let closedByServer = 0;
    for (let i = 0; i < 20; i++) {
      const sock = await open(s);
      sock.once("close", () => closedByServer++);
      socks.push(sock);
      const head = await ask(sock, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n", 2);
      assert.match(head, /^HTTP\/1\.1 200 /, `client ${i}`);
    }
    // Each is kept alive by the client; the server closed enough of them to stay under its cap.
    for (;;) {
      if (20 - closedByServer <= 8) break;
      await sleep(20);
    }
    for (const sock of socks) sock.destroy();
  });
});

test("upload sessions: past maxUploadSessions 429 TOOMANYREQUESTS; a cancelled one frees its place", async () => {
  await withServer({ maxUploadSessions: 3 }, async (s) => {
    const first = await startUpload(s, "up/a");
    await startUpload(s, "up/a");
    await startUpload(s, "up/b");
    const a = await curl(`${s.url}/v2/up/a/blobs/uploads/`, ["-X", "POST"]);
    assert.deepEqual([a.status, errorCode(a)], [429, "TOOMANYREQUESTS"]);
    assert.equal((await curl(`${s.url}${first}`, ["-X", "DELETE"])).status, 204);
    await startUpload(s, "up/a");
  });
});

test("an upload session left idle past uploadSessionTimeout answers 404 BLOB_UPLOAD_UNKNOWN and frees its place and file", { timeout: 60_000 }, async () => {
  await withServer({ maxUploadSessions: 2, uploadSessionTimeout: 300 }, async (s, _log, dir) => {
    const sessions = [await startUpload(s, "up/a"), await startUpload(s, "up/b")];
    // Untouched for longer than the timeout (a slower machine only makes them more expired).
    await sleep(700);
    let a = await curl(`${s.url}${sessions[0]}`);
    assert.deepEqual([a.status, errorCode(a)], [404, "BLOB_UPLOAD_UNKNOWN"]);
    a = await curl(`${s.url}${sessions[1]}`, ["-X", "PATCH", "--data-binary", "late"]);
    assert.deepEqual([a.status, errorCode(a)], [404, "BLOB_UPLOAD_UNKNOWN"]);
    // The expired ones left their places (the cap is 2) and their files.
    await startUpload(s, "up/c");
    const files = readdirSync(join(dir, ".uploads")).flatMap((w) => readdirSync(join(dir, ".uploads", w)));
    assert.equal(files.length, 1, files.join(" "));
  });
});

test("manifest bodies past maxBodyMemory are 429 until the memory is given back", { timeout: 60_000 }, async () => {
  const cap = 4 * 1024 * 1024;
  await withServer({ maxBodyMemory: cap }, async (s) => {
    const small = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [], annotations: { pad: "p".repeat(500) } });
    const put = () => curl(`${s.url}/v2/mem/b/manifests/v1`, ["-X", "PUT", "-H", "Content-Type: application/vnd.oci.image.index.v1+json", "--data-binary", small]);
    assert.equal((await put()).status, 201);
    // One client holds almost the whole budget with a manifest it does not finish.
    const hog = await open(s);
    const hogClosed = closed(hog);
    hog.write(`PUT /v2/mem/a/manifests/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: ${cap}\r\n\r\n`);
    hog.write(Buffer.alloc(cap - 100, 0x20));
    // Once the server holds the hog's bytes, the small one no longer fits. (Sending small
    // ones while the hog's last chunks arrive would race: whichever comes second is refused.)
    while (s.bodyBytesHeld < cap - 100) await sleep(10);
    const refused = await put();
    assert.deepEqual([refused.status, errorCode(refused)], [429, "TOOMANYREQUESTS"], refused.text);
    hog.destroy();
    await hogClosed;
    while (s.bodyBytesHeld > 0) await sleep(10);
    const fits = await put();
    assert.equal(fits.status, 201, fits.text);
    assert.equal(s.bodyBytesHeld, 0);
  });
});

test("what a client sends comes back only escaped; backslashes in a path are refused", async () => {
  await withServer({}, async (s) => {
    const a = await curl(`${s.url}/v2/esc/app/manifests/%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    assert.deepEqual([a.status, errorCode(a)], [400, "TAG_INVALID"]);
    assert.equal(a.headers["x-content-type-options"], "nosniff");
    assert.doesNotMatch(a.text, /[<>]/);
    const detail = (JSON.parse(a.text) as { errors: { detail: { tag: string } }[] }).errors[0]!.detail.tag;
    assert.equal(detail, "<script>alert(1)</script>");
    for (const path of ["/v2/esc/app\\..\\..\\x/tags/list", "/v2/esc/app%5c..%5cx/tags/list"]) {
      const b = await curl(`${s.url}${path}`, ["--path-as-is"]);
      assert.deepEqual([b.status, errorCode(b)], [400, "NAME_INVALID"], path);
    }
  });
});

test("limits are checked", async () => {
  const dir = tempDir("ocidist-serve-limits-");
  await assert.rejects(serve(dir, { address: "127.0.0.1:0", limits: { maxConnections: 0 } }), /maxConnections must be a positive integer/);
  await assert.rejects(serve(dir, { address: "127.0.0.1:0", limits: { maxBodyMemory: 1024 } }), /at least/);
});
