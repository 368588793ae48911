/**
 * pull into each format, read back by real consumers (skopeo, podman, umoci) where they are
 * installed; schema1 conversion; export of a layered image; files of a bottle; resuming an
 * interrupted pull from the cache; atomic outputs.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, lstatSync, readlinkSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import { image, layer } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { CLI, isolatedEnv, ocidist, tempDir } from "../helpers/cli.js";
import { tool } from "../helpers/tools.js";

let rig: RigInfo;
let s: Seeded;
let host: string;


before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  s = await seed(rig, rig.registries.open, "pull");
});

describe("pull", () => {
  test("docker-archive: RepoTags set, loads with podman, reads with skopeo, verifies", async (t) => {
    const dir = tempDir();
    const out = join(dir, "img.tar");
    const r = await ocidist(["pull", `${host}/${s.repos.multi}:v1`, "--platform", "linux/arm64", "-o", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { images: { digest: string; manifest: string; platform: string }[] };
    assert.equal(doc.images[0]!.digest, s.multi.index.digest);
    assert.equal(doc.images[0]!.manifest, s.multi.images[1]!.manifest.digest);
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", out, "manifest.json"]).toString()) as { RepoTags: string[]; Config: string; Layers: string[] }[];
    assert.deepEqual(manifest[0]!.RepoTags, [`${host}/${s.repos.multi}:v1`]);
    assert.equal(manifest[0]!.Config, `blobs/sha256/${s.multi.images[1]!.config.digest.slice(7)}`);
    const v = await ocidist(["verify", out]);
    assert.equal(v.code, 0, v.stderr + v.out);
    if (tool(t, "skopeo")) {
      const inspect = JSON.parse(execFileSync("skopeo", ["inspect", `docker-archive:${out}`]).toString()) as { Architecture: string };
      assert.equal(inspect.Architecture, "arm64");
    }
    const direct = join(dir, "direct.tar");
    const nc = await ocidist(["pull", `${host}/${s.repos.multi}:v1`, "--platform", "linux/arm64", "--no-cache", "-o", direct]);
    assert.equal(nc.code, 0, nc.stderr);
    assert.equal((await ocidist(["verify", direct])).code, 0);
    if (tool(t, "podman")) {
      const store = tempDir("ocidist-podman-");
      const load = execFileSync("podman", ["--storage-driver", "vfs", "--root", join(store, "root"), "--runroot", join(store, "run"), "load", "-i", out], { stdio: ["ignore", "pipe", "pipe"] }).toString();
      assert.match(load, new RegExp(`Loaded image.*${s.repos.multi}:v1`));
    }
  });

  test("oci layout and oci-archive: digests kept, skopeo and umoci read them", async (t) => {
    const dir = tempDir();
    const layout = join(dir, "layout");
    const r = await ocidist(["pull", `${host}/${s.repos.simple}:v1`, "--format", "oci", "-o", layout]);
    assert.equal(r.code, 0, r.stderr);
    const idx = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    assert.equal(idx.manifests[0]!.digest, s.simple.manifest.digest);
    assert.equal(idx.manifests[0]!.annotations["org.opencontainers.image.ref.name"], "v1");
    assert.deepEqual(readFileSync(join(layout, "blobs/sha256", s.simple.layers[0]!.digest.slice(7))), s.simple.layers[0]!.bytes);
    if (tool(t, "skopeo")) {
      const d = JSON.parse(execFileSync("skopeo", ["inspect", `oci:${layout}:v1`]).toString()) as { Digest: string };
      assert.equal(d.Digest, s.simple.manifest.digest);
    }
    if (tool(t, "umoci")) {
      const bundle = join(dir, "bundle");
      execFileSync("umoci", ["unpack", "--rootless", "--image", `${layout}:v1`, bundle], { stdio: "ignore" });
      assert.equal(readFileSync(join(bundle, "rootfs/etc/hello"), "utf8"), "hello pull\n");
    }
    const archive = join(dir, "img.oci.tar");
    const a = await ocidist(["pull", `${host}/${s.repos.multi}:v1`, "--format", "oci-archive", "--all-platforms", "-o", archive]);
    assert.equal(a.code, 0, a.stderr);
    const members = execFileSync("tar", ["-tf", archive]).toString();
    for (const img of s.multi.all) assert.ok(members.includes(img.manifest.digest.slice(7)), "every child of the index is in the archive");
    if (tool(t, "skopeo")) {
      const raw = execFileSync("skopeo", ["inspect", "--raw", `oci-archive:${archive}`]).toString();
      assert.equal(`sha256:${(await import("node:crypto")).createHash("sha256").update(raw).digest("hex")}`, s.multi.index.digest);
    }
  });

  test("several references into one output, and into an existing layout", async () => {
    const dir = tempDir();
    const out = join(dir, "two.tar");
    const r = await ocidist(["pull", `${host}/${s.repos.simple}:v1`, `${host}/${s.repos.layered}:v1`, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", out, "manifest.json"]).toString()) as { RepoTags: string[] }[];
    assert.deepEqual(manifest.map((m) => m.RepoTags[0]), [`${host}/${s.repos.simple}:v1`, `${host}/${s.repos.layered}:v1`]);
    const layout = join(dir, "layout");
    assert.equal((await ocidist(["pull", `${host}/${s.repos.simple}:v1`, "--format", "oci", "-o", layout])).code, 0);
    assert.equal((await ocidist(["pull", `${host}/${s.repos.layered}:v1`, "--format", "oci", "-o", layout])).code, 0);
    // Both are named "v1" in the layout (skopeo's convention: the tag), so the second replaces the first entry.
    const idx = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    assert.deepEqual(idx.manifests.map((m) => m.digest), [s.layered.manifest.digest]);
    assert.ok(existsSync(join(layout, "blobs/sha256", s.simple.manifest.digest.slice(7))), "blobs already in the layout stay");
  });

  test("schema1 (signed) converts to a loadable archive with correct diff IDs", async () => {
    const dir = tempDir();
    const out = join(dir, "s1.tar");
    const r = await ocidist(["pull", `${host}/${s.repos.schema1}:signed`, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const v = await ocidist(["verify", out]);
    assert.equal(v.code, 0, v.out + v.stderr);
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", out, "manifest.json"]).toString()) as { Config: string; Layers: string[] }[];
    const config = JSON.parse(execFileSync("tar", ["-xOf", out, manifest[0]!.Config]).toString()) as { rootfs: { diff_ids: string[] } };
    assert.deepEqual(config.rootfs.diff_ids, s.schema1!.layers.map((l) => l.diffId));
    const exp = join(dir, "rootfs");
    const e = await ocidist(["export", `${host}/${s.repos.schema1}:signed`, exp]);
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(readdirSync(exp).sort(), ["one", "two"]);
  });

  test("schema1 (unsigned) converts too; served by the proxy, as no registry here stores it", async () => {
    const unsigned = s.schema1!.unsigned;
    const { startFaultProxy } = await import("../faults/proxy.js");
    const proxy = await startFaultProxy(rig.registries.open.url);
    try {
      const serve = { kind: "serve" as const, contentType: unsigned.mediaType, body: unsigned.bytes, digest: unsigned.digest };
      proxy.setRules([{ path: new RegExp(`/v2/${s.repos.schema1}/manifests/(unsigned|${unsigned.digest})$`), fault: serve, times: 100 }]);
      const dir = tempDir();
      const out = join(dir, "u.tar");
      const r = await ocidist(["pull", `${proxy.host}/${s.repos.schema1}:unsigned`, "-o", out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await ocidist(["verify", out])).code, 0);
      const manifest = JSON.parse(execFileSync("tar", ["-xOf", out, "manifest.json"]).toString()) as { Config: string }[];
      const config = JSON.parse(execFileSync("tar", ["-xOf", out, manifest[0]!.Config]).toString()) as { rootfs: { diff_ids: string[] } };
      assert.deepEqual(config.rootfs.diff_ids, s.schema1!.layers.map((l) => l.diffId));
      const exp = join(dir, "rootfs");
      const e = await ocidist(["export", `${proxy.host}/${s.repos.schema1}@${unsigned.digest}`, exp]);
      assert.equal(e.code, 0, e.stderr);
      assert.deepEqual(readdirSync(exp).sort(), ["one", "two"]);
    } finally {
      await proxy.close();
    }
  });

  test("failures leave nothing at the destination and keep what was there", async () => {
    const dir = tempDir();
    const out = join(dir, "keep.tar");
    writeFileSync(out, "previous content");
    // With --force too: the old file is replaced only after a success.
    const r = await ocidist(["pull", `${host}/${s.repos.simple}:missing`, "-o", out, "--force"]);
    assert.equal(r.code, 1);
    assert.equal(readFileSync(out, "utf8"), "previous content");
    assert.deepEqual(readdirSync(dir), ["keep.tar"]);
    const idx = await ocidist(["pull", `${host}/${s.repos.multi}:v1`, "--all-platforms", "-o", join(dir, "x.tar")]);
    assert.equal(idx.code, 2);
    assert.deepEqual(readdirSync(dir), ["keep.tar"]);
  });

  test("an interrupted pull resumes from the cache without downloading again", async () => {
    const { startFaultProxy } = await import("../faults/proxy.js");
    const big = await layer([{ name: "big.bin", content: Buffer.from(Buffer.alloc(24 * 1024 * 1024).map((_, i) => (i * 2654435761) % 251)).toString("latin1") }]);
    const small = await layer([{ name: "small", content: "s\n" }]);
    const img = image([small, big]);
    await pushImage(rig, rig.registries.open, "pull/big", img, ["v1"]);
    const proxy = await startFaultProxy(rig.registries.open.url);
    try {
      // The first run gets half of the big layer, then the connection stalls; it is killed there.
      proxy.setRules([{ method: "GET", path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: "stall", ms: 60_000 }, times: 1 }]);
      const home = tempDir("ocidist-home-");
      const out = join(home, "big.tar");
      const child = spawn(process.execPath, [CLI, "--progress", "none", "pull", `${proxy.host}/pull/big:v1`, "-o", out], { env: isolatedEnv(home) });
      const partial = join(home, "cache", "blobs", "sha256", `${big.digest.slice(7)}.partial`);
      const half = Math.floor(big.size / 2);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(existsSync(partial) && statSync(partial).size >= half)) await new Promise((r) => setTimeout(r, 10));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("close", r));
      assert.ok(!existsSync(out), "no output after an interrupted pull");
      assert.equal(statSync(partial).size, half, "half of the layer was kept");
      // The second run asks only for the rest (206) and completes.
      const r = await ocidist(["pull", `${proxy.host}/pull/big:v1`, "-o", out, "-v"], { home });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`GET http://${proxy.host.replace(/\./g, "\\.")}/v2/pull/big/blobs/${big.digest} → 206`));
      assert.doesNotMatch(r.stderr, new RegExp(`blobs/${big.digest} → 200`));
      const v = await ocidist(["verify", out], { home });
      assert.equal(v.code, 0, v.out);
    } finally {
      await proxy.close();
    }
  });
});

describe("export and files", () => {
  test("export applies layers in order with whiteouts, opaque dirs, links and modes", async () => {
    const dir = join(tempDir(), "rootfs");
    const r = await ocidist(["export", `${host}/${s.repos.layered}:v1`, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["bin", "etc", "hard", "link", "opq"]);
    assert.deepEqual(readdirSync(join(dir, "etc")), ["keep"]);
    assert.deepEqual(readdirSync(join(dir, "opq")), ["new"]);
    assert.equal(readFileSync(join(dir, "bin/tool"), "utf8"), "#!/bin/sh\necho v2\n");
    assert.equal(statSync(join(dir, "bin/tool")).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(dir, "link")), "etc/keep");
    assert.equal(statSync(join(dir, "hard")).ino, statSync(join(dir, "etc/keep")).ino);
    assert.ok(lstatSync(join(dir, "etc/keep")).mtime.getTime() === new Date("2024-01-02T03:04:05Z").getTime());
    const again = await ocidist(["export", `${host}/${s.repos.layered}:v1`, dir]);
    assert.equal(again.code, 1, "refuses a non-empty directory");
  });

  test("export names what it skips and writes nothing outside the directory", async () => {
    const hostile = await layer([
      { name: "ok", content: "fine\n" },
      { name: "../escaped", content: "out\n" },
      { name: "pipe", type: "fifo" },
      { name: "dev/null", type: "character-device" },
      { name: "outlink", type: "link", linkname: "../../etc/passwd" },
    ]);
    await pushImage(rig, rig.registries.open, "export/hostile", image([hostile]), ["v1"]);
    const parent = tempDir();
    const dir = join(parent, "rootfs");
    const r = await ocidist(["export", `${host}/export/hostile:v1`, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(parent), ["rootfs"], "nothing beside the directory");
    // FIFOs are made as tar makes them; device nodes only as root.
    const root = process.getuid?.() === 0;
    assert.deepEqual(readdirSync(dir).sort(), ["dev", "ok", "pipe"]);
    const skipped = ["../escaped", "outlink", ...(root ? [] : ["dev/null"])];
    for (const name of skipped) assert.match(r.stderr, new RegExp(`ocidist: ${name.replace(/\./g, "\\.")}: .*skipped`), name);
    assert.equal(r.stderr.split("\n").filter((l) => l.endsWith("skipped")).length, skipped.length);
  });

  test("files saves a bottle chosen by os.version prefix under its title", async () => {
    const dir = tempDir();
    const r = await ocidist(["files", `${host}/${s.repos.bottle}:1.24.5`, "--platform", "darwin/arm64:macOS 14", "-o", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir), ["wget--1.24.5.arm64_sonoma.bottle.tar.gz"]);
    assert.deepEqual(readFileSync(join(dir, "wget--1.24.5.arm64_sonoma.bottle.tar.gz")), s.bottle.images[1]!.layers[0]!.bytes);
    const none = await ocidist(["files", `${host}/${s.repos.bottle}:1.24.5`, "--platform", "darwin/arm64:macOS 12", "-o", join(dir, "x")]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /darwin\/amd64:macOS 13, darwin\/arm64:macOS 14/);
    mkdirSync(join(dir, "again"));
    const art = await ocidist(["files", `${host}/${s.repos.artifact}:v1`, "-o", join(dir, "again")]);
    assert.equal(art.code, 0, art.stderr);
    assert.equal(readFileSync(join(dir, "again", "payload.txt"), "utf8"), "payload bytes\n");
  });
});
