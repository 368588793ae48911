/**
 * The logging layer: one line per hop and per retry wait, with status and duration, and
 * never a secret (query values of signed URLs, userinfo, headers).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { withLogging } from "../../src/http/logging.js";
import { Transport } from "../../src/http/transport.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

test("each hop and each retry is one redacted line", async () => {
  const cdn = await loopback((_req, res, i) => {
    res.statusCode = i === 0 ? 503 : 200;
    res.end();
  });
  const reg = await loopback((_req, res) => {
    res.statusCode = 307;
    res.setHeader("location", `${cdn.url}/blob?X-Amz-Signature=topsecret&digest=sha256:1`);
    res.end();
  });
  servers.push(cdn, reg);
  const lines: string[] = [];
  const t = new Transport({ retries: 1, retryBaseMs: 1, log: (l) => lines.push(l) });
  const userinfo = reg.url.replace("http://", "http://alice:pw@");
  const res = await t.request({ method: "GET", url: `${userinfo}/v2/x/blobs/sha256:1`, headers: { authorization: "Bearer topsecret" } });
  res.body.resume();
  await t.close();
  assert.equal(res.status, 200);
  assert.equal(lines.length, 5, lines.join("\n"));
  assert.match(lines[0]!, /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/x\/blobs\/sha256:1 → 307 \(\d+ ms\)$/);
  assert.match(lines[1]!, /\/blob\?X-Amz-Signature=REDACTED&digest=sha256%3A1 → 503 /);
  assert.match(lines[2]!, /: 503, retry 1\/1 in \d+ ms$/);
  assert.match(lines[4]!, / → 200 /);
  for (const l of lines) assert.doesNotMatch(l, /topsecret|alice|pw@/);
});

test("a failed send logs its error code and passes the error on", async () => {
  const lines: string[] = [];
  const failing = withLogging(() => Promise.reject(Object.assign(new Error("boom"), { code: "ECONNRESET" })), (l) => lines.push(l));
  await assert.rejects(failing({ method: "HEAD", url: "https://reg.example/v2/?token=abc" }), /boom/);
  assert.match(lines[0]!, /^HEAD https:\/\/reg\.example\/v2\/\?token=REDACTED → ECONNRESET \(\d+ ms\)$/);
});

test("without a log function the layer is the next one itself", () => {
  const next = () => Promise.reject(new Error("x"));
  assert.equal(withLogging(next, undefined), next);
});
