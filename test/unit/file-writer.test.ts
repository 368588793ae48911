/**
 * FileWriter and writeAllAt: writes on the calling thread land whole and in order, batched
 * chunks go out together, a failing disk fails the stream with its own error, and the
 * descriptor is closed however the stream ends.
 */
import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { test } from "node:test";
import { isClosed, scratchDirs } from "../helpers/scratch.js";
import { FileWriter, writeAllAt } from "../../src/util/file-writer.js";
import { createExclusiveWriter } from "../../src/util/no-follow.js";

const scratch = scratchDirs("file-writer");

test("a streamed body lands whole and in order, and the file is closed at the end", async () => {
  const path = join(await scratch(), "blob");
  const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(1000 + i, i));
  const writer = await createExclusiveWriter(path);
  await pipeline(Readable.from(chunks), writer);
  assert.deepEqual(readFileSync(path), Buffer.concat(chunks));
  await assert.rejects(createExclusiveWriter(path), (e: NodeJS.ErrnoException) => e.code === "EEXIST");
});

test("chunks queued together are written as one batch, in order", async () => {
  const path = join(await scratch(), "batch");
  const fd = openSync(path, "w");
  const writer = new FileWriter(fd);
  const batches: number[] = [];
  const writev = writer._writev.bind(writer);
  writer._writev = (chunks, cb) => {
    batches.push(chunks.length);
    writev(chunks, cb);
  };
  writer.cork();
  for (const s of ["one ", "two ", "three"]) writer.write(Buffer.from(s));
  process.nextTick(() => writer.uncork());
  await new Promise<void>((ok, fail) => writer.end(() => ok()).on("error", fail));
  assert.equal(readFileSync(path, "utf8"), "one two three");
  assert.deepEqual(batches, [3]);
  assert.ok(isClosed(fd));
});

test("a disk that refuses the bytes fails the stream with its error and closes the file", async () => {
  const fd = openSync("/dev/full", "w");
  await assert.rejects(pipeline(Readable.from([Buffer.alloc(4096)]), new FileWriter(fd)), (e: NodeJS.ErrnoException) => e.code === "ENOSPC");
  assert.ok(isClosed(fd));
});

test("a writer destroyed mid-way closes its file", async () => {
  const fd = openSync(join(await scratch(), "cut"), "w");
  const writer = new FileWriter(fd);
  writer.write(Buffer.from("part"));
  writer.destroy();
  await new Promise((ok) => writer.on("close", ok));
  assert.ok(isClosed(fd));
});

test("writeAllAt writes at its offset, leaving the bytes around it", async () => {
  const path = join(await scratch(), "at");
  const fd = openSync(path, "w+");
  writeAllAt(fd, Buffer.from("aaaaaaaa"), 0);
  writeAllAt(fd, Buffer.from("BB"), 3);
  closeSync(fd);
  assert.equal(readFileSync(path, "utf8"), "aaaBBaaa");
});
