/** Bounds of one walk (node count, depth, loops) and byte sizes as users write them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WalkGuard } from "../../src/engine/graph-guard.js";
import { parseByteSize } from "../../src/model/limits.js";

test("byte sizes: plain, and with binary units", () => {
  assert.equal(parseByteSize("123"), 123);
  assert.equal(parseByteSize("1M"), 1024 ** 2);
  assert.equal(parseByteSize("16GiB"), 16 * 1024 ** 3);
  assert.equal(parseByteSize("2t"), 2 * 1024 ** 4);
  for (const bad of ["", "0", "-1", "1.5G", "lots", "1X", `${2 ** 60}`]) assert.equal(parseByteSize(bad), undefined, bad);
});

test("a walk guard refuses loops of any length, too many manifests and too deep a chain", () => {
  const g = new WalkGuard(3, 5);
  g.wait("a", "b");
  g.wait("b", "c");
  assert.throws(() => g.wait("c", "a"), /refers back to itself: c → a → b → c/);
  assert.throws(() => g.wait("d", "d"), /refers back to itself/);
  g.done("b");
  g.wait("c", "a"); // b is done: the chain a → b → c waits no more
  g.wait("x", "b");
  g.wait("y", "b"); // a diamond is no loop
  for (let i = 0; i < 5; i++) g.visit(`n${i}`, 1);
  assert.throws(() => g.visit("n5", 1), /more than 5 manifests/);
  assert.throws(() => new WalkGuard(3, 5).visit("deep", 4), /more than 3 manifests deep/);
});
