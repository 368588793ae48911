/**
 * Attacks on the file system, through the real CLI: names from an index that would climb out
 * of `files -o`; symlinks planted in a shared cache and in an existing layout; `cache clear`
 * pointed at someone else's directory; a damaged blob already in a layout; `files` failing
 * half-way; a symlinked docker config.json; export of read-only directories as a non-root
 * user; a gzip bomb. Each test checks the exit code, stderr, that the victim files are
 * unchanged and that nothing was written outside the destination.
 */
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { blob, image, index, layer, sha, tarOf, type Blob, type Image } from "../rig/build.js";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let reg: HostileRegistry;
before(async () => {
  reg = await startHostile();
});
after(async () => {
  await reg.close();
});

/** Serves an image under `repo:tag` (and its digest). */
function serveImage(repo: string, tag: string, img: Image): void {
  reg.manifest(repo, [tag, img.manifest.digest], img.manifest.bytes, img.manifest.mediaType);
  reg.blob(repo, img.config.bytes);
  for (const l of img.layers) reg.blob(repo, l.bytes);
}

/** Serves an index (and its images) under `repo:tag`. */
function serveIndex(repo: string, tag: string, idx: Blob, images: Image[]): void {
  reg.manifest(repo, [tag, idx.digest], idx.bytes, idx.mediaType);
  for (const img of images) serveImage(repo, img.manifest.digest, img);
}

