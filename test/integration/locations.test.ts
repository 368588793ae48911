/**
 * Every read command on every local location kind, compared with the same image read from
 * the registry: an OCI layout and an OCI archive (made by `copy` and `pull` from the rig
 * registry, so they hold the registry's own manifest bytes), a docker archive made by
 * `pull` (it holds an OCI layout too, so again the registry's bytes), and a docker archive
 * without a layout, as `docker save` wrote before docker 25, whose manifest ocidist
 * synthesizes: that one is compared with the registry after `push` of the same archive,
 * which stores the same synthesized manifest.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import { ocidist, tempDir, type CliResult } from "../helpers/cli.js";
import { dockerArchive } from "../interop/archive.js";

let host: string;
let s: Seeded;
const work = tempDir("ocidist-locations-");
const layout = join(work, "layout");
const ociArchive = join(work, "images.oci.tar");
const referrersArchive = join(work, "simple.oci.tar");
const dockerTar = join(work, "images.docker.tar");
let legacy: string;

const reg = (repo: string) => `${host}/${repo}`;
/** The names `pull` gives several images in one output: full references. */
const full = (repo: string, tag = "v1") => `${host}/${repo}:${tag}`;

async function ok(args: string[]): Promise<CliResult> {
  const r = await ocidist(args);
  assert.equal(r.code, 0, `ocidist ${args.join(" ")}: ${r.stderr}`);
  return r;
}

before(async () => {
  const rig = await getRig();
  host = rig.registries.open.host;
  s = await seed(rig, rig.registries.open, "locations", false);
  await ok(["copy", `${reg(s.repos.multi)}:v1`, `oci:${layout}:multi`]);
  await ok(["copy", `${reg(s.repos.layered)}:v1`, `oci:${layout}:layered`]);
  await ok(["copy", `${reg(s.repos.bottle)}:1.24.5`, `oci:${layout}:bottle`]);
  await ok(["copy", "--referrers", `${reg(s.repos.simple)}:v1`, `oci:${layout}:simple`]);
  await ok(["pull", "--format", "oci-archive", "--all-platforms", `${reg(s.repos.multi)}:v1`, `${reg(s.repos.layered)}:v1`, `${reg(s.repos.bottle)}:1.24.5`, "-o", ociArchive]);
  await ok(["copy", "--referrers", `${reg(s.repos.simple)}:v1`, `oci-archive:${referrersArchive}:simple`]);
  await ok(["pull", "--platform", "linux/arm64", `${reg(s.repos.multi)}:v1`, `${reg(s.repos.layered)}:v1`, "-o", dockerTar]);
  legacy = dockerArchive(join(work, "legacy"), "locations/legacy:v1", "none").path;
  await ok(["push", legacy, `${reg("locations/legacy")}:v1`]);
});

/** The same image in each local kind that holds it, and in the registry. */
function kinds(repo: "multi" | "layered", platformInDockerArchive = false): { name: string; loc: string }[] {
  const r = s.repos[repo];
  const out = [
    { name: "oci", loc: `oci:${layout}:${repo}` },
    { name: "oci-archive", loc: `oci-archive:${ociArchive}:${full(r)}` },
  ];
  // A docker archive holds one platform's image: it is compared with the registry's resolved to that platform.
  if (repo === "layered" || platformInDockerArchive) out.push({ name: "docker-archive", loc: `docker-archive:${dockerTar}:${full(r)}` });
  return out;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every entry under `dir`: path, type, permission bits, and content hash or link target. */
function tree(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(dir, path);
    const st = lstatSync(full);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isDirectory()) out.push(`${path}/ ${mode}`, ...tree(dir, path));
    else if (st.isSymbolicLink()) out.push(`${path} -> ${readlinkSync(full)}`);
    else out.push(`${path} ${mode} ${st.nlink} ${sha256(readFileSync(full))}`);
  }
  return out;
}

