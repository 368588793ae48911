/**
 * `ocidist serve` gaps of issue 15's audit: SIGINT stops it as cleanly as SIGTERM, and a
 * cross-repository mount shares the blob as a hard link (one inode) instead of a copy.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sha } from "../rig/build.js";
import { tempDir } from "../helpers/cli.js";
import { curl, startServe } from "../helpers/serve.js";

test("SIGINT stops it cleanly: exit 0, work area emptied, port closed", async () => {
  const dir = tempDir("ocidist-serve-");
  const server = await startServe(dir);
  const post = await curl(`${server.url}/v2/int/app/blobs/uploads/`, ["-X", "POST"]);
  assert.equal(post.status, 202);
  const code = await server.stop("SIGINT");
  assert.equal(code, 0, server.stderr());
  assert.deepEqual(readdirSync(join(dir, ".uploads")), []);
  await assert.rejects(curl(`${server.url}/v2/`));
});

test("a mount across repositories is a hard link of the same file", async () => {
  const dir = tempDir("ocidist-serve-");
  const server = await startServe(dir);
  try {
    const bytes = randomBytes(64 * 1024);
    const f = join(tempDir(), "b");
    writeFileSync(f, bytes);
    const d = sha(bytes);
    assert.equal((await curl(`${server.url}/v2/links/a/blobs/uploads/?digest=${d}`, ["-X", "POST", "--data-binary", `@${f}`])).status, 201);
    const m = await curl(`${server.url}/v2/links/b/blobs/uploads/?mount=${d}&from=links/a`, ["-X", "POST"]);
    assert.equal(m.status, 201, m.text);
    const a = statSync(join(dir, "links/a/blobs/sha256", d.slice(7)));
    const b = statSync(join(dir, "links/b/blobs/sha256", d.slice(7)));
    assert.equal(b.ino, a.ino, "the mounted blob is the same inode");
    assert.ok(a.nlink >= 2);
    const got = await curl(`${server.url}/v2/links/b/blobs/${d}`);
    assert.equal(sha(got.body), d);
  } finally {
    await server.stop();
  }
});
