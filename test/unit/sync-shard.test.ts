/** --shard K/N: disjoint shares that together are the whole set, the same on every machine. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/model/errors.js";
import { inShard, parseShard, shardOf } from "../../src/sync/shard.js";

test("K/N parses with 1 ≤ K ≤ N; anything else is a usage error", () => {
  assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  for (const bad of ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3"]) assert.throws(() => parseShard(bad), UsageError, bad);
});

test("shards are disjoint, cover the set, and are a stable hash of repository and tag", () => {
  const keys = Array.from({ length: 300 }, (_, i) => `reg.example/team/app${i % 7}:v${i}`);
  const seen = new Map<string, number>();
  for (let k = 1; k <= 3; k++) {
    for (const key of keys) if (inShard(key, { index: k, count: 3 })) {
      assert.ok(!seen.has(key), `${key} in two shards`);
      seen.set(key, k);
    }
  }
  assert.equal(seen.size, keys.length);
  const sizes = [1, 2, 3].map((k) => [...seen.values()].filter((v) => v === k).length);
  assert.ok(sizes.every((n) => n > 50), `shares are far from even: ${sizes.join(", ")}`);
  // Fixed values: sha256("reg.example/a:v1") and the rest mod N, so every machine agrees.
  assert.equal(shardOf("reg.example/a:v1", 1), 1);
  assert.equal(shardOf("reg.example/a:v1", 3), 3);
  assert.equal(shardOf("reg.example/a:v1", 7), 2);
  assert.ok(inShard("anything", undefined));
});
