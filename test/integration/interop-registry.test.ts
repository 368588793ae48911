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
import { ocidist } from "../helpers/cli.js";
import { startRewritingProxy, type RewritingProxy } from "../interop/proxy.js";

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
