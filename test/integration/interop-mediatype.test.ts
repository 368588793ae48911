/**
 * One media-type rule for index entries: an entry of an index or of a layout's index.json
 * must be typed as a manifest or index; one typed otherwise is refused up front, with one
 * line, by verify, copy and push, before anything is written.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let rig: RigInfo;

before(async () => {
  rig = await getRig();
});

const DESCRIPTOR = "application/vnd.oci.descriptor.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** Writes an OCI layout holding one Docker manifest, listed in index.json as `entryType`. */
function layout(entryType: string, nested = false): string {
  const dir = join(tempDir(), "layout");
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const put = (bytes: Buffer) => {
    const hex = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(join(dir, "blobs", "sha256", hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  // An empty tar (two zero blocks) as the one layer.
  const tar = Buffer.alloc(1024);
  const diffId = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
  const layer = put(gzipSync(tar));
  const config = put(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [diffId] } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...layer }],
      }),
    ),
  );
  let entry = { mediaType: entryType, ...manifest };
  if (nested) {
    const index = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [entry] })));
    entry = { mediaType: "application/vnd.oci.image.index.v1+json", ...index };
  }
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ ...entry, annotations: { "org.opencontainers.image.ref.name": "v1" } }] }));
  return dir;
}

/** Asserts a refusal: non-zero, one line naming the entry and its type. */
function refused(r: { code: number; stderr: string }): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /manifests\[0\]/);
  assert.ok(lines[0]!.includes(DESCRIPTOR), r.stderr);
}

async function repositoryExists(repo: string): Promise<boolean> {
  const res = await fetch(`http://${rig.registries.open.host}/v2/${repo}/tags/list`);
  await res.arrayBuffer();
  return res.status === 200;
}

for (const nested of [false, true]) {
  const where = nested ? "a nested index's entry" : "an index.json entry";
  test(`${where} typed ${DESCRIPTOR} that holds a Docker manifest is refused by verify, copy and push`, async () => {
    const dir = layout(DESCRIPTOR, nested);
    const v = await ocidist(["verify", dir]);
    if (nested) {
      // The layout opens; verify reports the image it cannot read, and fails.
      assert.notEqual(v.code, 0);
      assert.ok(`${v.stdout}${v.stderr}`.includes("manifests[0]: ") && `${v.stdout}${v.stderr}`.includes(DESCRIPTOR), v.stdout + v.stderr);
    } else refused(v);
    const dst = join(tempDir(), "dst");
    refused(await ocidist(["copy", `oci:${dir}:v1`, `oci:${dst}:v1`]));
    assert.equal(existsSync(dst), false, "copy wrote the destination");
    const repo = `interop/mediatype-${nested ? "nested" : "top"}`;
    refused(await ocidist(["push", dir, `${rig.registries.open.host}/${repo}:v1`]));
    assert.equal(await repositoryExists(repo), false, "push wrote to the registry");
  });
}

test("the same layout with the entry typed as the Docker manifest it is passes verify, copy and push", async () => {
  const dir = layout(DOCKER_MANIFEST);
  const v = await ocidist(["verify", dir]);
  assert.equal(v.code, 0, v.stderr);
  const c = await ocidist(["copy", `oci:${dir}:v1`, `oci:${join(tempDir(), "dst")}:v1`]);
  assert.equal(c.code, 0, c.stderr);
  const p = await ocidist(["push", dir, `${rig.registries.open.host}/interop/mediatype-ok:v1`]);
  assert.equal(p.code, 0, p.stderr);
});
