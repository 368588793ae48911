/**
 * Digest pinning against a lying registry (issue 9, class 1): for `REPO@sha256:D` the
 * hostile registry serves bytes that do not hash to D but are dressed as a signed schema 1
 * manifest whose JWS "payload" is the genuine bytes (formatLength/formatTail), or a genuine
 * signed manifest with duplicate keys spliced in. Every command must refuse, write nothing,
 * and say so in one line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { image, index, layer, schema1, type Image, type Layer } from "../rig/build.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { startHostile, sha256, type HostileRegistry } from "../hostile/registry.js";
import { forgeSchema1, spliceSchema1 } from "../hostile/forge.js";

const SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
let h: HostileRegistry;
let good: Image;
let evil: Layer;
let evilDoc: Record<string, unknown>;

before(async () => {
  h = await startHostile();
  good = image([await layer([{ name: "good.txt", content: "genuine\n" }])]);
  evil = await layer([{ name: "evil.txt", content: "forged\n" }]);
  evilDoc = {
    schemaVersion: 1,
    name: "r",
    tag: "t",
    architecture: "amd64",
    fsLayers: [{ blobSum: evil.digest }],
    history: [{ v1Compatibility: JSON.stringify({ id: "a".repeat(64), os: "linux", architecture: "amd64", config: { Cmd: ["/bin/sh"] } }) }],
  };
  for (const repo of ["r", "dup", "idx"]) {
    for (const b of [good.config, ...good.layers, evil]) h.blob(repo, b.bytes);
  }
});

after(() => h.close());

/** Runs a command that must be refused: non-zero, one line on stderr, nothing on stdout, nothing written. */
async function refused(args: string[], outputs: string[] = []): Promise<string> {
  const r = await ocidist(args);
  assert.notEqual(r.code, 0, `ocidist ${args.join(" ")} succeeded:\n${r.out}`);
  assert.equal(r.stdout.length, 0, `ocidist ${args.join(" ")} printed: ${r.out.slice(0, 200)}`);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line expected:\n${r.stderr}`);
  for (const o of outputs) assert.ok(!existsSync(o), `${o} was written by ${args.join(" ")}`);
  return r.stderr;
}

/** Every command that reads a reference, against `REF`; nothing may come out. */
async function everyCommandRefuses(ref: string): Promise<void> {
  const dir = tempDir("ocidist-forged-");
  const out = join(dir, "out");
  await refused(["manifest", ref]);
  await refused(["config", ref]);
  await refused(["inspect", ref]);
  await refused(["digest", "--platform", "linux/amd64", ref]);
  await refused(["pull", ref, "--format", "oci", "-o", out], [out]);
  await refused(["pull", ref, "-o", `${out}.tar`], [`${out}.tar`]);
  await refused(["export", ref, join(dir, "rootfs")], [join(dir, "rootfs")]);
  await refused(["copy", ref, `oci:${join(dir, "copy")}`], [join(dir, "copy")]);
  assert.deepEqual(readdirSync(dir), [], "nothing at all in the output directory");
}

describe("hostile registry: a by-digest read yields bytes of that digest, or fails", () => {
  test("a forged schema 1 JWS whose payload is a genuine image manifest is refused by every command", async () => {
    const forged = forgeSchema1(evilDoc, good.manifest.bytes);
    h.manifest("r", [good.manifest.digest], forged, SIGNED, good.manifest.digest);
    const err = await refused(["manifest", `${h.host}/r@${good.manifest.digest}`]);
    assert.match(err, /hashes to|signature/);
    await everyCommandRefuses(`${h.host}/r@${good.manifest.digest}`);
  });

  test("a forged schema 1 JWS whose payload is a genuine index is refused", async () => {
    const idx = index([{ manifest: good.manifest, platform: { os: "linux", architecture: "amd64" } }]);
    h.manifest("idx", [good.manifest.digest], good.manifest.bytes, good.manifest.mediaType);
    h.manifest("idx", [idx.digest], forgeSchema1(evilDoc, idx.bytes), SIGNED, idx.digest);
    await everyCommandRefuses(`${h.host}/idx@${idx.digest}`);
  });

  test("an index whose child is answered with a forged schema 1 JWS is refused", async () => {
    const idx = index([{ manifest: good.manifest, platform: { os: "linux", architecture: "amd64" } }]);
    h.manifest("idx", ["child"], idx.bytes, idx.mediaType);
    h.manifest("idx", [good.manifest.digest], forgeSchema1(evilDoc, good.manifest.bytes), SIGNED, good.manifest.digest);
    const dir = tempDir("ocidist-forged-");
    await refused(["copy", `${h.host}/idx:child`, `oci:${join(dir, "copy")}`], [join(dir, "copy")]);
    await refused(["pull", "--platform", "linux/amd64", `${h.host}/idx:child`, "--format", "oci", "-o", join(dir, "o")], [join(dir, "o")]);
    await refused(["inspect", "--platform", "linux/amd64", `${h.host}/idx:child`]);
    // An index whose entry says "index" for what is served as an image manifest: the index is wrong, refused.
    const lying = index([{ manifest: { ...good.manifest, mediaType: "application/vnd.oci.image.index.v1+json" }, platform: { os: "linux", architecture: "amd64" } }]);
    h.manifest("idx", ["lying"], lying.bytes, lying.mediaType);
    h.manifest("idx", [good.manifest.digest], good.manifest.bytes, good.manifest.mediaType);
    await refused(["inspect", "--platform", "linux/amd64", `${h.host}/idx:lying`]);
    await refused(["manifest", "--platform", "linux/amd64", `${h.host}/idx:lying`]);
  });

  test("a genuine signed schema 1 manifest with duplicate fsLayers spliced in is refused", async () => {
    const genuineLayer = await layer([{ name: "ok", content: "ok" }]);
    h.blob("dup", genuineLayer.bytes);
    const signed = schema1("dup", "t", [genuineLayer], true);
    const forged = spliceSchema1(signed.bytes, { fsLayers: evilDoc.fsLayers, history: evilDoc.history });
    h.manifest("dup", [signed.digest], forged, SIGNED, signed.digest);
    const err = await refused(["manifest", `${h.host}/dup@${signed.digest}`]);
    assert.match(err, /duplicate key/);
    await everyCommandRefuses(`${h.host}/dup@${signed.digest}`);
    // The genuine bytes are still accepted under the same digest.
    h.manifest("dup", [signed.digest], signed.bytes, SIGNED, signed.digest);
    const ok = await ocidist(["manifest", `${h.host}/dup@${signed.digest}`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.stdout, signed.bytes);
  });

  test("a schema 1 body served under an image manifest's content type is refused (the kind is the body's)", async () => {
    const forged = forgeSchema1(evilDoc, good.manifest.bytes);
    h.manifest("r", ["ct"], forged, good.manifest.mediaType, good.manifest.digest);
    await refused(["inspect", `${h.host}/r:ct`]);
  });

  test("an OCI layout whose index.json points at a forged JWS is refused by verify, copy and inspect", async () => {
    const dir = tempDir("ocidist-forged-layout-");
    const forged = forgeSchema1(evilDoc, good.manifest.bytes);
    mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    const put = (bytes: Buffer, digest = sha256(bytes)) => writeFileSync(join(dir, "blobs", "sha256", digest.slice(7)), bytes);
    put(forged, good.manifest.digest);
    put(evil.bytes);
    const entry = { mediaType: SIGNED, digest: good.manifest.digest, size: forged.length, annotations: { "org.opencontainers.image.ref.name": "v1" } };
    writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
    const out = tempDir("ocidist-forged-out-");
    const v = await ocidist(["verify", `oci:${dir}`]);
    assert.notEqual(v.code, 0, `verify accepted the forged layout:\n${v.out}`);
    await refused(["copy", `oci:${dir}:v1`, `oci:${join(out, "copy")}`], [join(out, "copy")]);
    await refused(["copy", `oci:${dir}@${good.manifest.digest}`, `oci:${join(out, "copy2")}`], [join(out, "copy2")]);
    // The same layout as an OCI archive.
    const archive = join(out, "forged.tar");
    execFileSync("tar", ["-cf", archive, "-C", dir, "oci-layout", "index.json", "blobs"]);
    const va = await ocidist(["verify", `oci-archive:${archive}`]);
    assert.notEqual(va.code, 0, `verify accepted the forged archive:\n${va.out}`);
    await refused(["copy", `oci-archive:${archive}@${good.manifest.digest}`, `oci:${join(out, "copy3")}`], [join(out, "copy3")]);
  });
});

describe("hostile registry: no unverified byte reaches a consumer", () => {
  test("blob to stdout prints nothing when the bytes do not hash to the digest", async () => {
    const genuine = Buffer.alloc(3 * 1024 * 1024, 7);
    const forged = Buffer.alloc(genuine.length, 8);
    const digest = h.blob("r", forged, sha256(genuine));
    const home = tempDir("ocidist-home-");
    const r = await ocidist(["blob", `${h.host}/r@${digest}`], { home });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout.length, 0, `${r.stdout.length} unverified bytes reached stdout`);
    assert.match(r.stderr, /sha256|digest/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    const out = join(home, "blob.bin");
    await refused(["blob", `${h.host}/r@${digest}`, "-o", out], [out]);
  });

  test("blob to stdout prints the verified bytes, and again from the cache", async () => {
    const bytes = Buffer.from("verified content\n");
    const digest = h.blob("r", bytes);
    const home = tempDir("ocidist-home-");
    for (let i = 0; i < 2; i++) {
      const r = await ocidist(["blob", `${h.host}/r@${digest}`], { home });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout, bytes);
    }
  });
});


describe("hostile registry: a blob of unknown size is bounded", () => {
  /** Serves `repo` as a schema 1 image whose one layer never ends; HEAD tells `headSize` when given. Returns the pinned reference and a byte counter. */
  function endless(repo: string, headSize?: number): { ref: string; sent: () => number } {
    const layerDigest = sha256(`the genuine layer of ${repo}`);
    const s1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: repo, tag: "t", architecture: "amd64", fsLayers: [{ blobSum: layerDigest }], history: [{ v1Compatibility: JSON.stringify({ id: "b".repeat(64) }) }] }));
    h.manifest(repo, ["t", sha256(s1)], s1, "application/vnd.docker.distribution.manifest.v1+json");
    let sent = 0;
    const blobs = new RegExp(`^/v2/${repo}/blobs/`);
    h.override("HEAD", blobs, (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", ...(headSize !== undefined ? { "content-length": String(headSize) } : {}) });
      res.end();
    });
    h.override("GET", blobs, (_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const chunk = Buffer.alloc(64 * 1024);
      const more = () => {
        while (sent < 256 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    return { ref: `${h.host}/${repo}@${sha256(s1)}`, sent: () => sent };
  }

  test("an endless schema 1 layer stops at --max-blob-size with a line naming the bound", async () => {
    const { ref, sent } = endless("endless");
    const dir = tempDir("ocidist-endless-");
    const out = join(dir, "out");
    const r = await ocidist(["--max-blob-size", "1M", "pull", ref, "--format", "oci", "-o", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /more than 1048576 bytes .*--max-blob-size/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(sent() < 32 * 1024 * 1024, `${sent()} bytes were read`);
    assert.deepEqual(readdirSync(dir), []);
    const bad = await ocidist(["--max-blob-size", "lots", "pull", ref, "-o", out]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--max-blob-size wants a byte count/);
  });

  test("a schema 1 layer is bounded by the size the registry gives (HEAD), in pull and export", async () => {
    const { ref, sent } = endless("sized", 1000);
    const dir = tempDir("ocidist-endless-");
    for (const args of [["pull", ref, "--format", "oci", "-o", join(dir, "out")], ["export", ref, join(dir, "rootfs")]]) {
      const r = await ocidist(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /more than the 1000 bytes/);
      assert.ok(sent() < 32 * 1024 * 1024, `${args[0]}: ${sent()} bytes were read`);
    }
    assert.deepEqual(readdirSync(dir), []);
  });
});
