/**
 * Interop of OCI layouts and archives: referrers recorded in index.json as oras, regclient
 * and zot record them (and read back), media types checked against content by one rule,
 * and `verify` of every image a layout holds, named or not, as crane and skopeo write them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let s: Seeded;
let src: string;

before(async () => {
  rig = await getRig();
  s = await seed(rig, rig.registries.open, "interoplayout");
  src = rig.registries.open.host;
});

interface IndexEntry {
  mediaType: string;
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const indexOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: IndexEntry[] }).manifests;

for (const kind of ["oci", "oci-archive"] as const) {
  test(`referrers copied into ${kind} are index.json entries and round-trip to a registry`, async () => {
    const dir = tempDir();
    const out = kind === "oci" ? join(dir, "layout") : join(dir, "layout.tar");
    const r = await ocidist(["copy", "--referrers", `${src}/${s.repos.simple}:v1`, `${kind}:${out}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    if (kind === "oci") {
      const entries = indexOf(out);
      const ref = entries.find((e) => e.digest === s.artifact.referrer.manifest.digest);
      assert.ok(ref, "the referrer has an index.json entry");
      assert.equal(ref.artifactType, "application/spdx+json");
      assert.equal(ref.annotations?.["org.opencontainers.image.ref.name"], undefined, "the referrer entry is unnamed");
    }
    const dst = rig.registries.tls;
    const onward = `${dst.host}/interop/referrers-${kind}:v1`;
    // Named or not, the one image is found: the referrer entry beside it is not an image.
    const back = await ocidist(["copy", "--referrers", `${kind}:${out}`, onward, ...regFlags(dst)]);
    assert.equal(back.code, 0, back.stderr);
    const there = await ocidist(["referrers", onward, ...regFlags(dst)]);
    assert.equal(there.code, 0, there.stderr);
    assert.match(there.out, new RegExp(`${s.artifact.referrer.manifest.digest}.*application/spdx\\+json`));
    const d = await ocidist(["digest", onward, ...regFlags(dst)]);
    assert.equal(d.out.trim(), s.simple.manifest.digest);
  });
}
