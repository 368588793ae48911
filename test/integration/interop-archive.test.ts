/**
 * Docker archives from other producers pushed to a registry and read back by skopeo: zstd
 * layers get OCI media types that other tools read.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { dockerArchive } from "../interop/archive.js";

let rig: RigInfo;

before(async () => {
  rig = await getRig();
});

/** skopeo's view of a pushed image, and a copy of it into an OCI layout with every layer decompressed. */
function skopeoReads(ref: string): { mediaType: string; layers: string[] } {
  const raw = JSON.parse(execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]).toString()) as { mediaType: string; layers: { mediaType: string }[] };
  execFileSync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", "--dest-decompress", `docker://${ref}`, `oci:${join(tempDir(), "back")}`], { stdio: "pipe" });
  return { mediaType: raw.mediaType, layers: raw.layers.map((l) => l.mediaType) };
}

test("a docker archive with a zstd layer is pushed with OCI media types, and skopeo reads the image", async () => {
  const { path } = dockerArchive(tempDir(), "interop/zstd:v1", "zstd");
  const ref = `${rig.registries.open.host}/interop/zstd-archive:v1`;
  const r = await ocidist(["push", path, ref]);
  assert.equal(r.code, 0, r.stderr);
  const seen = skopeoReads(ref);
  assert.equal(seen.mediaType, "application/vnd.oci.image.manifest.v1+json");
  assert.deepEqual(seen.layers, ["application/vnd.oci.image.layer.v1.tar+zstd"]);
  const v = await ocidist(["verify", path]);
  assert.equal(v.code, 0, v.stderr);
});
