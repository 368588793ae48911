/**
 * Interop with registry behaviours other than docker-registry's, played by a rewriting
 * proxy in front of the rig: go-containerregistry's 204 on PATCH, tags and catalog pages
 * without `Link`, schema 1 re-signed on every GET or hashed over the whole signed body, and
 * clean-up of what a failed copy created.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, regFlags } from "../helpers/cli.js";
import { startRewritingProxy, type RewritingProxy } from "../interop/proxy.js";
import { schema1Payload } from "../../src/model/manifest-digest.js";
import { resignOnGet, wholeBodyDigests } from "../interop/schema1.js";

let rig: RigInfo;
let s: Seeded;
let proxy: RewritingProxy;
let src: string;

before(async () => {
  rig = await getRig();
  s = await seed(rig, rig.registries.open, "interopsrc");
  src = rig.registries.open.host;
  proxy = await startRewritingProxy(rig.registries.open.url);
});
after(() => proxy.close());

test("chunked upload: a registry that answers PATCH with 204 (go-containerregistry) is accepted", async () => {
  proxy.set((req, res) => (req.method === "PATCH" && res.status === 202 ? { ...res, status: 204 } : res));
  const r = await ocidist(["copy", "--chunk-size", "100", `${src}/${s.repos.layered}:v1`, `${proxy.host}/interop/chunk204:v1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(proxy.seen.some((q) => q.method === "PATCH"), "chunks were sent");
  const d = await ocidist(["digest", `${src}/interop/chunk204:v1`]);
  assert.equal(d.out.trim(), s.layered.manifest.digest);
});

test("chunked upload: a refused PATCH names the step and the status expected", async () => {
  proxy.set((req, res) => (req.method === "PATCH" ? { status: 302, headers: { location: "/elsewhere" }, body: Buffer.alloc(0) } : res));
  const r = await ocidist(["copy", "--chunk-size", "100", `${src}/${s.repos.layered}:v1`, `${proxy.host}/interop/chunk302:v1`, "--retries", "0"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /chunk 0-99 \(PATCH, expected 202 Accepted\).*HTTP 302/);
});

/**
 * Pages a list answer as a registry that honours `n` and `last` but sends no `Link` (the
 * rig's docker-registry 2.8 answers tags unpaged, so the paging is done here).
 */
function pageWithoutLink(all: string[], url: string) {
  const q = new URL(url, "http://x").searchParams;
  const n = Number(q.get("n") ?? 100);
  const last = q.get("last");
  const sorted = [...all].sort();
  const from = last ? sorted.findIndex((r) => r > last) : 0;
  return from < 0 ? [] : sorted.slice(from, from + n);
}

test("tags: full pages without Link are followed with last= until a page adds nothing", { timeout: 120_000 }, async () => {
  const repo = `${s.repos.simple}-manytags`;
  const cp = await ocidist(["copy", `${src}/${s.repos.simple}:v1`, `${src}/${repo}:t0000`]);
  assert.equal(cp.code, 0, cp.stderr);
  const tags = Array.from({ length: 1250 }, (_, i) => `t${String(i + 1).padStart(4, "0")}`);
  const tg = await ocidist(["tag", `${src}/${repo}:t0000`, ...tags]);
  assert.equal(tg.code, 0, tg.stderr);
  proxy.set((req, res) => {
    if (!req.url.includes("/tags/list") || res.status !== 200) return res;
    const doc = JSON.parse(res.body.toString()) as { name: string; tags: string[] };
    return { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ name: doc.name, tags: pageWithoutLink(doc.tags, req.url) })) };
  });
  const r = await ocidist(["tags", `${proxy.host}/${repo}`]);
  assert.equal(r.code, 0, r.stderr);
  const got = r.out.trim().split("\n");
  assert.equal(got.length, 1251);
  assert.equal(new Set(got).size, 1251);
  assert.ok(proxy.seen.some((q) => /[?&]last=t0999/.test(q.url)), `asked on after the first page: ${proxy.seen.filter((q) => q.url.includes("tags")).map((q) => q.url).join(" ")}`);
});

