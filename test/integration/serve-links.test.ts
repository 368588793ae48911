/**
 * `ocidist serve` shares a blob mounted across repositories as a hard link (one inode),
 * not a copy (issue 15: blobs hard-linked across repositories where possible).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sha } from "../rig/build.js";
import { tempDir } from "../helpers/cli.js";
import { curl, startServe } from "../helpers/serve.js";

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
