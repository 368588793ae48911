/**
 * `ocidist serve` against real clients: ocidist itself (copy, pull, tags, catalog,
 * manifest, digest, referrers, blob, tag, delete), skopeo (copy in and out, `--all`) and
 * podman (pull, push); every layout written verifies, and a layout `ocidist copy` wrote
 * is served as it is. The server runs in-process (the library's `serve`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { serve, type RunningServer } from "../../src/index.js";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { tool } from "../helpers/tools.js";

const run = promisify(execFile);

let rig: RigInfo;
let s: Seeded;
let src: string;
let dir: string;
let server: RunningServer;
let host: string;

before(async () => {
  rig = await getRig();
  src = rig.registries.open.host;
  s = await seed(rig, rig.registries.open, "serveclients", false);
  dir = tempDir("ocidist-serve-");
  server = await serve(dir, { address: "127.0.0.1:0" });
  host = server.host;
});

after(async () => {
  await server.close();
});

async function verifyLayout(repo: string): Promise<void> {
  const v = await ocidist(["verify", `oci:${join(dir, repo)}`]);
  assert.equal(v.code, 0, `verify ${repo}: ${v.out}${v.stderr}`);
}

const indexOf = (repo: string) => JSON.parse(readFileSync(join(dir, repo, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };

test("ocidist copy into serve, then every read command against it", async () => {
  const c = await ocidist(["copy", "--referrers", `${src}/${s.repos.simple}:v1`, `${host}/lib/simple:v1`]);
  assert.equal(c.code, 0, c.stderr);
  const m = await ocidist(["copy", `${src}/${s.repos.multi}:v1`, `${host}/lib/multi:v1`]);
  assert.equal(m.code, 0, m.stderr);
  await verifyLayout("lib/simple");
  await verifyLayout("lib/multi");
  assert.equal(indexOf("lib/simple").manifests.find((e) => e.annotations?.["org.opencontainers.image.ref.name"] === "v1")?.digest, s.simple.manifest.digest);

  const manifest = await ocidist(["manifest", `${host}/lib/multi:v1`]);
  assert.equal(manifest.code, 0, manifest.stderr);
  assert.equal(`sha256:${createHash("sha256").update(manifest.stdout).digest("hex")}`, s.multi.index.digest, "served byte for byte");
  const digest = await ocidist(["digest", `${host}/lib/simple:v1`]);
  assert.equal(digest.out.trim(), s.simple.manifest.digest);
  const tags = await ocidist(["tags", `${host}/lib/simple`]);
  assert.deepEqual(tags.out.trim().split("\n"), ["v1"]);
  const catalog = await ocidist(["catalog", host]);
  assert.equal(catalog.code, 0, catalog.stderr);
  assert.ok(["lib/multi", "lib/simple"].every((r) => catalog.out.split("\n").includes(r)), catalog.out);
  const refs = await ocidist(["referrers", `${host}/lib/simple:v1`]);
  assert.equal(refs.code, 0, refs.stderr);
  assert.match(refs.out, new RegExp(`${s.artifact.referrer.manifest.digest}.*application/spdx\\+json`));
  const none = await ocidist(["referrers", `${host}/lib/simple:v1`, "--artifact-type", "application/x-none"]);
  assert.equal(none.code, 0, none.stderr);
  assert.doesNotMatch(none.out, /spdx/);
  const layer = s.simple.layers[0]!;
  const blob = await ocidist(["blob", `${host}/lib/simple@${layer.digest}`]);
  assert.deepEqual(blob.stdout, layer.bytes);
  const out = join(tempDir(), "img.tar");
  const pull = await ocidist(["pull", `${host}/lib/multi:v1`, "--platform", "linux/arm64", "-o", out]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await ocidist(["verify", out])).code, 0);

  const tag = await ocidist(["tag", `${host}/lib/simple:v1`, "v2", "v3"]);
  assert.equal(tag.code, 0, tag.stderr);
  assert.deepEqual((await ocidist(["tags", `${host}/lib/simple`])).out.trim().split("\n"), ["v1", "v2", "v3"]);
  const del = await ocidist(["delete", `${host}/lib/multi@${s.multi.index.digest}`]);
  assert.equal(del.code, 0, del.stderr);
  const gone = await ocidist(["manifest", `${host}/lib/multi:v1`]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /MANIFEST_UNKNOWN/);
  await verifyLayout("lib/multi");
  await verifyLayout("lib/simple");
});

test("a layout written by ocidist copy oci:DIR/<repo>:TAG is served as it is", async () => {
  const c = await ocidist(["copy", `${src}/${s.repos.layered}:v1`, `oci:${join(dir, "air/gap/layered")}:prod`]);
  assert.equal(c.code, 0, c.stderr);
  const d = await ocidist(["digest", `${host}/air/gap/layered:prod`]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.out.trim(), s.layered.manifest.digest);
  const out = join(tempDir(), "rootfs");
  const e = await ocidist(["export", `${host}/air/gap/layered:prod`, out]);
  assert.equal(e.code, 0, e.stderr);
});

test("skopeo copies in (--all, a multi-platform index) and out", async (t) => {
  if (!tool(t, "skopeo")) return;
  const flags = ["--src-tls-verify=false", "--dest-tls-verify=false"];
  await run("skopeo", ["copy", "--all", ...flags, `docker://${src}/${s.repos.multi}:v1`, `docker://${host}/sk/multi:v1`]);
  await verifyLayout("sk/multi");
  const { stdout } = await run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${host}/sk/multi:v1`]);
  assert.equal(`sha256:${createHash("sha256").update(stdout).digest("hex")}`, s.multi.index.digest);
  const layout = join(tempDir(), "out");
  await run("skopeo", ["copy", "--all", ...flags, `docker://${host}/sk/multi:v1`, `oci:${layout}:v1`]);
  const v = await ocidist(["verify", `oci:${layout}:v1`]);
  assert.equal(v.code, 0, v.out + v.stderr);
  // One platform, converted to docker schema 2 on the way in: a new manifest the server checks.
  await run("skopeo", ["copy", ...flags, "--format", "v2s2", `docker://${src}/${s.repos.simple}:v1`, `docker://${host}/sk/simple:v2s2`]);
  await verifyLayout("sk/simple");
  const back = await run("skopeo", ["inspect", "--tls-verify=false", `docker://${host}/sk/simple:v2s2`]);
  assert.match(back.stdout, /"Digest": "sha256:/);
});

test("podman pulls from it and pushes to it", async (t) => {
  if (!tool(t, "podman")) return;
  const store = tempDir("ocidist-podman-");
  const podman = (...args: string[]) => run("podman", ["--storage-driver", "vfs", "--root", join(store, "root"), "--runroot", join(store, "run"), ...args]);
  const c = await ocidist(["copy", `${src}/${s.repos.multi}:v1`, `${host}/pm/multi:v1`]);
  assert.equal(c.code, 0, c.stderr);
  await podman("pull", "--tls-verify=false", "--arch", "amd64", `${host}/pm/multi:v1`);
  await podman("tag", `${host}/pm/multi:v1`, `${host}/pm/pushed:latest`);
  await podman("push", "--tls-verify=false", `${host}/pm/pushed:latest`);
  await verifyLayout("pm/pushed");
  const d = await ocidist(["inspect", `${host}/pm/pushed:latest`, "--json"]);
  assert.equal(d.code, 0, d.stderr);
  await podman("rmi", "-a", "-f");
  await podman("pull", "--tls-verify=false", `${host}/pm/pushed:latest`);
});