/** Every path below `dir` (relative), directories included, not following links. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      out.push(relative(dir, full));
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

const titled = (l: Blob, title: string) => ({ ...l, annotations: { "org.opencontainers.image.title": title } });

describe("names from content never leave the destination", () => {
  test("files refuses an index ref.name that climbs out of -o, and writes nothing outside it", async () => {
    const l = await layer([{ name: "bin/x", content: "payload\n" }]);
    const img = image([l], { os: "darwin", architecture: "arm64" });
    const idx = index([{ manifest: img.manifest, platform: { os: "darwin", architecture: "arm64" }, annotations: { "org.opencontainers.image.ref.name": "../../../victim" } }]);
    serveIndex("evil/bottle", "v1", idx, [img]);
    const home = tempDir("ocidist-home-");
    const out = join(home, "a", "b", "out");
    mkdirSync(join(home, "a"), { recursive: true });
    const victim = join(home, "a", "victim.bottle.tar.gz");
    writeFileSync(victim, "VICTIM\n");
    const before = tree(home);
    for (const force of [[], ["--force"]]) {
      const r = await ocidist(["files", `${reg.host}/evil/bottle:v1`, "--platform", "darwin/arm64", "-o", out, ...force], { home });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /ref\.name.*not a plain file name/);
      assert.equal(readFileSync(victim, "utf8"), "VICTIM\n");
      assert.deepEqual(tree(home), before, "nothing written anywhere");
    }
  });
});

describe("files: all files appear, or none", () => {
  async function twoFiles(repo: string, second: string): Promise<Image> {
    const one = blob("application/octet-stream", Buffer.from("first file, new\n"));
    const two = blob("application/octet-stream", Buffer.from(second));
    const img = image([{ ...titled(one, "one.txt"), diffId: one.digest }, { ...titled(two, "two.txt"), diffId: two.digest }]);
    serveImage(repo, "v1", img);
    return img;
  }

  test("a layer that fails after another was saved leaves no file, and --force leaves the old ones", async () => {
    const img = await twoFiles("evil/files", "second file, new\n");
    // The second layer arrives late and wrong, so the first is complete by then.
    reg.override("GET", new RegExp(`/v2/evil/files/blobs/${img.layers[1]!.digest}`), (_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(img.layers[1]!.size) });
        res.end(Buffer.alloc(img.layers[1]!.size, 0x41));
      }, 400);
    });
    const home = tempDir("ocidist-home-");
    const out = join(home, "out");
    const r = await ocidist(["files", `${reg.host}/evil/files:v1`, "-o", out], { home });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /hashes to|digest/);
    assert.deepEqual(existsSync(out) ? tree(out) : [], [], "no file and no stage left");

    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "one.txt"), "first file, old\n");
    writeFileSync(join(out, "two.txt"), "second file, old\n");
    const f = await ocidist(["files", `${reg.host}/evil/files:v1`, "-o", out, "--force"], { home });
    assert.notEqual(f.code, 0);
    assert.deepEqual(tree(out), ["one.txt", "two.txt"]);
    assert.equal(readFileSync(join(out, "one.txt"), "utf8"), "first file, old\n");
    assert.equal(readFileSync(join(out, "two.txt"), "utf8"), "second file, old\n");
  });

  test("--force replaces every file once all are verified", async () => {
    await twoFiles("good/files", "second file, good\n");
    const home = tempDir("ocidist-home-");
    const out = join(home, "out");
    mkdirSync(out);
    writeFileSync(join(out, "one.txt"), "old\n");
    const plain = await ocidist(["files", `${reg.host}/good/files:v1`, "-o", out], { home });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /already exists/);
    assert.deepEqual(tree(out), ["one.txt"]);
    const r = await ocidist(["files", `${reg.host}/good/files:v1`, "-o", out, "--force"], { home });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tree(out), ["one.txt", "two.txt"]);
    assert.equal(readFileSync(join(out, "two.txt"), "utf8"), "second file, good\n");
  });
});

describe("planted symlinks in a shared cache and an existing layout", () => {
  let img: Image;
  before(async () => {
    // Incompressible and several chunks long, so that bytes would pass before the digest is known.
    img = image([await layer([{ name: "etc/motd", content: randomBytes(3 << 20) }])]);
    serveImage("fs/img", "v1", img);
  });

  test("a symlink at a cache .partial is never written through", async () => {
    const home = tempDir("ocidist-home-");
    const cache = join(home, "shared-cache");
    const l = img.layers[0]!;
    const dir = join(cache, "blobs", "sha256");
    mkdirSync(dir, { recursive: true });
    const victim = join(home, "victim.txt");
    writeFileSync(victim, "VICTIM\n");
    symlinkSync(victim, join(dir, `${l.digest.slice(7)}.partial`));
    const r = await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", join(home, "out")], { home, env: { OCIDIST_CACHE: cache } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, "utf8"), "VICTIM\n", "victim unchanged");
    assert.ok(statSync(join(dir, l.digest.slice(7))).isFile());
    assert.equal(sha(readFileSync(join(dir, l.digest.slice(7)))), l.digest);
  });

  /** A pull (into `out` under a fresh home) after `plant` put a `blobs` symlink to an empty directory; checks nothing went through it. */
  async function pullPastPlantedBlobs(plant: (home: string, elsewhere: string) => { out: string; env?: NodeJS.ProcessEnv }): Promise<void> {
    const home = tempDir("ocidist-home-");
    const elsewhere = join(home, "elsewhere");
    mkdirSync(elsewhere);
    const { out, env } = plant(home, elsewhere);
    const r = await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", out], { home, env });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /blobs is a symlink; refusing to follow it/);
    assert.deepEqual(tree(elsewhere), [], "nothing written through the link");
  }

  test("a symlink at a cache's blobs/ is refused, the directory it names untouched", async () => {
    await pullPastPlantedBlobs((home, elsewhere) => {
      const cache = join(home, "shared-cache");
      mkdirSync(cache);
      symlinkSync(elsewhere, join(cache, "blobs"));
      return { out: join(home, "out"), env: { OCIDIST_CACHE: cache } };
    });
  });

  test("a symlink at an existing layout's blobs/ is refused, the directory it names untouched", async () => {
    await pullPastPlantedBlobs((home, elsewhere) => {
      const out = join(home, "layout");
      mkdirSync(out);
      writeFileSync(join(out, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      writeFileSync(join(out, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [] }));
      symlinkSync(elsewhere, join(out, "blobs"));
      return { out };
    });
  });

  test("a symlink planted at a blob of an existing layout is replaced by the verified file, its target untouched", async () => {
    const home = tempDir("ocidist-home-");
    const out = join(home, "layout");
    assert.equal((await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", out], { home })).code, 0);
    const path = join(out, "blobs", "sha256", img.layers[0]!.digest.slice(7));
    const victim = join(home, "victim.txt");
    writeFileSync(victim, "VICTIM\n");
    rmSync(path);
    symlinkSync(victim, path);
    const again = await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", out], { home });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(lstatSync(path).isFile(), "a regular file again");
    assert.equal(sha(readFileSync(path)), img.layers[0]!.digest);
    assert.equal(readFileSync(victim, "utf8"), "VICTIM\n");
  });

  test("a damaged blob already in a layout is found and replaced, not trusted", async () => {
    const home = tempDir("ocidist-home-");
    const out = join(home, "layout");
    const first = await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", out], { home });
    assert.equal(first.code, 0, first.stderr);
    const path = join(out, "blobs", "sha256", img.layers[0]!.digest.slice(7));
    rmSync(path);
    writeFileSync(path, Buffer.alloc(img.layers[0]!.size, 0x42));
    const again = await ocidist(["pull", `${reg.host}/fs/img:v1`, "--format", "oci", "-o", out], { home });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sha(readFileSync(path)), img.layers[0]!.digest, "the damaged blob was replaced");
    const v = await ocidist(["verify", out], { home });
    assert.equal(v.code, 0, v.stderr + v.out);
  });
});