/** The failure is one line on stderr, exit 1, nothing on stdout, no HTTP status invented. */
function assertOneLine(r: CliResult, code: number, re: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bHTTP\b|\b404\b/, "no HTTP status (the port in a name may hold the digits 404)");
  assert.equal(r.out, "");
}

describe("read commands on local locations give what the registry gives", () => {
  test("manifest: the same bytes, as a whole index and resolved to a platform", async () => {
    const top = await ok(["manifest", `${reg(s.repos.multi)}:v1`]);
    assert.equal(`sha256:${sha256(top.stdout)}`, s.multi.index.digest);
    const armv7 = await ok(["manifest", `${reg(s.repos.multi)}:v1`, "--platform", "linux/arm/v7"]);
    const arm64 = await ok(["manifest", `${reg(s.repos.multi)}:v1`, "--platform", "linux/arm64"]);
    for (const { name, loc } of kinds("multi")) {
      assert.deepEqual((await ok(["manifest", loc])).stdout, top.stdout, name);
      assert.deepEqual((await ok(["manifest", loc, "--platform", "linux/arm/v7"])).stdout, armv7.stdout, name);
    }
    assert.deepEqual((await ok(["manifest", `docker-archive:${dockerTar}:${full(s.repos.multi)}`])).stdout, arm64.stdout);
    // A layout named by the index's digest gives the same bytes too.
    assert.deepEqual((await ok(["manifest", `oci:${layout}@${s.multi.index.digest}`])).stdout, top.stdout);
  });

  test("digest: the same digest, with and without --platform; --json names the location", async () => {
    for (const { name, loc } of kinds("multi")) {
      assert.equal((await ok(["digest", loc])).out.trim(), s.multi.index.digest, name);
      assert.equal((await ok(["digest", loc, "--platform", "linux/arm64"])).out.trim(), s.multi.images[1]!.manifest.digest, name);
    }
    const d = JSON.parse((await ok(["digest", "--json", `docker-archive:${dockerTar}:${full(s.repos.multi)}`])).out) as Record<string, unknown>;
    assert.deepEqual(d, { reference: `docker-archive:${dockerTar}:${full(s.repos.multi)}`, mediaType: s.multi.images[1]!.manifest.mediaType, digest: s.multi.images[1]!.manifest.digest, size: s.multi.images[1]!.manifest.bytes.length });
  });

  test("inspect --json and config: the same summary and the same config bytes", async () => {
    const summary = async (loc: string, platform: string) => {
      const doc = JSON.parse((await ok(["inspect", "--json", loc, "--platform", platform])).out) as Record<string, unknown>;
      assert.ok(typeof doc.reference === "string");
      delete doc.reference;
      return doc;
    };
    const fromRegistry = await summary(`${reg(s.repos.multi)}:v1`, "linux/arm64");
    const config = await ok(["config", `${reg(s.repos.multi)}:v1`, "--platform", "linux/arm/v7"]);
    assert.deepEqual(config.stdout, s.multi.images[2]!.config.bytes);
    for (const { name, loc } of kinds("multi")) {
      assert.deepEqual(await summary(loc, "linux/arm64"), fromRegistry, name);
      assert.deepEqual((await ok(["config", loc, "--platform", "linux/arm/v7"])).stdout, config.stdout, name);
    }
    const layeredSummary = await summary(`${reg(s.repos.layered)}:v1`, "linux/amd64");
    for (const { name, loc } of kinds("layered")) {
      assert.deepEqual(await summary(loc, "linux/amd64"), layeredSummary, name);
      assert.deepEqual((await ok(["config", loc])).stdout, s.layered.config.bytes, name);
    }
  });

  test("blob LOCATION@DIGEST: the same verified bytes, to stdout and to a file", async () => {
    const layer = s.layered.layers[1]!;
    const fromRegistry = await ok(["blob", `${reg(s.repos.layered)}@${layer.digest}`]);
    assert.deepEqual(fromRegistry.stdout, layer.bytes);
    for (const loc of [`oci:${layout}`, `oci-archive:${ociArchive}`, `docker-archive:${dockerTar}`]) {
      assert.deepEqual((await ok(["blob", `${loc}@${layer.digest}`])).stdout, layer.bytes, loc);
    }
    const file = join(tempDir(), "config.json");
    await ok(["blob", `oci:${layout}:multi@${s.multi.images[0]!.config.digest}`, "-o", file]);
    assert.deepEqual(readFileSync(file), s.multi.images[0]!.config.bytes);
  });

  test("referrers: the registry's referrers, found in a layout's index", async () => {
    const fromRegistry = JSON.parse((await ok(["referrers", "--json", `${reg(s.repos.simple)}:v1`])).out) as { subject: string; referrers: { digest: string; artifactType: string }[] };
    assert.equal(fromRegistry.referrers.length, 1);
    for (const loc of [`oci:${layout}:simple`, `oci-archive:${referrersArchive}:simple`, `oci:${layout}@${s.simple.manifest.digest}`]) {
      const doc = JSON.parse((await ok(["referrers", "--json", loc])).out) as typeof fromRegistry & { source: string };
      assert.equal(doc.source, "layout", loc);
      assert.equal(doc.subject, fromRegistry.subject, loc);
      assert.deepEqual(doc.referrers, fromRegistry.referrers, loc);
      const none = JSON.parse((await ok(["referrers", "--json", "--artifact-type", "application/x-none", loc])).out) as typeof fromRegistry;
      assert.deepEqual(none.referrers, []);
    }
    // A docker archive ocidist wrote holds a layout (read as one); one without a layout holds no referrers.
    const docker = JSON.parse((await ok(["referrers", "--json", `docker-archive:${dockerTar}:${full(s.repos.layered)}`])).out) as typeof fromRegistry & { source: string };
    assert.deepEqual([docker.source, docker.referrers], ["layout", []]);
    const old = JSON.parse((await ok(["referrers", "--json", `docker-archive:${legacy}`])).out) as typeof fromRegistry & { source: string };
    assert.deepEqual([old.source, old.referrers], ["none", []]);
  });

  test("tags: a layout's or archive's names", async () => {
    assert.deepEqual((await ok(["tags", `oci:${layout}`])).out.trim().split("\n").sort(), ["bottle", "layered", "multi", "simple"]);
    assert.deepEqual((await ok(["tags", `oci-archive:${ociArchive}`])).out.trim().split("\n").sort(), [full(s.repos.bottle, "1.24.5"), full(s.repos.layered), full(s.repos.multi)].sort());
    const doc = JSON.parse((await ok(["tags", "--json", `docker-archive:${dockerTar}`])).out) as { name: string; tags: string[] };
    assert.deepEqual(doc, { name: `docker-archive:${dockerTar}`, tags: [full(s.repos.multi), full(s.repos.layered)] });
  });

  test("export: the same tree (whiteouts, opaque directories, links)", async () => {
    const expected = join(tempDir(), "rootfs");
    await ok(["export", `${reg(s.repos.layered)}:v1`, expected]);
    const want = tree(expected);
    assert.ok(want.some((l) => l.startsWith("opq/new ")) && !want.some((l) => l.startsWith("etc/gone")));
    for (const { name, loc } of kinds("layered")) {
      const out = join(tempDir(), "rootfs");
      await ok(["export", loc, out]);
      assert.deepEqual(tree(out), want, name);
    }
    const armFromRegistry = join(tempDir(), "rootfs");
    await ok(["export", `${reg(s.repos.multi)}:v1`, armFromRegistry, "--platform", "linux/arm/v7"]);
    const armFromArchive = join(tempDir(), "rootfs");
    await ok(["export", `oci-archive:${ociArchive}:${full(s.repos.multi)}`, armFromArchive, "--platform", "linux/arm/v7"]);
    assert.deepEqual(tree(armFromArchive), tree(armFromRegistry));
    assert.equal(readFileSync(join(armFromArchive, "arch"), "utf8"), "armv7\n");
  });

  test("files: the same files for the same platform", async () => {
    const want = join(tempDir(), "bottles");
    const platform = ["--platform", "darwin/arm64:macOS 14"];
    await ok(["files", `${reg(s.repos.bottle)}:1.24.5`, ...platform, "-o", want]);
    const names = readdirSync(want);
    assert.deepEqual(names, ["wget--1.24.5.arm64_sonoma.bottle.tar.gz"]);
    for (const loc of [`oci:${layout}:bottle`, `oci-archive:${ociArchive}:${full(s.repos.bottle, "1.24.5")}`]) {
      const out = join(tempDir(), "bottles");
      const r = JSON.parse((await ok(["files", "--json", loc, ...platform, "-o", out])).out) as { reference: string; manifest: string };
      assert.equal(r.manifest, s.bottle.images[1]!.manifest.digest);
      assert.deepEqual(tree(out), tree(want), loc);
    }
  });

  test("a docker archive without a layout: its synthesized manifest is what push stored", async () => {
    const pushed = `${reg("locations/legacy")}:v1`;
    const loc = `docker-archive:${legacy}`;
    const m = await ok(["manifest", loc]);
    assert.deepEqual(m.stdout, (await ok(["manifest", pushed])).stdout);
    const digest = (await ok(["digest", loc])).out;
    assert.equal(digest, (await ok(["digest", pushed])).out);
    assert.equal(digest, `sha256:${sha256(m.stdout)}\n`);
    assert.deepEqual((await ok(["config", loc])).stdout, (await ok(["config", pushed])).stdout);
    const layer = (JSON.parse(m.out) as { layers: { digest: string }[] }).layers[0]!.digest;
    assert.deepEqual((await ok(["blob", `${loc}@${layer}`])).stdout, (await ok(["blob", `${reg("locations/legacy")}@${layer}`])).stdout);
    const a = join(tempDir(), "rootfs");
    const b = join(tempDir(), "rootfs");
    await ok(["export", loc, a]);
    await ok(["export", pushed, b]);
    assert.deepEqual(tree(a), tree(b));
  });
});

