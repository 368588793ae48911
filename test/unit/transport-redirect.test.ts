/**
 * The redirect layer: credentials stay on their host, https never falls to plain http
 * (unless insecure), 303 turns into a GET, and loops end. Real hops go between two loopback
 * servers (two ports are two hosts); the https case uses a fake next layer.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { withRedirects } from "../../src/http/redirects.js";
import type { HttpResponse, RoundTripper } from "../../src/http/round-trip.js";
import { Transport } from "../../src/http/transport.js";
import { OcidistError } from "../../src/model/errors.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
const t = new Transport({ retries: 0 });
after(async () => {
  await t.close();
  await Promise.all(servers.map((s) => s.close()));
});

async function server(...args: Parameters<typeof loopback>): Promise<Loopback> {
  const s = await loopback(...args);
  servers.push(s);
  return s;
}

const secret = { authorization: "Bearer s3cret", cookie: "session=1", "proxy-authorization": "Basic eA==", accept: "application/json" };

test("a redirect to another host drops Authorization, Cookie and Proxy-Authorization", async () => {
  const cdn = await server((_req, res) => void res.end("blob"));
  const reg = await server((req, res) => {
    res.statusCode = req.url === "/same" ? 307 : 302;
    res.setHeader("location", req.url === "/same" ? "/final" : `${cdn.url}/blob?sig=abc`);
    if (req.url === "/final") res.statusCode = 200;
    res.end();
  });
  const res = await t.request({ method: "GET", url: `${reg.url}/v2/x/blobs/sha256:1`, headers: secret });
  res.body.resume();
  assert.equal(res.status, 200);
  assert.equal(res.url, `${cdn.url}/blob?sig=abc`);
  const hop = cdn.seen[0]!.headers;
  assert.equal(hop.authorization, undefined);
  assert.equal(hop.cookie, undefined);
  assert.equal(hop["proxy-authorization"], undefined);
  assert.equal(hop.accept, "application/json");

  const same = await t.request({ method: "GET", url: `${reg.url}/same`, headers: secret });
  same.body.resume();
  assert.equal(reg.seen.at(-1)!.url, "/final");
  assert.equal(reg.seen.at(-1)!.headers.authorization, "Bearer s3cret", "same host keeps credentials");
});

test("PUT is not redirected unless asked; 303 becomes a GET without the body", async () => {
  const s = await server((req, res) => {
    if (req.url === "/done") return void res.end(req.method);
    res.statusCode = 303;
    res.setHeader("location", "/done");
    res.end();
  });
  const put = await t.request({ method: "PUT", url: `${s.url}/m`, body: () => "x" });
  put.body.resume();
  assert.equal(put.status, 303);
  const followed = await t.request({ method: "PUT", url: `${s.url}/m`, body: () => "abc", followRedirects: true });
  followed.body.resume();
  assert.equal(followed.status, 200);
  assert.deepEqual(s.seen.slice(-2).map((r) => [r.method, r.bodyBytes]), [["PUT", 3], ["GET", 0]]);
});

test("a redirect loop ends after ten hops", async () => {
  const s = await server((_req, res) => {
    res.statusCode = 301;
    res.setHeader("location", "/again");
    res.end();
  });
  await assert.rejects(t.request({ method: "GET", url: `${s.url}/start` }), /more than 10 redirects/);
  assert.equal(s.seen.length, 11);
});

/** A fake next layer that redirects every https request to `location`. */
function redirecting(location: string, seen: string[]): RoundTripper {
  return async (req) => {
    seen.push(req.url);
    const status = req.url.startsWith("https:") ? 302 : 200;
    const h: Record<string, string> = status === 302 ? { location } : {};
    const res: HttpResponse = { status, headers: h, body: Readable.from([]), url: req.url, header: (n) => h[n], headerAll: (n) => (h[n] ? [h[n]] : []) };
    return res;
  };
}

test("https to plain http is refused, unless insecure; other schemes always", async () => {
  const seen: string[] = [];
  const strict = withRedirects(redirecting("http://cdn.example/blob?X-Amz-Signature=secret", seen));
  await assert.rejects(strict({ method: "GET", url: "https://reg.example/v2/" }), (err: unknown) => {
    assert.ok(err instanceof OcidistError);
    assert.match(err.message, /refusing redirect from https to plain http/);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
  assert.deepEqual(seen, ["https://reg.example/v2/"]);
  const insecure = withRedirects(redirecting("http://cdn.example/blob", seen), { allowDowngrade: true });
  assert.equal((await insecure({ method: "GET", url: "https://reg.example/v2/" })).url, "http://cdn.example/blob");
  const file = withRedirects(redirecting("file:///etc/passwd", seen), { allowDowngrade: true });
  await assert.rejects(file({ method: "GET", url: "https://reg.example/v2/" }), /refusing redirect to a file: URL/);
});
