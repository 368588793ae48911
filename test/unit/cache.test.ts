/**
 * The blob cache resumes partial downloads: from the middle with a range request, without
 * any request when the partial file already holds every byte, and from the first byte when
 * the partial file is wrong. The source here behaves as the distribution registry does: a
 * range that starts at or past the end breaks the connection.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { BlobCache } from "../../src/engine/cache.js";
import type { Descriptor } from "../../src/model/descriptor.js";
import type { FetchOptions, ReadableTarget } from "../../src/targets/target.js";
import { offsetSource } from "../helpers/offset-source.js";


const content = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256));
const desc: Descriptor = { mediaType: "application/octet-stream", digest: `sha256:${createHash("sha256").update(content).digest("hex")}`, size: content.length };

/** A source that records the offsets asked for and breaks on a range at or past the end. */
function source(): ReadableTarget & { offsets: number[] } {
  return offsetSource((offset) => {
    if (offset >= content.length) {
      const body = new Readable({ read() {} });
      queueMicrotask(() => body.destroy(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })));
      return { body, offset };
    }
    return { body: Readable.from([content.subarray(offset)]), offset };
  });
}

function cacheWithPartial(bytes: Buffer | undefined): BlobCache {
  const dir = tempDir("ocidist-cache-");
  const cache = new BlobCache(dir);
  if (bytes) {
    const partial = `${cache.path(desc.digest)}.partial`;
    mkdirSync(dirname(partial), { recursive: true });
    writeFileSync(partial, bytes);
  }
  return cache;
}

test("a partial download resumes from where it stopped", async () => {
  const cache = cacheWithPartial(content.subarray(0, 40_000));
  const src = source();
  assert.equal(await cache.ensure(src, desc), "resumed");
  assert.deepEqual(src.offsets, [40_000]);
  assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
});

test("a partial file that holds every byte is verified and kept without a request", async () => {
  const cache = cacheWithPartial(content);
  const src = source();
  assert.equal(await cache.ensure(src, desc), "resumed");
  assert.deepEqual(src.offsets, [], "no range request past the end");
  assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
  assert.ok(!existsSync(`${cache.path(desc.digest)}.partial`));
});

test("a wrong partial file is thrown away and the blob downloaded from the first byte", async () => {
  const wrong = Buffer.from(content);
  wrong[10] = wrong[10]! ^ 0xff;
  for (const bytes of [wrong, wrong.subarray(0, 50_000)]) {
    const cache = cacheWithPartial(bytes);
    const src = source();
    assert.equal(await cache.ensure(src, desc), "downloaded");
    assert.deepEqual(src.offsets, bytes.length === content.length ? [0] : [50_000, 0]);
    assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
  }
});

/** Waits for the stream's "close" event, which the cache emits only after releasing its lock. */
async function closed(body: Readable): Promise<void> {
  if (!body.closed) await new Promise((resolve) => body.once("close", resolve));
}

async function drain(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("openThrough streams a download while keeping it; the next call reads the cache", async () => {
  const cache = cacheWithPartial(undefined);
  const src = source();
  const first = await cache.openThrough(src, desc);
  assert.equal(first.how, "downloaded");
  assert.ok((await drain(first.body)).equals(content));
  assert.ok(readFileSync(cache.path(desc.digest)).equals(content));
  assert.ok(!existsSync(`${cache.path(desc.digest)}.partial`) && !existsSync(`${cache.path(desc.digest)}.lock`));
  const second = await cache.openThrough(src, desc);
  assert.equal(second.how, "cached");
  assert.ok((await drain(second.body)).equals(content));
  assert.deepEqual(src.offsets, [0], "one download");
});

test("openThrough: a reader that stops early leaves a resumable partial file and no lock", async () => {
  const cache = cacheWithPartial(undefined);
  const big = Buffer.alloc(8 << 20, 7);
  const bigDesc: Descriptor = { mediaType: "application/octet-stream", digest: `sha256:${createHash("sha256").update(big).digest("hex")}`, size: big.length };
  const chunked: ReadableTarget = { ...source(), fetch: (_d, o: FetchOptions = {}) => Promise.resolve({ body: Readable.from(chunksOf(big.subarray(o.offset ?? 0))), offset: o.offset ?? 0 }) };
  const { body } = await cache.openThrough(chunked, bigDesc);
  for await (const _ of body) break;
  await closed(body);
  const final = cache.path(bigDesc.digest);
  assert.ok(!existsSync(`${final}.lock`), "lock released");
  assert.ok(!existsSync(final));
  assert.equal(await cache.ensure(chunked, bigDesc), "resumed");
  assert.ok(readFileSync(final).equals(big));
});

test("openThrough: wrong bytes fail the stream and leave nothing in the cache", async () => {
  const cache = cacheWithPartial(undefined);
  const wrong: ReadableTarget = { ...source(), fetch: () => Promise.resolve({ body: Readable.from([Buffer.alloc(content.length)]), offset: 0 }) };
  const { body } = await cache.openThrough(wrong, desc);
  await assert.rejects(drain(body), /DigestMismatch|hashes to/);
  const final = cache.path(desc.digest);
  assert.ok(!existsSync(final) && !existsSync(`${final}.partial`) && !existsSync(`${final}.lock`));
});

function* chunksOf(b: Buffer): Generator<Buffer> {
  for (let i = 0; i < b.length; i += 64 * 1024) yield b.subarray(i, i + 64 * 1024);
}

test("openThrough: a stream discarded before its first read releases the lock", async () => {
  const cache = cacheWithPartial(undefined);
  const src = source();
  const { body } = await cache.openThrough(src, desc);
  body.destroy();
  await closed(body);
  assert.ok(!existsSync(`${cache.path(desc.digest)}.lock`), "lock released");
  assert.equal(await cache.ensure(src, desc), "downloaded");
});
