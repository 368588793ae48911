/**
 * Interop of OCI layouts and archives: referrers recorded in index.json as oras, regclient
 * and zot record them (and read back), media types checked against content by one rule,
 * and `verify` of every image a layout holds, named or not, as crane and skopeo write them.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
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

/** A layout of the simple and the layered image, with index.json rewritten by `edit`. */
async function twoImageLayout(edit: (entries: IndexEntry[]) => IndexEntry[]): Promise<string> {
  const dir = join(tempDir(), "layout");
  for (const [repo, tag] of [[s.repos.simple, "a"], [s.repos.layered, "b"]] as const) {
    const r = await ocidist(["copy", `${src}/${repo}:v1`, `oci:${dir}:${tag}`]);
    assert.equal(r.code, 0, r.stderr);
  }
  const doc = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: IndexEntry[] };
  writeFileSync(join(dir, "index.json"), JSON.stringify({ ...doc, manifests: edit(doc.manifests) }));
  return dir;
}

test("verify: a layout of unnamed images (crane pull --format oci A B) verifies every one", async () => {
  const dir = await twoImageLayout((m) => m.map(({ annotations: _a, ...e }) => e));
  const r = await ocidist(["verify", `oci:${dir}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.out, new RegExp(`ok +\\(unnamed\\) ${s.simple.manifest.digest}`));
  assert.match(r.out, new RegExp(`ok +\\(unnamed\\) ${s.layered.manifest.digest}`));
});

test("verify: two images sharing one ref.name are each checked; a corrupt second one fails", async () => {
  const dir = await twoImageLayout((m) => m.map((e) => ({ ...e, annotations: { "org.opencontainers.image.ref.name": "v1" } })));
  const layer = s.layered.layers[1]!.digest.slice("sha256:".length);
  const path = join(dir, "blobs", "sha256", layer);
  const bytes = readFileSync(path);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(path, bytes);
  const r = await ocidist(["verify", `oci:${dir}`]);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`ok +v1 ${s.simple.manifest.digest}`));
  assert.match(r.out, new RegExp(`FAIL v1 ${s.layered.manifest.digest}`));
});
