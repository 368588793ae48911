/**
 * skopeo sync's YAML source format: `skopeo sync --src yaml --dest docker` (the real one,
 * skopeo 1.9) and `ocidist sync --dest` on the same file give the same tags and digests;
 * `--dest dir:` gives a layout per repository; credentials and cert-dir from the file work,
 * and the password is never printed, even with -v.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { multiPlatform, simpleImage } from "../rig/fixtures.js";
import { pushImage, pushIndex } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { tool } from "../helpers/tools.js";
import { mirrorFile, registryState, type SyncJson } from "../helpers/sync.js";

const P = "synck";
let rig: RigInfo;
let src: string;

before(async () => {
  rig = await getRig();
  src = rig.registries.open.host;
  for (const tag of ["v1", "v2", "1.2.3", "1.3.0"]) await pushImage(rig, rig.registries.open, `${P}/a/b/app`, await simpleImage(`${P}-app-${tag}`), [tag]);
  for (const tag of ["x", "y"]) await pushImage(rig, rig.registries.open, `${P}/tools`, await simpleImage(`${P}-tools-${tag}`), [tag]);
  const multi = await multiPlatform("oci");
  await pushIndex(rig, rig.registries.open, `${P}/multi`, multi.all, multi.index, ["v1"]);
});

const skopeoFile = () =>
  mirrorFile(`${src}:
  tls-verify: false
  images:
    ${P}/a/b/app: [v1]
    ${P}/tools: []
    ${P}/multi:
      - v1
  images-by-tag-regex:
    ${P}/a/b/app: ^1\\.
`);

const REPOS = ["app", "tools", "multi"];

test("skopeo sync and ocidist sync on one skopeo-format file give the same tags and digests", async (t) => {
  if (!tool(t, "skopeo")) return;
  const file = skopeoFile();
  const home = tempDir("ocidist-home-");
  const sk = spawnSync("skopeo", ["sync", "--all", "--preserve-digests", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false", file, `${src}/${P}-skopeo`], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: home },
  });
  assert.equal(sk.status, 0, sk.stderr);
  const r = await ocidist(["sync", file, "--dest", `${src}/${P}-ocidist`, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.out) as SyncJson).copied, 6);
  const theirs = await registryState(rig, src, REPOS.map((x) => `${P}-skopeo/${x}`));
  const ours = await registryState(rig, src, REPOS.map((x) => `${P}-ocidist/${x}`));
  assert.equal(Object.keys(theirs).length, 6, JSON.stringify(theirs));
  assert.deepEqual(
    Object.fromEntries(Object.entries(ours).map(([k, v]) => [k.replace(`${P}-ocidist/`, ""), v])),
    Object.fromEntries(Object.entries(theirs).map(([k, v]) => [k.replace(`${P}-skopeo/`, ""), v])),
  );
});

test("--dest dir:PATH gives one OCI layout per repository, named as skopeo names them", async () => {
  const out = tempDir();
  const r = await ocidist(["sync", skopeoFile(), "--dest", `dir:${out}`]);
  assert.equal(r.code, 0, r.stderr);
  for (const repo of REPOS) {
    const v = await ocidist(["verify", `oci:${join(out, repo)}`]);
    assert.equal(v.code, 0, `${repo}: ${v.stderr}`);
  }
  const tags = await ocidist(["tags", `oci:${join(out, "app")}`]);
  assert.deepEqual(tags.out.trim().split("\n").sort(), ["1.2.3", "1.3.0", "v1"]);
});

test("credentials and cert-dir come from the file, and the password is never printed", async () => {
  const basic = rig.registries.basic;
  await pushImage(rig, basic, `${P}/private`, await simpleImage(`${P}-private`), ["v1"]);
  const certs = tempDir();
  mkdirSync(join(certs, "d"));
  copyFileSync(basic.caFile!, join(certs, "d", "ca.crt"));
  const file = mirrorFile(`${basic.host}:
  cert-dir: ${join(certs, "d")}
  credentials:
    username: ${basic.username}
    password: ${basic.password}
  images:
    ${P}/private: [v1]
`);
  const r = await ocidist(["sync", file, "--dest", `${src}/${P}-private`, "-v", "--progress", "plain"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stderr.includes(basic.password!) && !r.out.includes(basic.password!), "the password was printed");
  assert.equal(Object.keys(await registryState(rig, src, [`${P}-private/private`])).length, 1);
  // Without the file's credentials the same copy is refused.
  const anon = await ocidist(["sync", file, "--dest", `${src}/${P}-anon`, "--anonymous"]);
  assert.equal(anon.code, 1, anon.stderr);
  assert.ok(!anon.stderr.includes(basic.password!));
});
