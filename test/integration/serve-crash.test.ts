/**
 * `ocidist serve` killed with SIGKILL in the middle of pushes, then restarted: every layout
 * still verifies, no temporary file is inside a layout, the dead process's work area is
 * gone, and the push can be done again. SIGTERM stops it cleanly. Parallel pushes of one
 * tag and one blob leave one consistent result.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { test } from "node:test";
import { blob, desc, image, sha, tarOf, type Image } from "../rig/build.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { curl, startServe } from "../helpers/serve.js";

const run = promisify(execFile);

/** An image with one uncompressed layer of `size` random bytes (a real tar, so verify checks its diff ID). */
async function bigImage(size: number, layers = 1): Promise<Image> {
  const ls = [];
  for (let i = 0; i < layers; i++) {
    const tar = await tarOf([{ name: `big${i}`, content: randomBytes(size) }]);
    ls.push({ ...blob("application/vnd.oci.image.layer.v1.tar", tar), diffId: sha(tar) });
  }
  return image(ls);
}

/** Writes an OCI layout holding `img` as `tag`. */
function writeLayout(dir: string, img: Image, tag: string): void {
  mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
  writeFileSync(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  for (const b of [img.config, ...img.layers, img.manifest]) writeFileSync(join(dir, "blobs/sha256", b.digest.slice(7)), b.bytes);
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [desc(img.manifest, { annotations: { "org.opencontainers.image.ref.name": tag } })] }));
}

/** Every repository under DIR verifies and holds nothing but layout files. */
async function assertLayoutsClean(dir: string, repos: string[]): Promise<void> {
  for (const repo of repos) {
    const v = await ocidist(["verify", `oci:${join(dir, repo)}`]);
    assert.equal(v.code, 0, `${repo}: ${v.out}${v.stderr}`);
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(join(dir, repo), join(d, e.name))]));
    for (const f of walk(join(dir, repo))) assert.match(f, /^(oci-layout|index\.json|blobs\/sha256\/[0-9a-f]{64})$/, `${repo}: unexpected file ${f}`);
  }
}

/** Waits until some upload session file in DIR's work area holds more than `bytes`. */
async function sessionGrows(dir: string, bytes: number): Promise<void> {
  for (;;) {
    for (const w of readdirSync(join(dir, ".uploads"))) {
      for (const f of readdirSync(join(dir, ".uploads", w))) {
        if ((statSync(join(dir, ".uploads", w, f), { throwIfNoEntry: false })?.size ?? 0) > bytes) return;
      }
    }
    await sleep(10);
  }
}

test("kill -9 in the middle of pushes, then restart: every layout verifies and nothing temporary is left", async () => {
  const dir = tempDir("ocidist-serve-");
  let server = await startServe(dir);
  // An image already there, which the crash must not damage.
  const before = await bigImage(1024 * 1024);
  const src = join(tempDir(), "src");
  writeLayout(src, before, "v1");
  assert.equal((await ocidist(["copy", `oci:${src}:v1`, `${server.host}/crash/app:v1`])).code, 0);

  // A slow streamed upload into the same repository and a whole-image push into another, killed mid-way.
  const next = await bigImage(8 * 1024 * 1024, 3);
  const src2 = join(tempDir(), "src2");
  writeLayout(src2, next, "v2");
  const body = join(tempDir(), "body");
  writeFileSync(body, randomBytes(16 * 1024 * 1024));
  const post = await curl(`${server.url}/v2/crash/app/blobs/uploads/`, ["-X", "POST"]);
  const slow = run("curl", ["-s", "--limit-rate", "2M", "-X", "PATCH", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${body}`, `${server.url}${post.headers.location}`]).catch(() => undefined);
  const copy = ocidist(["copy", `oci:${src2}:v2`, `${server.host}/crash/other:v2`]);
  await sessionGrows(dir, 1024 * 1024);
  const pid = server.child.pid!;
  await server.stop("SIGKILL");
  await Promise.all([slow, copy]);
  assert.ok(existsSync(join(dir, ".uploads")), "the work area is where sessions were");
  const dead = readdirSync(join(dir, ".uploads")).filter((n) => n.startsWith(`${pid}-`));
  assert.equal(dead.length, 1, "the killed server's work directory is there before the restart");

  server = await startServe(dir);
  try {
    assert.ok(!existsSync(join(dir, ".uploads", dead[0]!)), "the restart removed the dead server's work directory");
    const repos = readdirSync(join(dir, "crash")).map((r) => `crash/${r}`);
    await assertLayoutsClean(dir, repos);
    const d = await ocidist(["digest", `${server.host}/crash/app:v1`]);
    assert.equal(d.out.trim(), before.manifest.digest);
    // The interrupted push, done again, completes.
    const again = await ocidist(["copy", `oci:${src2}:v2`, `${server.host}/crash/other:v2`]);
    assert.equal(again.code, 0, again.stderr);
    await assertLayoutsClean(dir, ["crash/app", "crash/other"]);
  } finally {
    await server.stop();
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) test(`${signal} stops it cleanly: exit 0, sessions and work area removed`, async () => {
  const dir = tempDir("ocidist-serve-");
  const server = await startServe(dir);
  const post = await curl(`${server.url}/v2/term/app/blobs/uploads/`, ["-X", "POST"]);
  assert.equal(post.status, 202);
  await curl(`${server.url}${post.headers.location}`, ["-X", "PATCH", "--data-binary", "some bytes"]);
  const code = await server.stop(signal);
  assert.equal(code, 0, server.stderr());
  assert.match(server.stderr(), /stopped/);
  assert.deepEqual(readdirSync(join(dir, ".uploads")), []);
  await assert.rejects(curl(`${server.url}/v2/`));
});

test("parallel pushes of one tag and one blob leave one consistent result", async () => {
  const dir = tempDir("ocidist-serve-");
  const server = await startServe(dir);
  try {
    const imgs = await Promise.all([0, 1, 2, 3].map(() => bigImage(256 * 1024)));
    const srcs = imgs.map((img, i) => {
      const p = join(tempDir(), `src${i}`);
      writeLayout(p, img, "latest");
      return p;
    });
    const results = await Promise.all([
      ...srcs.map((p) => ocidist(["copy", `oci:${p}:latest`, `${server.host}/race/app:latest`])),
      ...srcs.map((p, i) => ocidist(["copy", `oci:${p}:latest`, `${server.host}/race/app:t${i}`])),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const tags = await ocidist(["tags", `${server.host}/race/app`]);
    assert.deepEqual(tags.out.trim().split("\n"), ["latest", "t0", "t1", "t2", "t3"]);
    const latest = (await ocidist(["digest", `${server.host}/race/app:latest`])).out.trim();
    assert.ok(imgs.some((i) => i.manifest.digest === latest), "latest is one of the pushed images");
    // One blob uploaded by eight clients at once.
    const shared = randomBytes(2 * 1024 * 1024);
    const f = join(tempDir(), "shared");
    writeFileSync(f, shared);
    const ups = await Promise.all(Array.from({ length: 8 }, () => curl(`${server.url}/v2/race/app/blobs/uploads/?digest=${sha(shared)}`, ["-X", "POST", "--data-binary", `@${f}`])));
    for (const u of ups) assert.equal(u.status, 201);
    const got = await curl(`${server.url}/v2/race/app/blobs/${sha(shared)}`);
    assert.equal(sha(got.body), sha(shared));
    await assertLayoutsClean(dir, ["race/app"]);
  } finally {
    await server.stop();
  }
});

