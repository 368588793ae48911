/**
 * `ocidist sync` between two real registries: every tag-selection form, one platform of an
 * index, referrers, a repository that does not exist among good ones, a second run that
 * skips everything and moves no blob, a dry run that changes nothing, and a bad file that
 * copies nothing and names each problem's line and column.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { artifactWithReferrer, multiPlatform, simpleImage } from "../rig/fixtures.js";
import { pushContent, pushImage, pushIndex } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import type { Blob, Image } from "../rig/build.js";
import { ocidist, regFlags } from "../helpers/cli.js";
import { mirrorFile, registryState, type SyncJson } from "../helpers/sync.js";

const P = "synca";
const APP_TAGS = ["1.0.0", "1.2.0", "1.10.0", "2.0.0", "v3", "edge"];
let rig: RigInfo;
let src: string;
let dst: string;
let flags: string[];
const apps: Record<string, Image> = {};
let multi: { index: Blob; images: Image[]; all: Image[] };
let simple: Image;
let referrer: Image;

before(async () => {
  rig = await getRig();
  src = rig.registries.open.host;
  dst = rig.registries.tls.host;
  flags = regFlags(rig.registries.tls);
  for (const tag of APP_TAGS) {
    apps[tag] = await simpleImage(`${P}-${tag}`);
    await pushImage(rig, rig.registries.open, `${P}/app`, apps[tag], [tag]);
  }
  multi = await multiPlatform("oci");
  await pushIndex(rig, rig.registries.open, `${P}/multi`, multi.all, multi.index, ["v1"]);
  simple = await simpleImage(`${P}-simple`);
  const art = artifactWithReferrer(simple);
  referrer = art.referrer;
  await pushImage(rig, rig.registries.open, `${P}/simple`, simple, ["v1"]);
  await pushImage(rig, rig.registries.open, `${P}/simple`, art.referrer, []);
  await pushContent(rig, rig.registries.open, `${P}/simple`, [], [art.referrersIndex], [`sha256-${simple.manifest.digest.slice(7)}`]);
});

function mainFile(prefix: string): string {
  return mirrorFile(`# every selection form
images:
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/list
    tags: [1.0.0, edge]
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/regex
    tags: {regex: '^1\\.'}
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/semver
    tags: {semver: ">=1.2 <3"}
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/latest
    tags: {latest: 2}
  - from: ${src}/${P}/multi
    to: ${dst}/${prefix}/arm
    platforms: [linux/arm/v7]
  - from: ${src}/${P}/multi
    to: ${dst}/${prefix}/multi
  - from: ${src}/${P}/simple
    to: ${dst}/${prefix}/simple
    tags: [v1]
    referrers: true
  - from: ${src}/${P}/does-not-exist
    to: ${dst}/${prefix}/nope
`);
}

const REPOS = ["list", "regex", "semver", "latest", "arm", "multi", "simple", "nope"];

describe("sync between registries", () => {
  const prefix = "mirror-a";
  let file: string;

  test("each selection form, one platform and referrers; a missing repository fails alone (exit 1)", async () => {
    file = mainFile(prefix);
    const r = await ocidist(["sync", file, "--json", ...flags]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.out) as SyncJson;
    assert.equal(doc.failed, 1);
    assert.equal(doc.repositories.length, 1);
    assert.match(doc.repositories[0]!.error, /NAME_UNKNOWN|not known/);
    assert.match(r.stderr, /does-not-exist/);
    const state = await registryState(rig, dst, REPOS.map((x) => `${prefix}/${x}`));
    const a = (repo: string, tag: string) => [`${prefix}/${repo}:${tag}`, apps[tag]!.manifest.digest] as const;
    assert.deepEqual(
      state,
      Object.fromEntries([
        a("list", "1.0.0"),
        a("list", "edge"),
        a("regex", "1.0.0"),
        a("regex", "1.10.0"),
        a("regex", "1.2.0"),
        a("semver", "1.10.0"),
        a("semver", "1.2.0"),
        a("semver", "2.0.0"),
        a("latest", "2.0.0"),
        a("latest", "v3"),
        [`${prefix}/arm:v1`, multi.images[2]!.manifest.digest],
        [`${prefix}/multi:v1`, multi.index.digest],
        // The referrer came along under its fallback tag; the simple image under its own.
        [`${prefix}/simple:sha256-${simple.manifest.digest.slice(7)}`, state[`${prefix}/simple:sha256-${simple.manifest.digest.slice(7)}`]!],
        [`${prefix}/simple:v1`, simple.manifest.digest],
      ]),
    );
    const refs = await ocidist(["referrers", `${dst}/${prefix}/simple:v1`, ...flags]);
    assert.equal(refs.code, 0, refs.stderr);
    assert.ok(refs.out.includes(referrer.manifest.digest), refs.out);
    assert.equal(doc.copied, 13);
    assert.ok(doc.bytes > 0);
  });

  test("a second run skips every tag and moves no blob", async () => {
    const r = await ocidist(["sync", file, "--json", ...flags]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.out) as SyncJson;
    assert.equal(doc.copied, 0);
    assert.equal(doc.skipped, 13);
    assert.equal(doc.bytes, 0);
    for (const img of doc.images) assert.deepEqual([img.result, img.blobs], ["skipped", {}], img.source);
  });

  test("the table goes to stdout, one row per tag, and the totals to stderr", async () => {
    const r = await ocidist(["sync", file, "--progress", "plain", ...flags]);
    assert.equal(r.code, 1);
    const rows = r.out.trim().split("\n");
    assert.equal(rows.length, 14, r.out);
    assert.ok(rows.every((l) => l.split("\t").length === 5), r.out);
    assert.match(r.stderr, /copied 0, skipped 13, failed 1, 0 B moved/);
    assert.match(r.stderr, /\[13\/13\] skipped/);
  });
});

describe("sync --dry-run", () => {
  test("lists what would move and changes nothing", async () => {
    const prefix = "mirror-dry";
    const r = await ocidist(["sync", mainFile(prefix), "--dry-run", "--json", ...flags]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.out) as SyncJson;
    assert.equal(doc.dryRun, true);
    assert.equal(doc.images.length, 13);
    assert.ok(doc.images.every((i) => i.result === "planned" && i.digest), r.out);
    assert.deepEqual(await registryState(rig, dst, REPOS.map((x) => `${prefix}/${x}`)), {});
  });
});

describe("sync FILE errors", () => {
  test("a bad file names each problem's line and column, copies nothing, and exits 2", async () => {
    const prefix = "mirror-bad";
    const file = mirrorFile(`images:
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/good
    tags: [1.0.0]
  - from: ${src}/${P}/app
    to: ${dst}/${prefix}/bad
    tags: {semver: "not a range!"}
    platforms: [linux/amd64, linux/arm64]
`);
    const r = await ocidist(["sync", file, ...flags]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${file}:7:20: invalid semver range`), r.stderr);
    assert.ok(r.stderr.includes(`${file}:8:30: one platform per entry`), r.stderr);
    assert.match(r.stderr, /2 problems; nothing was copied/);
    assert.deepEqual(await registryState(rig, dst, [`${prefix}/good`, `${prefix}/bad`]), {});
    const one = await ocidist(["sync", mirrorFile("images:\n  - from: a\n    to: b\n    tags: {latest: many}\n")]);
    assert.equal(one.code, 2);
    assert.equal(one.stderr.trim().split("\n").length, 1, one.stderr);
    assert.match(one.stderr, /mirror\.yaml:4:20: tags\.latest must be a whole number/);
  });

  test("bad flags are usage errors", async () => {
    const file = mirrorFile("images:\n  - {from: a, to: b}\n");
    for (const args of [["--shard", "0/2"], ["--shard", "3/2"], ["--dest", "x.example"]]) {
      const r = await ocidist(["sync", file, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });
});
