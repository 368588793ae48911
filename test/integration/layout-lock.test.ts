/**
 * Writers of one OCI layout in parallel: each `copy` into an existing `oci:DIR` re-reads
 * index.json under the layout's lock at commit and adds its own changes, so no process loses
 * another's tag; `ocidist serve` over the same directory takes the same lock.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
const TAGS = ["t1", "t2", "t3", "t4", "t5", "t6"];

before(async () => {
  rig = await getRig();
  for (const t of ["base", ...TAGS]) await pushImage(rig, rig.registries.open, "lock/app", await simpleImage(`lock-${t}`), [t]);
});

test("six copies into one existing layout at once keep every tag, and leave no lock behind", async () => {
  const parent = tempDir();
  const dir = join(parent, "app");
  const host = rig.registries.open.host;
  const first = await ocidist(["copy", `${host}/lock/app:base`, `oci:${dir}:base`]);
  assert.equal(first.code, 0, first.stderr);
  const runs = await Promise.all(TAGS.map((t) => ocidist(["copy", `${host}/lock/app:${t}`, `oci:${dir}:${t}`])));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const tags = await ocidist(["tags", `oci:${dir}`]);
  assert.deepEqual(tags.out.trim().split("\n").sort(), ["base", ...TAGS]);
  const verify = await ocidist(["verify", `oci:${dir}`]);
  assert.equal(verify.code, 0, verify.stderr);
  assert.deepEqual(readdirSync(parent), ["app"], "the lock beside the layout is gone");
});