describe("cache clear", () => {
  test("refuses a directory ocidist did not mark as its cache", async () => {
    const home = tempDir("ocidist-home-");
    const foreign = join(home, "project");
    mkdirSync(join(foreign, "blobs", "sha256"), { recursive: true });
    writeFileSync(join(foreign, "blobs", "sha256", "precious"), "keep me\n");
    for (const how of [{ args: ["--cache-dir", foreign], env: {} }, { args: [], env: { OCIDIST_CACHE: foreign } }]) {
      const r = await ocidist(["cache", "clear", ...how.args], { home, env: how.env });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /not marked as an ocidist cache/);
      assert.equal(readFileSync(join(foreign, "blobs", "sha256", "precious"), "utf8"), "keep me\n");
    }
  });

  test("clears a cache ocidist made", async () => {
    const home = tempDir("ocidist-home-");
    const cache = join(home, "c");
    serveImage("fs/clear", "v1", image([await layer([{ name: "f", content: "x\n" }])]));
    const p = await ocidist(["pull", `${reg.host}/fs/clear:v1`, "--format", "oci", "-o", join(home, "out")], { home, env: { OCIDIST_CACHE: cache } });
    assert.equal(p.code, 0, p.stderr);
    assert.ok(existsSync(join(cache, "blobs")));
    const r = await ocidist(["cache", "clear"], { home, env: { OCIDIST_CACHE: cache } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(cache, "blobs")));
  });
});

