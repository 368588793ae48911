/**
 * The retry layer through the whole Transport, against a loopback server: transient answers
 * and resets are tried again, a body that is a stream never is (it was consumed), whether
 * the attempt failed or was answered.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { Transport } from "../../src/http/transport.js";
import { OcidistError } from "../../src/model/errors.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
const transports: Transport[] = [];
after(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
});

function transport(retries = 3): Transport {
  const t = new Transport({ retries, retryBaseMs: 1, retryMaxMs: 5 });
  transports.push(t);
  return t;
}

async function server(...args: Parameters<typeof loopback>): Promise<Loopback> {
  const s = await loopback(...args);
  servers.push(s);
  return s;
}

test("a stream body whose connection is reset is not sent again", async () => {
  const s = await server(() => "reset");
  let made = 0;
  const body = () => {
    made++;
    return Readable.from([Buffer.from("layer bytes")]);
  };
  await assert.rejects(transport().request({ method: "PUT", url: `${s.url}/upload`, body }), OcidistError);
  assert.equal(made, 1, "the body factory was called again for a consumed stream");
  assert.equal(s.seen.length, 1);
});

test("a byte body whose connection is reset is sent again, up to the retries", async () => {
  const s = await server((_req, res, i) => {
    if (i < 2) return "reset";
    res.end("ok");
  });
  let made = 0;
  const res = await transport().request({ method: "PUT", url: `${s.url}/upload`, body: () => (made++, Buffer.from("bytes")) });
  res.body.resume();
  assert.equal(res.status, 200);
  assert.equal(made, 3);
  assert.deepEqual(s.seen.map((r) => r.bodyBytes), [5, 5, 5]);
});

test("a stream body answered 503 is returned as it is", async () => {
  const s = await server((_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  const res = await transport().request({ method: "PATCH", url: `${s.url}/chunk`, body: () => Readable.from([Buffer.from("chunk")]) });
  res.body.resume();
  assert.equal(res.status, 503);
  assert.equal(s.seen.length, 1);
});

test("503 with Retry-After, then 200: retried; the last 503 is returned when retries run out", async () => {
  const s = await server((_req, res, i) => {
    res.statusCode = i === 0 ? 503 : 200;
    res.setHeader("retry-after", "0");
    res.end();
  });
  const ok = await transport().request({ method: "GET", url: `${s.url}/v2/` });
  ok.body.resume();
  assert.equal(ok.status, 200);
  assert.equal(s.seen.length, 2);

  const always = await server((_req, res) => {
    res.statusCode = 429;
    res.end();
  });
  const res = await transport(2).request({ method: "GET", url: `${always.url}/v2/` });
  res.body.resume();
  assert.equal(res.status, 429);
  assert.equal(always.seen.length, 3);
});

test("retry: false and 4xx answers are sent once", async () => {
  const s = await server((_req, res) => {
    res.statusCode = 502;
    res.end();
  });
  const res = await transport().request({ method: "GET", url: `${s.url}/a`, retry: false });
  res.body.resume();
  assert.equal(s.seen.length, 1);
  const gone = await server((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const nf = await transport().request({ method: "GET", url: `${gone.url}/a` });
  nf.body.resume();
  assert.equal(nf.status, 404);
  assert.equal(gone.seen.length, 1);
});

test("the transport's retry policy is built from its options", () => {
  const t = transport(7);
  assert.equal(t.retryPolicy.retries, 7);
  assert.ok(t.retryPolicy.delay(10) <= 5);
});
