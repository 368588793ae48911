/**
 * A cached blob is handed to a layout by its path, after its bytes were verified. In a
 * shared cache directory someone else can rename another file over that path in between;
 * the layout must then refuse it instead of storing it under the verified digest, whether
 * it links the file (a directory), copies it (a tar), and whether the blob was downloaded
 * now or re-verified from an earlier run, and when it is streamed on instead.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { offsetSource } from "../helpers/offset-source.js";
import { BlobCache } from "../../src/engine/cache.js";
import type { Descriptor } from "../../src/model/descriptor.js";
import { DirSink } from "../../src/targets/sinks.js";
import { RegionTarSink } from "../../src/targets/tar-regions.js";
import { ReplacedFileError } from "../../src/util/file-identity.js";
import { DigestMismatchError } from "../../src/model/errors.js";
import { readAll } from "../../src/util/stream.js";

const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13) % 251));
const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
const desc: Descriptor = { mediaType: "application/octet-stream", digest, size: content.length };
const member = `blobs/sha256/${digest.slice(7)}`;
const source = () => offsetSource((offset) => ({ body: Readable.from([content.subarray(offset)]), offset }));

/** What someone with write access to the cache directory puts there: other bytes, renamed over the blob. */
function swapIn(cache: BlobCache): void {
  const other = join(cache.dir, "other");
  writeFileSync(other, Buffer.alloc(content.length, 0x41));
  renameSync(other, cache.path(digest));
}

async function downloaded(): Promise<BlobCache> {
  const cache = new BlobCache(tempDir("ocidist-cache-"));
  assert.equal(await cache.ensure(source(), desc), "downloaded");
  return cache;
}

test("the verified file itself is linked into a directory layout", async () => {
  const cache = await downloaded();
  const dest = join(tempDir("ocidist-out-"), "layout");
  const sink = await DirSink.create(dest);
  await sink.writeFile(member, desc.size, cache.path(digest), cache.verifiedFile(digest));
  await sink.commit();
  assert.equal(lstatSync(join(dest, member)).ino, lstatSync(cache.path(digest)).ino);
  assert.deepEqual(readFileSync(join(dest, member)), content);
});

test("a file renamed over a downloaded blob is refused by a directory layout, and nothing is left of it", async () => {
  const cache = await downloaded();
  swapIn(cache);
  const dest = join(tempDir("ocidist-out-"), "layout");
  const sink = await DirSink.create(dest);
  await assert.rejects(sink.writeFile(member, desc.size, cache.path(digest), cache.verifiedFile(digest)), ReplacedFileError);
  await sink.abort();
  assert.equal(existsSync(dest), false);
});

test("a file renamed over a re-verified blob is refused too", async () => {
  const first = await downloaded();
  // A later run finds the blob in the cache and checks its bytes once more before using it.
  const cache = new BlobCache(first.dir);
  assert.equal(await cache.ensure(source(), desc), "cached");
  await cache.verify(desc);
  swapIn(cache);
  const dest = join(tempDir("ocidist-out-"), "layout");
  const sink = await DirSink.create(dest);
  await assert.rejects(sink.writeFile(member, desc.size, cache.path(digest), cache.verifiedFile(digest)), ReplacedFileError);
  await sink.abort();
});

test("a tar copying the cached file refuses a replaced one and copies the verified one", async () => {
  const cache = await downloaded();
  const out = tempDir("ocidist-out-");
  const good = await RegionTarSink.create(join(out, "good.tar"));
  await good.writeFile(member, desc.size, cache.path(digest), cache.verifiedFile(digest));
  await good.commit();
  assert.ok(readFileSync(join(out, "good.tar")).includes(content));
  swapIn(cache);
  const bad = await RegionTarSink.create(join(out, "bad.tar"));
  await assert.rejects(bad.writeFile(member, desc.size, cache.path(digest), cache.verifiedFile(digest)), ReplacedFileError);
  await bad.abort();
  assert.equal(existsSync(join(out, "bad.tar")), false);
});

test("a cached blob streamed on (to a registry, to stdout) is the verified file, or hashed again", async () => {
  const cache = await downloaded();
  assert.deepEqual(await readAll(await cache.openChecked(desc), 1 << 20, "blob"), content);
  swapIn(cache);
  // Downloaded by this process: the file is checked to be the one written.
  await assert.rejects(cache.openChecked(desc), ReplacedFileError);
  // Found by a later run without re-verification: its bytes are hashed as they are read.
  const later = new BlobCache(cache.dir);
  await assert.rejects(readAll(await later.openChecked(desc), 1 << 20, "blob"), DigestMismatchError);
});