describe("login keeps a symlinked config.json", () => {
  test("the credentials are written to the link's target and the link stays", async () => {
    const home = tempDir("ocidist-home-");
    const dotfiles = join(home, "dotfiles");
    mkdirSync(dotfiles);
    writeFileSync(join(dotfiles, "docker.json"), JSON.stringify({ auths: {}, psFormat: "keep" }));
    mkdirSync(join(home, ".docker"));
    symlinkSync("../dotfiles/docker.json", join(home, ".docker", "config.json"));
    const r = await ocidist(["login", reg.host, "-u", "me", "--password-stdin"], { home, input: "secret\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(home, ".docker", "config.json")).isSymbolicLink(), "still a link");
    const doc = JSON.parse(readFileSync(join(dotfiles, "docker.json"), "utf8")) as { auths: Record<string, { auth: string }>; psFormat: string };
    assert.equal(doc.psFormat, "keep");
    assert.equal(Buffer.from(doc.auths[reg.host]!.auth, "base64").toString(), "me:secret");
    assert.deepEqual(readdirSync(dotfiles), ["docker.json"], "no temp file left");
  });
});

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** A home a non-root user can use. */
function homeFor(uid: number): string {
  const home = tempDir("ocidist-home-");
  chownSync(home, uid, uid);
  return home;
}

describe("export as a non-root user", () => {
  test("a file added by a later layer to a read-only directory", { skip: isRoot ? false : "needs root to run the CLI as nobody" }, async () => {
    const l1 = await layer([
      { name: "usr/", type: "directory", mode: 0o755 },
      { name: "usr/bin/", type: "directory", mode: 0o555 },
      { name: "usr/bin/one", content: "1\n", mode: 0o755 },
    ]);
    const l2 = await layer([{ name: "usr/bin/two", content: "2\n", mode: 0o755 }]);
    serveImage("fs/ro", "v1", image([l1, l2]));
    const home = homeFor(NOBODY);
    const out = join(home, "rootfs");
    const r = await ocidist(["export", `${reg.host}/fs/ro:v1`, out], { home, uid: NOBODY });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(out, "usr", "bin")).mode & 0o777, 0o555);
    assert.deepEqual(readdirSync(join(out, "usr", "bin")).sort(), ["one", "two"]);
    assert.deepEqual(readdirSync(home).filter((n) => n.includes(".ocidist-")), [], "no temporary tree left");
    chmodSync(join(out, "usr", "bin"), 0o755);
  });

  test("a failing export of read-only directories removes its temporary tree and reports the real error", { skip: isRoot ? false : "needs root to run the CLI as nobody" }, async () => {
    const l1 = await layer([
      { name: "opt/", type: "directory", mode: 0o555 },
      { name: "opt/file", content: "1\n" },
    ]);
    const l2 = blob("application/vnd.oci.image.layer.v1.tar+gzip", gzipSync(Buffer.from("this is no tar archive at all, but it is long enough to be read as one".repeat(20))));
    serveImage("fs/rofail", "v1", image([l1, { ...l2, diffId: l2.digest }]));
    const home = homeFor(NOBODY);
    const r = await ocidist(["export", `${reg.host}/fs/rofail:v1`, join(home, "rootfs")], { home, uid: NOBODY });
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /EACCES|permission denied/i, "the cleanup does not mask the error");
    assert.deepEqual(readdirSync(home).filter((n) => n.includes("rootfs")), [], "no temporary tree and no output");
  });
});

describe("decompression bombs", () => {
  test("export refuses a gzip layer that expands past the ratio bound, and --max-ratio raises it", async () => {
    const raw = await tarOf([{ name: "zeros", content: Buffer.alloc(40 * 1024 * 1024) }]);
    const gz = gzipSync(raw);
    const bomb = { ...blob("application/vnd.oci.image.layer.v1.tar+gzip", gz), diffId: sha(raw) };
    serveImage("fs/bomb", "v1", image([bomb]));
    const home = tempDir("ocidist-home-");
    const r = await ocidist(["export", `${reg.host}/fs/bomb:v1`, join(home, "rootfs")], { home });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /expands more than 500 times.*--max-ratio/);
    assert.ok(!existsSync(join(home, "rootfs")));
    const ok = await ocidist(["export", `${reg.host}/fs/bomb:v1`, join(home, "rootfs"), "--max-ratio", "0"], { home });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(statSync(join(home, "rootfs", "zeros")).size, 40 * 1024 * 1024);
    // verify computes diff IDs under the same bound.
    const layout = join(home, "layout");
    assert.equal((await ocidist(["pull", `${reg.host}/fs/bomb:v1`, "--format", "oci", "-o", layout], { home })).code, 0);
    const v = await ocidist(["verify", layout], { home });
    assert.equal(v.code, 1);
    assert.match(v.out + v.stderr, /expands more than 500 times/);
    assert.equal((await ocidist(["verify", layout, "--max-ratio", "2000"], { home })).code, 0);
    const bad = await ocidist(["verify", layout, "--max-ratio", "lots"], { home });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--max-ratio wants a number/);
  });
});