describe("local locations: failures in one line", () => {
  test("a missing name, a missing blob or a missing platform: exit 1, no HTTP status", async () => {
    assertOneLine(await ocidist(["manifest", `oci:${layout}:missing`]), 1, /no image named "missing" \(it has: .*multi/);
    assertOneLine(await ocidist(["inspect", `oci-archive:${ociArchive}:missing`]), 1, /no image named "missing"/);
    assertOneLine(await ocidist(["config", `docker-archive:${dockerTar}:nope:v1`]), 1, /no image named "nope:v1"/);
    const zero = `sha256:${"0".repeat(64)}`;
    for (const loc of [`oci:${layout}`, `oci-archive:${ociArchive}`, `docker-archive:${dockerTar}`]) {
      assertOneLine(await ocidist(["blob", `${loc}@${zero}`]), 1, new RegExp(`no blob ${zero}`));
    }
    assertOneLine(await ocidist(["digest", `oci:${layout}@${zero}`]), 1, new RegExp(`no manifest ${zero}`));
    assertOneLine(await ocidist(["digest", `oci:${layout}:multi`, "--platform", "linux/s390x"]), 1, /no image for platform linux\/s390x \(the index has: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/);
  });

  test("usage errors exit 2: blob without a digest, a malformed digest, tags of one name", async () => {
    assertOneLine(await ocidist(["blob", `oci:${layout}:multi`]), 2, /blob needs LOCATION@DIGEST/);
    assertOneLine(await ocidist(["manifest", `oci:${layout}@sha256:abc`]), 2, /invalid sha256 digest/);
    assertOneLine(await ocidist(["tags", `oci:${layout}:multi`]), 2, /give it without :TAG/);
    assertOneLine(await ocidist(["copy", `oci:${layout}:multi`, `oci:${join(work, "x")}@${s.multi.index.digest}`]), 2, /named by a tag, not a digest/);
  });
});
