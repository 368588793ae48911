/**
 * FileReader and fileChunks: reads on the calling thread give exactly the bytes asked for,
 * refuse a symlink where told to, close their descriptor however they end, and let the event
 * loop run now and then even when their consumer never waits (a FileWriter).
 */
import assert from "node:assert/strict";
import { openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import { test } from "node:test";
import { isClosed, scratchDirs } from "../helpers/scratch.js";
import { FileReader, openFileReader } from "../../src/util/file-reader.js";
import { fileChunks } from "../../src/util/file-chunks.js";
import { createExclusiveWriter } from "../../src/util/no-follow.js";
import { readAll } from "../../src/util/stream.js";

const scratch = scratchDirs("file-reader");

/** A file of `size` bytes, each byte a function of its offset. */
function patterned(path: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
  writeFileSync(path, bytes);
  return bytes;
}

/** Counts turns of the event loop (one `setImmediate` callback per turn) until stopped. */
function loopTurns(): { turns: number; stop: () => void } {
  const state = { turns: 0, stop: () => clearImmediate(handle) };
  const spin = () => {
    state.turns++;
    handle = setImmediate(spin);
  };
  let handle = setImmediate(spin);
  return state;
}


test("a range is read exactly: from a start, to an inclusive end, or both", async () => {
  const path = join(await scratch(), "blob");
  const bytes = patterned(path, 700_001);
  assert.deepEqual(await readAll(new FileReader(path), 1 << 20, "all"), bytes);
  assert.deepEqual(await readAll(new FileReader(path, { start: 300_000 }), 1 << 20, "tail"), bytes.subarray(300_000));
  assert.deepEqual(await readAll(new FileReader(path, { end: 99 }), 1 << 20, "head"), bytes.subarray(0, 100));
  assert.deepEqual(await readAll(new FileReader(path, { start: 262_140, end: 524_300 }), 1 << 20, "middle"), bytes.subarray(262_140, 524_301));
  assert.deepEqual(await readAll(new FileReader(path, { start: 700_001 }), 1 << 20, "past the end"), Buffer.alloc(0));
});

test("with noFollow a symlink at the path is refused, as the stream's error or the promise's", async () => {
  const dir = await scratch();
  patterned(join(dir, "real"), 10);
  symlinkSync(join(dir, "real"), join(dir, "link"));
  await assert.rejects(readAll(new FileReader(join(dir, "link"), {}, true), 100, "link"), (e: NodeJS.ErrnoException) => e.code === "ELOOP");
  await assert.rejects(openFileReader(join(dir, "link"), {}, true), (e: NodeJS.ErrnoException) => e.code === "ELOOP");
  // Without it the link is the user's to follow.
  assert.equal((await readAll(new FileReader(join(dir, "link")), 100, "link")).length, 10);
  await assert.rejects(openFileReader(join(dir, "missing")), (e: NodeJS.ErrnoException) => e.code === "ENOENT");
});

test("the descriptor is closed at the end and when the reader is destroyed early", async () => {
  const path = join(await scratch(), "blob");
  patterned(path, 600_000);
  const fdDone = openSync(path, "r");
  const done = new FileReader(fdDone);
  await readAll(done, 1 << 20, "blob");
  assert.ok(isClosed(fdDone));
  const fd = openSync(path, "r");
  const early = new FileReader(fd);
  await once(early, "readable");
  assert.ok(early.read());
  early.destroy();
  await once(early, "close");
  assert.ok(early.readableLength > 0 || !early.readableEnded, "destroyed before its end");
  assert.ok(isClosed(fd));
});

test("a large file copied into a FileWriter lets the event loop turn while it is copied", async () => {
  const dir = await scratch();
  const size = (16 << 20) + 12_345;
  const bytes = patterned(join(dir, "big"), size);
  const loop = loopTurns();
  try {
    await pipeline(new FileReader(join(dir, "big")), await createExclusiveWriter(join(dir, "copy")));
  } finally {
    loop.stop();
  }
  assert.deepEqual(readFileSync(join(dir, "copy")), bytes);
  // Reads and writes both finish on the calling thread: without the reader's pauses the loop would not turn.
  assert.ok(loop.turns >= 3, `the event loop turned ${loop.turns} times during the copy`);
});

test("fileChunks gives the file's bytes in order and lets the event loop turn on a large file", async () => {
  const path = join(await scratch(), "big");
  const bytes = patterned(path, (12 << 20) + 99);
  const loop = loopTurns();
  const got: Buffer[] = [];
  try {
    for await (const chunk of fileChunks(path)) got.push(Buffer.from(chunk));
  } finally {
    loop.stop();
  }
  assert.deepEqual(Buffer.concat(got), bytes);
  assert.ok(loop.turns >= 2, `the event loop turned ${loop.turns} times while the file was read`);
});
