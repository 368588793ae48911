/**
 * `sync --lock` and `--from-lock` (a pinned mirror: the locked digests are copied even after
 * the source tag moved), and `dir:` destinations, which are OCI layouts per repository that
 * `ocidist verify` checks.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { multiPlatform, simpleImage } from "../rig/fixtures.js";
import { pushImage, pushIndex } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import type { Blob, Image } from "../rig/build.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";
import { mirrorFile, registryState, type SyncJson } from "../helpers/sync.js";

const P = "syncl";
let rig: RigInfo;
let src: string;
let dst: string;
let flags: string[];
let a: Image;
let b: Image;
let v2: Image;
let multi: { index: Blob; images: Image[]; all: Image[] };

before(async () => {
  rig = await getRig();
  src = rig.registries.open.host;
  dst = rig.registries.tls.host;
  flags = regFlags(rig.registries.tls);
  a = await simpleImage(`${P}-a`);
  b = await simpleImage(`${P}-b`);
  v2 = await simpleImage(`${P}-v2`);
  await pushImage(rig, rig.registries.open, `${P}/app`, a, ["v1"]);
  await pushImage(rig, rig.registries.open, `${P}/app`, v2, ["v2"]);
  multi = await multiPlatform("oci");
  await pushIndex(rig, rig.registries.open, `${P}/multi`, multi.all, multi.index, ["v1"]);
});

describe("sync --lock and --from-lock", () => {
  test("the lock pins each tag's digest; --from-lock copies it back after the source tag moved", async () => {
    const file = mirrorFile(`images:\n  - from: ${src}/${P}/app\n    to: ${dst}/${P}-m/app\n`);
    const lock = join(tempDir(), "mirror.lock.json");
    const first = await ocidist(["sync", file, "--lock", lock, ...flags]);
    assert.equal(first.code, 0, first.stderr);
    const doc = JSON.parse(readFileSync(lock, "utf8")) as { version: number; images: { source: string; digest: string; destination: string }[] };
    assert.deepEqual(doc, {
      version: 1,
      images: [
        { source: `${src}/${P}/app:v1`, digest: a.manifest.digest, destination: `${dst}/${P}-m/app` },
        { source: `${src}/${P}/app:v2`, digest: v2.manifest.digest, destination: `${dst}/${P}-m/app` },
      ],
    });
    // The source tag moves; a plain sync follows it.
    await pushImage(rig, rig.registries.open, `${P}/app`, b, ["v1"]);
    const follow = await ocidist(["sync", file, ...flags]);
    assert.equal(follow.code, 0, follow.stderr);
    assert.equal((await registryState(rig, dst, [`${P}-m/app`]))[`${P}-m/app:v1`], b.manifest.digest);
    // The lock copies exactly what it pinned, and skips what already matches.
    const pinned = await ocidist(["sync", file, "--from-lock", lock, "--json", ...flags]);
    assert.equal(pinned.code, 0, pinned.stderr);
    const report = JSON.parse(pinned.out) as SyncJson;
    assert.deepEqual(
      report.images.map((i) => [i.source, i.result, i.digest]),
      [
        [`${src}/${P}/app:v1`, "copied", a.manifest.digest],
        [`${src}/${P}/app:v2`, "skipped", v2.manifest.digest],
      ],
    );
    assert.deepEqual(await registryState(rig, dst, [`${P}-m/app`]), { [`${P}-m/app:v1`]: a.manifest.digest, [`${P}-m/app:v2`]: v2.manifest.digest });
  });

  test("a lock entry the file does not name is refused before anything moves", async () => {
    const lock = join(tempDir(), "l.json");
    const file = mirrorFile(`images:\n  - from: ${src}/${P}/app\n    to: ${dst}/${P}-other/app\n`);
    const made = await ocidist(["sync", mirrorFile(`images:\n  - from: ${src}/${P}/app\n    to: ${dst}/${P}-elsewhere/app\n    tags: [v2]\n`), "--lock", lock, ...flags]);
    assert.equal(made.code, 0, made.stderr);
    const r = await ocidist(["sync", file, "--from-lock", lock, ...flags]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is not in /);
    assert.deepEqual(await registryState(rig, dst, [`${P}-other/app`]), {});
  });

  test("a dry run writes no lock", async () => {
    const dir = tempDir();
    const lock = join(dir, "l.json");
    const file = mirrorFile(`images:\n  - from: ${src}/${P}/app\n    to: ${dst}/${P}-dry/app\n    tags: [v2]\n`);
    const r = await ocidist(["sync", file, "--lock", lock, "--dry-run", ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.throws(() => readFileSync(lock));
  });
});

describe("sync to dir: destinations", () => {
  test("each repository becomes an OCI layout that verify accepts, tags and digests kept; a rerun skips", async () => {
    const out = tempDir();
    // Two tags into one layout: each compared with the layout as the copy before left it. (An earlier test may have moved v1.)
    const appV1 = (await ocidist(["digest", `${src}/${P}/app:v1`])).out.trim();
    assert.match(appV1, /^sha256:/);
    const file = mirrorFile(`images:
  - from: ${src}/${P}/app
    to: dir:${out}/app
    tags: [v1, v2]
  - from: ${src}/${P}/multi
    to: dir:${out}/multi
  - from: ${src}/${P}/multi
    to: dir:${out}/amd64
    platforms: [linux/amd64]
`);
    const r = await ocidist(["sync", file, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.out) as SyncJson).copied, 4);
    for (const [repo, tag, digest] of [
      ["app", "v1", appV1],
      ["app", "v2", v2.manifest.digest],
      ["multi", "v1", multi.index.digest],
      ["amd64", "v1", multi.images[0]!.manifest.digest],
    ] as const) {
      const v = await ocidist(["verify", `oci:${out}/${repo}`]);
      assert.equal(v.code, 0, v.stderr);
      const d = await ocidist(["digest", `oci:${out}/${repo}:${tag}`]);
      assert.equal(d.out.trim(), digest, repo);
    }
    const again = await ocidist(["sync", file, "--json"]);
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.out) as SyncJson;
    assert.deepEqual([doc.copied, doc.skipped, doc.bytes], [0, 4, 0]);
  });

  test("a destination directory that is there but no readable layout fails its tags, in a dry run too; an empty one is planned", async () => {
    const out = tempDir();
    mkdirSync(join(out, "damaged"));
    writeFileSync(join(out, "damaged", "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(out, "damaged", "index.json"), "{ not json");
    mkdirSync(join(out, "empty"));
    const file = mirrorFile(`images:
  - from: ${src}/${P}/app
    to: dir:${out}/damaged
    tags: [v1]
  - from: ${src}/${P}/app
    to: dir:${out}/empty
    tags: [v1]
`);
    for (const extra of [["--dry-run"], []]) {
      const r = await ocidist(["sync", file, "--json", ...extra]);
      assert.equal(r.code, 1, r.stderr);
      const byDest = new Map((JSON.parse(r.out) as SyncJson).images.map((i) => [i.destination, i.result]));
      assert.equal(byDest.get(`dir:${out}/damaged:v1`), "failed", r.out);
      assert.equal(byDest.get(`dir:${out}/empty:v1`), extra.length ? "planned" : "copied", r.out);
    }
    assert.equal(readFileSync(join(out, "damaged", "index.json"), "utf8"), "{ not json");
  });
});
