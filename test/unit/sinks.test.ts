/** A directory sink never removes what it did not write: not at commit, not at abort. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { DirSink } from "../../src/targets/sinks.js";


test("a destination that was empty but filled meanwhile is not replaced", async () => {
  const dest = join(tempDir(), "layout");
  mkdirSync(dest);
  const sink = await DirSink.create(dest);
  await sink.write("blobs/sha256/aa", 1, Readable.from([Buffer.from("a")]));
  writeFileSync(join(dest, "theirs"), "keep me");
  await assert.rejects(sink.commit(), /ENOTEMPTY|EEXIST/);
  assert.equal(readFileSync(join(dest, "theirs"), "utf8"), "keep me");
  await sink.abort();
  assert.deepEqual(readdirSync(join(dest, "..")), ["layout"], "the temporary directory is gone");
});

test("updating a layout: a blob that appeared meanwhile is kept by an abort", async () => {
  const dest = tempDir();
  writeFileSync(join(dest, "oci-layout"), "{}");
  writeFileSync(join(dest, "index.json"), "{}");
  const sink = await DirSink.create(dest);
  mkdirSync(join(dest, "blobs/sha256"), { recursive: true });
  writeFileSync(join(dest, "blobs/sha256/bb"), "theirs");
  await sink.write("blobs/sha256/bb", 6, Readable.from([Buffer.from("theirs")]));
  await sink.write("blobs/sha256/cc", 4, Readable.from([Buffer.from("mine")]));
  await sink.abort();
  assert.deepEqual(readdirSync(join(dest, "blobs/sha256")), ["bb"]);
});
