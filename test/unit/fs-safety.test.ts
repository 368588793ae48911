/**
 * The file-system guards below the CLI: a set of files is placed all at once or rolled back;
 * the cache's streaming download never writes through a planted `.partial` link; the
 * decompressor stops a layer past its ratio bound.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { BlobCache } from "../../src/engine/cache.js";
import type { Descriptor } from "../../src/model/descriptor.js";
import { decompressLayer } from "../../src/export/decompress.js";
import type { ReadableTarget } from "../../src/targets/target.js";
import { FileSet } from "../../src/util/file-set.js";

const bytes = (s: string) => async () => Readable.from([Buffer.from(s)]);

test("FileSet: a failure while placing the files puts every old file back", async () => {
  const dir = tempDir("ocidist-set-");
  writeFileSync(join(dir, "a"), "old a\n");
  mkdirSync(join(dir, "b"));
  const set = await FileSet.open(dir);
  await set.write("a", bytes("new a\n"));
  await set.write("b", bytes("new b\n"));
  await assert.rejects(set.commit(["a", "b"], true), /is a directory/);
  await set.abort();
  assert.equal(readFileSync(join(dir, "a"), "utf8"), "old a\n");
  assert.deepEqual(readdirSync(dir).sort(), ["a", "b"], "no stage left");
});

test("FileSet: without force a file that appeared meanwhile is never replaced, and none is placed", async () => {
  const dir = tempDir("ocidist-set-");
  const set = await FileSet.open(dir);
  await set.write("a", bytes("new a\n"));
  await set.write("b", bytes("new b\n"));
  writeFileSync(join(dir, "b"), "theirs\n");
  await assert.rejects(set.commit(["a", "b"], false), /already exists/);
  await set.abort();
  assert.deepEqual(readdirSync(dir), ["b"]);
  assert.equal(readFileSync(join(dir, "b"), "utf8"), "theirs\n");
});

test("FileSet: names that are not plain are refused before anything is written", async () => {
  const set = await FileSet.open(tempDir("ocidist-set-"));
  await assert.rejects(set.write("../x", bytes("x")), /not a plain file name/);
  await set.abort();
});

test("cache: the streaming download removes a planted .partial link and leaves its target alone", async () => {
  const content = Buffer.alloc(3 << 20, 9);
  const desc: Descriptor = { mediaType: "application/octet-stream", digest: `sha256:${createHash("sha256").update(content).digest("hex")}`, size: content.length };
  const home = tempDir("ocidist-cache-");
  const cache = new BlobCache(join(home, "cache"));
  const victim = join(home, "victim");
  writeFileSync(victim, "");
  mkdirSync(join(home, "cache", "blobs", "sha256"), { recursive: true });
  symlinkSync(victim, `${cache.path(desc.digest)}.partial`);
  const src: ReadableTarget = {
    description: "memory",
    resolve: () => Promise.reject(new Error("unused")),
    exists: () => Promise.resolve(true),
    fetch: (_d, o = {}) => Promise.resolve({ body: Readable.from([content.subarray(o.offset ?? 0)]), offset: o.offset ?? 0 }),
  };
  const { body } = await cache.openThrough(src, desc);
  for await (const _ of body) {
    /* drain */
  }
  assert.equal(readFileSync(victim, "utf8"), "", "nothing written through the link");
  assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
});

test("decompress: past 16 MiB, output more than maxRatio times the input fails naming the bound", async () => {
  const gz = gzipSync(Buffer.alloc(20 << 20));
  const drain = async (maxRatio: number) => {
    let n = 0;
    for await (const c of decompressLayer(Readable.from([gz]), "gzip", { maxRatio })) n += (c as Buffer).length;
    return n;
  };
  await assert.rejects(drain(500), /expands more than 500 times.*--max-ratio/);
  assert.equal(await drain(0), 20 << 20);
  assert.equal(await drain(2000), 20 << 20);
});
