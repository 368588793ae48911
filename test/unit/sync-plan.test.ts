/** The plan: a registry's tag list is hostile, so names outside the tag grammar never become items. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPlan } from "../../src/sync/plan.js";
import { parseSyncConfig } from "../../src/sync/read-config.js";

test("names a registry lists that are not tags are dropped before selection", async () => {
  const config = await parseSyncConfig("m.yaml", "images:\n  - from: reg.example/app\n    to: dir:/srv/mirror/app\n");
  const listed = ["v1", "../../etc", "a?b=c", "x\x1b[2Jy", "v2", "-bad", "x".repeat(129)];
  const plan = await buildPlan(config.images, async () => listed, { jobs: 1 });
  assert.deepEqual(plan.failures, []);
  assert.deepEqual(
    plan.items.map((i) => i.tag),
    ["v1", "v2"],
  );
  assert.equal(plan.total, 2);
});
