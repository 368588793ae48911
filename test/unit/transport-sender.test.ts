/**
 * The base sender: one request, no redirect followed, the User-Agent set, and its settings
 * checked when it is made (a malformed proxy, a CA file without a certificate).
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Sender } from "../../src/http/sender.js";
import { UsageError } from "../../src/model/errors.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

test("sends once, returns redirects as they are, with headers readable by name", async () => {
  const s = await loopback((_req, res) => {
    res.statusCode = 302;
    res.setHeader("location", "/elsewhere");
    res.setHeader("www-authenticate", ['Bearer realm="a"', 'Basic realm="b"']);
    res.end();
  });
  servers.push(s);
  const sender = new Sender({ userAgent: "ocidist-test" });
  let made = 0;
  const res = await sender.send({ method: "POST", url: `${s.url}/v2/x/blobs/uploads/?a=1`, body: () => (made++, "12345"), headers: { "x-one": "1" } });
  res.body.resume();
  await sender.close();
  assert.equal(res.status, 302);
  assert.equal(res.header("Location"), "/elsewhere");
  assert.deepEqual(res.headerAll("www-authenticate"), ['Bearer realm="a"', 'Basic realm="b"']);
  assert.equal(res.header("WWW-Authenticate"), 'Bearer realm="a", Basic realm="b"');
  assert.equal(made, 1);
  assert.deepEqual(s.seen.map((r) => [r.method, r.url, r.bodyBytes, r.headers["user-agent"], r.headers["x-one"]]), [["POST", "/v2/x/blobs/uploads/?a=1", 5, "ocidist-test", "1"]]);
});

test("a malformed proxy or a CA file without a certificate is a usage error at once", () => {
  assert.throws(() => new Sender({ proxy: "not a url" }), UsageError);
  const dir = mkdtempSync(join(tmpdir(), "ocidist-sender-"));
  const empty = join(dir, "empty.pem");
  writeFileSync(empty, "nothing here");
  assert.throws(() => new Sender({ caFiles: [empty] }), /holds no PEM certificate/);
  assert.throws(() => new Sender({ caFiles: [join(dir, "absent.pem")] }), /no such file/);
});
