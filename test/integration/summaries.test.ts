/**
 * Summaries say what happened: singular nouns for one, the blobs a copy to a local format
 * wrote, and the referrer manifests a `--referrers` copy took along.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { blob, desc, image, layer, sha, TYPES } from "../rig/build.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let host: string;
let s: Seeded;

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  s = await seed(rig, rig.registries.open, "summaries", false);
  await pushImage(rig, rig.registries.open, "summaries/one", image([await layer([{ name: "hello.txt", content: "hello\n" }])]), ["v1"]);
});

const plain = ["--progress", "plain"];

describe("summaries", () => {
  test("copy into a local format counts the blobs it wrote", async () => {
    const out = join(tempDir(), "one.tar");
    const r = await ocidist([...plain, "copy", `${host}/summaries/one:v1`, `oci-archive:${out}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /; 2 blobs written, /);
    const j = await ocidist(["--json", "copy", `${host}/summaries/one:v1`, `oci:${join(tempDir(), "layout")}:v1`]);
    assert.equal((JSON.parse(j.out) as { written: number }).written, 2);
  });

  test("a --referrers copy counts the referrer manifests it copied", async () => {
    const r = await ocidist([...plain, "copy", "--referrers", `${host}/${s.repos.simple}:v1`, `${host}/summaries/copied:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /, 1 referrer, /);
    assert.doesNotMatch(r.stderr, /\b1 blobs\b/);
  });

  test("verify and export say 1 image, 1 file: no (s), no '1 blobs'", async () => {
    const out = join(tempDir(), "one.tar");
    assert.equal((await ocidist(["pull", `${host}/summaries/one:v1`, "-o", out])).code, 0);
    const v = await ocidist(["verify", out]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.out, /^1 image, 2 blobs, /m);
    const e = await ocidist([...plain, "export", `${host}/summaries/one:v1`, join(tempDir(), "rootfs")]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /: 1 file, /);
  });
});

describe("verify of a corrupt gzip layer", () => {
  test("names the layer and the problem in words, and counts only the blobs that passed", async () => {
    const dir = join(tempDir(), "layout");
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    const put = (bytes: Buffer) => writeFileSync(join(dir, "blobs", "sha256", sha(bytes).slice(7)), bytes);
    const full = gzipSync(Buffer.alloc(4096, 7));
    const broken = Buffer.concat([full.subarray(0, 20), Buffer.alloc(40, 0xff)]);
    const layerBlob = blob(TYPES.oci.layer, broken);
    const config = blob(TYPES.oci.config, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha(Buffer.alloc(4096, 7))] } })));
    const manifest = blob(TYPES.oci.manifest, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: TYPES.oci.manifest, config: desc(config), layers: [desc(layerBlob)] })));
    for (const b of [layerBlob, config, manifest]) put(b.bytes);
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [desc(manifest)] }));
    const r = await ocidist(["verify", `oci:${dir}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.out.includes(`layer ${layerBlob.digest} is not valid gzip: `), r.out);
    assert.match(r.out, /^1 image, (0 blobs|1 blob), /m);
  });
});
