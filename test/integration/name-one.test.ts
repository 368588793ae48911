/**
 * A location holding several images, read without naming one, says how to name one in the
 * location syntax of its format, with the names it has.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { image, layer } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import { ocidist, tempDir } from "../helpers/cli.js";

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
});
