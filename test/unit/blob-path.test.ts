/**
 * The blob path moves chunks without copying or piling them up: a verified read hands on
 * the source's own buffers and stops reading its source while its consumer's queue is full;
 * a tar region is written chunk by chunk at its place, never past its end; the cache tee
 * writes the same bytes it passes on; a body that closes before its end is resumed; early
 * collection is asked for every few MiB streamed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable, Writable } from "node:stream";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { openVerifiedBlob } from "../../src/engine/blob-reader.js";
import { BlobCache } from "../../src/engine/cache.js";
import type { Descriptor } from "../../src/model/descriptor.js";
import { DigestMismatchError } from "../../src/model/errors.js";
import type { ReadableTarget } from "../../src/targets/target.js";
import { offsetSource } from "../helpers/offset-source.js";
import { RegionWriter } from "../../src/util/file-writer.js";
import { allowEarlyCollection, COLLECT_EVERY, FULL_EVERY, noteStreamed } from "../../src/util/garbage.js";

const CHUNK = 16 * 1024;
const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(CHUNK, i));
const content = Buffer.concat(chunks);
const desc: Descriptor = { mediaType: "application/octet-stream", digest: `sha256:${createHash("sha256").update(content).digest("hex")}`, size: content.length };

/** A body that pushes the given chunks as they are, recording how many the reader pulled. */
function body(parts: Buffer[]): Readable & { pulled: () => number } {
  let i = 0;
  const r = new Readable({
    highWaterMark: CHUNK,
    read() {
      this.push(i < parts.length ? parts[i++] : null);
    },
  });
  return Object.assign(r, { pulled: () => i });
}

/** A source serving `content` (ignoring ranges); `first` replaces the first body when given. */
function source(first?: (offset: number) => Readable): ReadableTarget & { offsets: number[] } {
  return offsetSource((offset, n) => (n === 0 && first ? { body: first(offset), offset } : { body: body(chunks), offset: 0 }));
}

/** Each chunk of `r` as it was pushed (a `for await` would concatenate what is queued). */
async function collect(r: Readable): Promise<Buffer[]> {
  const got: Buffer[] = [];
  await pipeline(r, new Writable({ write: (c: Buffer, _e, cb) => (got.push(c), cb()) }));
  return got;
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

test("a region writer puts each chunk at its place in the file and fails past its end", async () => {
  const dir = tempDir("region");
  const path = join(dir, "f");
  writeFileSync(path, Buffer.alloc(10 + 3 * CHUNK + 10, 0xff));
  const fd = openSync(path, "r+");
  try {
    const region = new RegionWriter(fd, 10, 3 * CHUNK, "member m");
    await pipeline(Readable.from(chunks.slice(0, 3)), region);
    assert.equal(region.written, 3 * CHUNK);
    const file = readFileSync(path);
    assert.deepEqual(file.subarray(10, 10 + 3 * CHUNK), Buffer.concat(chunks.slice(0, 3)));
    // The bytes around the region are untouched.
    assert.equal(file[9], 0xff);
    assert.equal(file[10 + 3 * CHUNK], 0xff);
    await assert.rejects(pipeline(Readable.from(chunks.slice(0, 3)), new RegionWriter(fd, 10, 2 * CHUNK, "member m")), /member m: more than its 32768 bytes/);
  } finally {
    closeSync(fd);
  }
});

test("a verified read hands on the source's own buffers and stops reading while nobody consumes", async () => {
  const b = body(chunks);
  const src: ReadableTarget = { ...source(), fetch: () => Promise.resolve({ body: b, offset: 0 }) };
  const out = await openVerifiedBlob(src, desc);
  await ticks(20);
  // Nobody reads: the read holds at most its 64 KiB queue (and the source's own small one).
  assert.ok(out.readableLength <= 64 * 1024, `${out.readableLength} bytes queued`);
  assert.ok(b.pulled() < chunks.length, `all ${b.pulled()} chunks were pulled with no consumer`);
  const got = await collect(out);
  assert.equal(got.length, chunks.length);
  got.forEach((c, i) => assert.equal(c, chunks[i]));
});

test("a body that closes before its end is resumed from the last byte delivered", async () => {
  const half = content.length / 2;
  const src = source(() => {
    const r = new Readable({ read() {} });
    r.push(content.subarray(0, half));
    setImmediate(() => r.destroy());
    return r;
  });
  // Resumed bodies start at 0 here (the range is not honoured): the reader skips what it has.
  const out = await openVerifiedBlob(src, desc, { retry: { retries: 2, baseMs: 0, maxMs: 0, delay: () => 0, isTransient: () => false } });
  const got = await collect(out);
  assert.ok(Buffer.concat(got).equals(content));
  assert.deepEqual(src.offsets, [0, half]);
});

test("the cache tee writes what it passes on, settles the cache before it ends, and drops bytes that fail", async () => {
  const cache = new BlobCache(tempDir("ocidist-tee-"));
  const { body: out, how } = await cache.openThrough(source(), desc);
  assert.equal(how, "downloaded");
  const got = await collect(out);
  assert.ok(Buffer.concat(got).equals(content));
  assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
  assert.equal(existsSync(`${cache.path(desc.digest)}.lock`), false);
  assert.equal(existsSync(`${cache.path(desc.digest)}.partial`), false);

  const wrong: Descriptor = { ...desc, digest: `sha256:${"0".repeat(64)}` };
  const bad = await cache.openThrough(source(), wrong);
  await assert.rejects(collect(bad.body), DigestMismatchError);
  await ticks(5);
  assert.equal(existsSync(`${cache.path(wrong.digest)}.partial`), false);
  assert.equal(existsSync(`${cache.path(wrong.digest)}.lock`), false);
  assert.equal(existsSync(cache.path(wrong.digest)), false);
});

test("early collection is asked for once every COLLECT_EVERY bytes, and made on first need", () => {
  let made = 0;
  let collected = 0;
  allowEarlyCollection(() => {
    made++;
    return () => collected++;
  });
  noteStreamed(COLLECT_EVERY - 1);
  assert.deepEqual([made, collected], [0, 0]);
  noteStreamed(1);
  noteStreamed(COLLECT_EVERY * 2);
  assert.deepEqual([made, collected], [1, 2]);
  allowEarlyCollection(() => undefined);
  noteStreamed(COLLECT_EVERY);
  noteStreamed(COLLECT_EVERY);
  assert.equal(collected, 2);
});

test("every FULL_EVERY bytes streamed the early collection is a full one", () => {
  const kinds: string[] = [];
  allowEarlyCollection(() => (kind) => kinds.push(kind));
  const per = FULL_EVERY / COLLECT_EVERY;
  for (let i = 0; i < per * 2; i++) noteStreamed(COLLECT_EVERY);
  assert.equal(kinds.length, per * 2);
  assert.deepEqual(
    kinds.flatMap((k, i) => (k === "full" ? [i + 1] : [])),
    [per, per * 2],
  );
  allowEarlyCollection(() => undefined);
});
