/**
 * `sync --shard K/N`: three shards run at once give exactly what one unsharded run gives,
 * each tag copied by exactly one shard.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, regFlags } from "../helpers/cli.js";
import { mirrorFile, registryState, type SyncJson } from "../helpers/sync.js";

const P = "syncs";
const TAGS = Array.from({ length: 12 }, (_, i) => `t${i}`);
/** The rig, and the source (open) and destination (TLS) registries. */
let rig: RigInfo;
let hosts: { src: string; dst: string; flags: string[] };

before(async () => {
  rig = await getRig();
  hosts = { src: rig.registries.open.host, dst: rig.registries.tls.host, flags: regFlags(rig.registries.tls) };
  for (const repo of ["one", "two"]) {
    for (const tag of TAGS.slice(0, repo === "one" ? 12 : 5)) await pushImage(rig, rig.registries.open, `${P}/${repo}`, await simpleImage(`${P}-${repo}-${tag}`), [tag]);
  }
});

const file = (prefix: string) => {
  const { src, dst } = hosts;
  return mirrorFile(`images:\n  - from: ${src}/${P}/one\n    to: ${dst}/${prefix}/one\n  - from: ${src}/${P}/two\n    to: ${dst}/${prefix}/two\n`);
};

test("three shards in parallel are disjoint and together give the unsharded result", async () => {
  const { dst, flags } = hosts;
  const whole = await ocidist(["sync", file(`${P}-whole`), "--json", ...flags]);
  assert.equal(whole.code, 0, whole.stderr);
  const wholeDoc = JSON.parse(whole.out) as SyncJson;
  assert.equal(wholeDoc.copied, 17);
  const shardFile = file(`${P}-sharded`);
  const runs = await Promise.all([1, 2, 3].map((k) => ocidist(["sync", shardFile, "--shard", `${k}/3`, "--json", ...flags])));
  const seen = new Map<string, number>();
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as SyncJson;
    assert.equal(doc.total, 17, "every shard lists every tag");
    for (const img of doc.images) {
      assert.equal(img.result, "copied");
      assert.ok(!seen.has(img.source), `${img.source} in shards ${seen.get(img.source)} and ${i + 1}`);
      seen.set(img.source, i + 1);
    }
  }
  assert.deepEqual([...seen.keys()].sort(), wholeDoc.images.map((i) => i.source).sort());
  assert.ok(new Set(seen.values()).size > 1, "all tags fell in one shard");
  const rename = (state: Record<string, string>, from: string) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k.replace(from, "X"), v]));
  const repos = (prefix: string) => [`${prefix}/one`, `${prefix}/two`];
  assert.deepEqual(rename(await registryState(rig, dst, repos(`${P}-sharded`)), `${P}-sharded`), rename(await registryState(rig, dst, repos(`${P}-whole`)), `${P}-whole`));
  // A rerun of any shard finds its share done.
  const again = await ocidist(["sync", shardFile, "--shard", "2/3", "--json", ...flags]);
  const doc = JSON.parse(again.out) as SyncJson;
  assert.equal(doc.copied, 0);
  assert.equal(doc.skipped, [...seen.values()].filter((k) => k === 2).length);
});
