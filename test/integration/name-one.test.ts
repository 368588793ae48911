/**
 * A location holding several images, read without naming one, says how to name one in the
 * location syntax of its format, with the names it has.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { image, layer } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { dockerArchive } from "../interop/archive.js";

let host: string;

before(async () => {
  const rig = await getRig();
  host = rig.registries.open.host;
  await pushImage(rig, rig.registries.open, "nameone/a", image([await layer([{ name: "a", content: "a\n" }])]), ["v1"]);
  await pushImage(rig, rig.registries.open, "nameone/b", image([await layer([{ name: "b", content: "b\n" }])]), ["v1"]);
});

describe("push of a location with two images", () => {
  for (const [format, syntax] of [
    ["docker-archive", /name one with docker-archive:\S+images:REF \(REFs: \S+nameone\/a:v1, \S+nameone\/b:v1\)/],
    ["oci", /name one with oci:\S+images:TAG \(TAGs: \S+nameone\/a:v1, \S+nameone\/b:v1\)/],
    ["oci-archive", /name one with oci-archive:\S+images:TAG \(TAGs: /],
  ] as const) {
    test(`${format}: says how to name one`, async () => {
      const out = join(tempDir(), "images");
      const p = await ocidist(["pull", `${host}/nameone/a:v1`, `${host}/nameone/b:v1`, "--format", format, "-o", out]);
      assert.equal(p.code, 0, p.stderr);
      const r = await ocidist(["push", out, `${host}/nameone/pushed:v1`]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, syntax);
    });
  }
  test("a docker archive as docker save writes it (no layout inside): says how to name one", async () => {
    const dir = tempDir();
    dockerArchive(dir, "one:1", "gzip");
    const work = join(dir, "archive");
    const [entry] = JSON.parse(readFileSync(join(work, "manifest.json"), "utf8")) as { RepoTags: string[] }[];
    writeFileSync(join(work, "manifest.json"), JSON.stringify([entry, { ...entry, RepoTags: ["two:2"] }]));
    const path = join(dir, "two.tar");
    execFileSync("tar", ["-cf", path, "-C", work, "manifest.json", "config.json", "layer.tar.gz"]);
    const r = await ocidist(["push", path, `${host}/nameone/pushed:v2`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /name one with docker-archive:\S+two\.tar:REF \(REFs: one:1, two:2\)/);
  });
});