test("catalog: full pages without Link are followed; a registry that ignores last= ends the listing", async () => {
  const all = Array.from({ length: 1500 }, (_, i) => `repo/${String(i).padStart(4, "0")}`);
  let ignoreLast = false;
  proxy.set((req, res) => {
    if (!req.url.startsWith("/v2/_catalog")) return res;
    const page = pageWithoutLink(all, ignoreLast ? req.url.replace(/&last=[^&]*/, "") : req.url);
    return { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ repositories: page })) };
  });
  const r = await ocidist(["catalog", proxy.host]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out.trim().split("\n"), all);
  ignoreLast = true;
  const again = await ocidist(["catalog", proxy.host]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.out.trim().split("\n").length, 1000, "the repeated page adds nothing and ends it");
});

test("schema 1 to a registry that digests the whole signed body: the copy keeps the payload digest", async () => {
  wholeBodyDigests(proxy);
  const from = `${src}/${s.repos.schema1}:signed`;
  const r = await ocidist(["copy", from, `${proxy.host}/interop/s1whole:signed`]);
  assert.equal(r.code, 0, r.stderr);
  const d = await ocidist(["digest", `${proxy.host}/interop/s1whole:signed`]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.out.trim(), s.schema1!.signed.digest, "ocidist reports the canonical (payload) digest");
  const m = await ocidist(["manifest", `${proxy.host}/interop/s1whole:signed`]);
  const original = await ocidist(["manifest", from]);
  // docker-registry itself re-signs on every GET (a new time, its own key): the payload is what is kept.
  assert.ok(schema1Payload(m.stdout)!.equals(schema1Payload(original.stdout)!), "the same payload is stored");
});

test("schema 1 from a registry that re-signs on every GET: the copy keeps the payload digest", async () => {
  resignOnGet(proxy);
  const a = await ocidist(["manifest", `${proxy.host}/${s.repos.schema1}:signed`]);
  const b = await ocidist(["manifest", `${proxy.host}/${s.repos.schema1}:signed`]);
  assert.notDeepEqual(a.stdout, b.stdout, "the proxy re-signs");
  const dst = rig.registries.tls;
  const r = await ocidist(["copy", `${proxy.host}/${s.repos.schema1}:signed`, `${dst.host}/interop/s1resigned:signed`, ...regFlags(dst)]);
  assert.equal(r.code, 0, r.stderr);
  const d = await ocidist(["digest", `${dst.host}/interop/s1resigned:signed`, ...regFlags(dst)]);
  assert.equal(d.out.trim(), s.schema1!.signed.digest);
  const again = await ocidist(["digest", `${proxy.host}/${s.repos.schema1}:signed`]);
  assert.equal(again.out.trim(), s.schema1!.signed.digest, "the source's digest is the same on every GET");
});

test("a copy that fails after pushing manifests deletes them again (no untagged manifest left)", async () => {
  // A registry that refuses the tag (immutable tags, a policy): everything else was stored first.
  proxy.set((req, res) => (req.method === "PUT" && /\/manifests\/v1$/.test(req.url) ? { status: 403, headers: { "content-type": "application/json" }, body: Buffer.from('{"errors":[{"code":"DENIED","message":"tag v1 is immutable"}]}') } : res));
  const r = await ocidist(["copy", `${src}/${s.repos.multi}:v1`, `${proxy.host}/interop/debris:v1`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /DENIED: tag v1 is immutable/);
  const pushed = proxy.seen.filter((q) => q.method === "PUT" && /\/manifests\/sha256:/.test(q.url)).map((q) => q.url.replace(/.*\/manifests\//, ""));
  assert.ok(pushed.length >= 4, "the index and its manifests were pushed by digest");
  for (const digest of pushed) {
    const d = await ocidist(["digest", `${src}/interop/debris@${digest}`]);
    assert.equal(d.code, 1, `${digest} was deleted again`);
    assert.match(d.stderr, /MANIFEST_UNKNOWN|not found \(HTTP 404\)/);
  }
});
