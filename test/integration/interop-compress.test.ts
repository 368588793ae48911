/**
 * Docker archives with uncompressed layers are pushed gzipped, as crane and skopeo push
 * them (deterministically: the same archive, the same digests), unless `--keep-uncompressed`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { dockerArchive } from "../interop/archive.js";

let rig: RigInfo;

before(async () => {
  rig = await getRig();
});

interface Pushed {
  digest: string;
  mediaType: string;
  layers: { mediaType: string; digest: string }[];
}

/** The pushed manifest as skopeo reads it, and its digest. */
function inspect(ref: string): Pushed {
  const raw = execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
  const doc = JSON.parse(raw.toString()) as Omit<Pushed, "digest">;
  return { ...doc, digest: `sha256:${createHash("sha256").update(raw).digest("hex")}` };
}

async function blob(repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${rig.registries.open.host}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

test("a docker archive's plain layers are pushed gzipped, deterministically, and skopeo copies the image", async () => {
  const { path, diffId } = dockerArchive(tempDir(), "interop/plain:v1", "none");
  const repo = "interop/plain-archive";
  const ref = `${rig.registries.open.host}/${repo}:v1`;
  const r = await ocidist(["push", path, ref]);
  assert.equal(r.code, 0, r.stderr);
  const pushed = inspect(ref);
  assert.equal(pushed.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  assert.deepEqual(pushed.layers.map((l) => l.mediaType), ["application/vnd.docker.image.rootfs.diff.tar.gzip"]);
  const layer = await blob(repo, pushed.layers[0]!.digest);
  assert.deepEqual([...layer.subarray(0, 2)], [0x1f, 0x8b]);
  assert.equal(sha256(gunzipSync(layer)), diffId);
  const again = await ocidist(["push", path, `${rig.registries.open.host}/${repo}:v2`]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(inspect(`${rig.registries.open.host}/${repo}:v2`).digest, pushed.digest);
  execFileSync("skopeo", ["copy", "--quiet", "--src-tls-verify=false", `docker://${ref}`, `oci:${join(tempDir(), "back")}`], { stdio: "pipe" });
});

test("push --keep-uncompressed keeps a docker archive's plain layers as they are", async () => {
  const { path, diffId } = dockerArchive(tempDir(), "interop/plain:v1", "none");
  const repo = "interop/plain-kept";
  const ref = `${rig.registries.open.host}/${repo}:v1`;
  const r = await ocidist(["push", "--keep-uncompressed", path, ref]);
  assert.equal(r.code, 0, r.stderr);
  const pushed = inspect(ref);
  assert.deepEqual(pushed.layers.map((l) => l.mediaType), ["application/vnd.docker.image.rootfs.diff.tar"]);
  assert.equal(pushed.layers[0]!.digest, diffId);
});

test("a docker archive whose image is OCI (a zstd layer) gets its plain layers as OCI gzip", async () => {
  const dir = tempDir();
  const zstd = dockerArchive(join(dir, "z"), "interop/mixed:v1", "zstd");
  const plain = dockerArchive(join(dir, "p"), "interop/mixed:v1", "none");
  // One archive with the zstd layer under the plain one.
  const work = join(dir, "mixed");
  execFileSync("mkdir", ["-p", work]);
  execFileSync("tar", ["-xf", zstd.path, "-C", work, "layer.tar.zst"]);
  execFileSync("tar", ["-xf", plain.path, "-C", work, "layer.tar"]);
  const config = { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [zstd.diffId, plain.diffId] } };
  execFileSync("sh", ["-c", `printf '%s' '${JSON.stringify(config)}' > config.json && printf '%s' '${JSON.stringify([{ Config: "config.json", RepoTags: ["interop/mixed:v1"], Layers: ["layer.tar.zst", "layer.tar"] }])}' > manifest.json`], { cwd: work });
  const path = join(dir, "mixed.tar");
  execFileSync("tar", ["-cf", path, "-C", work, "manifest.json", "config.json", "layer.tar.zst", "layer.tar"]);
  const ref = `${rig.registries.open.host}/interop/mixed-archive:v1`;
  const r = await ocidist(["push", path, ref]);
  assert.equal(r.code, 0, r.stderr);
  const pushed = inspect(ref);
  assert.equal(pushed.mediaType, "application/vnd.oci.image.manifest.v1+json");
  assert.deepEqual(pushed.layers.map((l) => l.mediaType), ["application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.oci.image.layer.v1.tar+gzip"]);
});
