/**
 * The served directory's storage: cross-repository mounts made by a verified copy (the
 * fallback when a hard link fails) never show a half-copied blob, however many run at once,
 * and refuse a source that is not the blob; DirFs, which serve reads layouts through, follows
 * no link below its base.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { OcidistError } from "../../src/model/errors.js";
import { Storage } from "../../src/serve/storage.js";
import { DirFs } from "../../src/targets/layout-fs.js";
import { tempDir } from "../helpers/cli.js";

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const blobPath = (dir: string, repo: string, digest: string) => join(dir, repo, "blobs/sha256", digest.slice(7));

for (const hardLinks of [false, true]) {
  test(`mounts at once (${hardLinks ? "hard links" : "copies"}) beside a push of the same blob: the blob is absent or whole, never part`, async () => {
    const dir = tempDir("ocidist-storage-");
    const storage = await Storage.open(dir, { hardLinks });
    try {
      const bytes = randomBytes(8 * 1024 * 1024);
      const digest = sha(bytes);
      await storage.placeBlobBytes("src/app", digest, bytes);
      let done = false;
      let seen = 0;
      // A reader polling the destination the whole time.
      const reader = (async () => {
        while (!done) {
          const got = await readFile(blobPath(dir, "dst/app", digest)).catch(() => undefined);
          if (got) {
            seen++;
            assert.equal(got.length, bytes.length, "a partial blob was visible");
            assert.equal(sha(got), digest);
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      const results = await Promise.all([
        ...Array.from({ length: 8 }, () => storage.mountBlob("src/app", "dst/app", digest)),
        storage.placeBlobBytes("dst/app", digest, bytes).then(() => true),
        ...Array.from({ length: 4 }, () => storage.mountBlob("src/app", "other/app", digest)),
      ]);
      done = true;
      await reader;
      assert.ok(results.every((r) => r === true), String(results));
      assert.ok(seen > 0);
      for (const repo of ["dst/app", "other/app"]) {
        assert.equal(sha(readFileSync(blobPath(dir, repo, digest))), digest);
        assert.deepEqual(readdirSync(join(dir, repo, "blobs/sha256")), [digest.slice(7)], "no temporary file in the layout");
      }
      assert.deepEqual(readdirSync(storage.work), [], "no temporary file left in the work area");
    } finally {
      await storage.close();
    }
  });
}

test("a copy mount refuses a source that is not the blob, or is a link; nothing is stored", async () => {
  const dir = tempDir("ocidist-storage-");
  const storage = await Storage.open(dir, { hardLinks: false });
  try {
    const real = Buffer.from("the real blob");
    const digest = sha(real);
    await storage.placeBlobBytes("src/app", digest, real);
    // Other bytes under the digest's name (a damaged or planted file).
    writeFileSync(blobPath(dir, "src/app", digest), "other bytes!!");
    assert.equal(await storage.mountBlob("src/app", "dst/app", digest), false);
    assert.equal(await storage.blobSize("dst/app", digest), undefined);
    // A symlink at the blob's path, to a file outside DIR that holds the blob's bytes.
    const secret = Buffer.from("secret");
    const outside = join(tempDir("ocidist-outside-"), "blob");
    writeFileSync(outside, secret);
    await storage.placeBlobBytes("lnk/app", sha(secret), secret);
    const p = blobPath(dir, "lnk/app", sha(secret));
    await rm(p);
    symlinkSync(outside, p);
    assert.equal(await storage.mountBlob("lnk/app", "dst/app", sha(secret)), false);
    assert.equal(await storage.blobSize("dst/app", sha(secret)), undefined);
    assert.deepEqual(readdirSync(storage.work), []);
  } finally {
    await storage.close();
  }
});

test("DirFs follows no link below its base; the layout directory itself may be one", async () => {
  const base = tempDir("ocidist-dirfs-");
  const outside = tempDir("ocidist-outside-");
  const secret = Buffer.from("outside the layout");
  mkdirSync(join(outside, "sha256"), { recursive: true });
  writeFileSync(join(outside, "sha256", sha(secret).slice(7)), secret);
  writeFileSync(join(outside, "index.json"), '{"schemaVersion":2,"manifests":[]}');
  // A layout whose blobs/ is a link out of it.
  mkdirSync(join(base, "repo"));
  writeFileSync(join(base, "repo/index.json"), '{"schemaVersion":2,"manifests":[]}');
  symlinkSync(outside, join(base, "repo/blobs"));
  const fs = new DirFs(join(base, "repo"), base);
  await assert.rejects(fs.read(`blobs/sha256/${sha(secret).slice(7)}`, 1024), (e) => e instanceof OcidistError && /symlink/.test(e.message));
  await assert.rejects(fs.open(`blobs/sha256/${sha(secret).slice(7)}`), OcidistError);
  assert.equal((await fs.read("index.json", 1024)).toString(), '{"schemaVersion":2,"manifests":[]}');
  // A file that is a link.
  symlinkSync(join(outside, "index.json"), join(base, "repo/oci-layout"));
  await assert.rejects(fs.exists("oci-layout"), /symlink/);
  // A repository reached through a link below the base is refused; the same link as the layout root itself is the user's choice.
  symlinkSync(outside, join(base, "linked"));
  await assert.rejects(new DirFs(join(base, "linked"), base).read("index.json", 1024), /symlink/);
  assert.equal((await new DirFs(join(base, "linked")).read("index.json", 1024)).toString(), '{"schemaVersion":2,"manifests":[]}');
  assert.throws(() => new DirFs(outside, base), /not inside/);
});
