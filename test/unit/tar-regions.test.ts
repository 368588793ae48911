/** The region-writing tar sink: members written concurrently and out of order read back with GNU tar and our indexer. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { RegionTarSink } from "../../src/targets/tar-regions.js";
import { indexTar } from "../../src/targets/tar-index.js";
import { tempDir } from "../helpers/cli.js";

test("concurrent members, long names and empty files make a valid tar", async () => {
  const dir = tempDir();
  const dest = join(dir, "out.tar");
  const sink = await RegionTarSink.create(dest);
  const long = `blobs/${"d".repeat(120)}/${"f".repeat(90)}`;
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const slow = async function* () {
    for (let i = 0; i < big.length; i += 65536) {
      await new Promise((r) => setImmediate(r));
      yield big.subarray(i, i + 65536);
    }
  };
  await Promise.all([
    sink.write("a/big.bin", big.length, Readable.from(slow())),
    sink.writeSmall("empty", Buffer.alloc(0)),
    sink.writeSmall(long, Buffer.from("long name")),
    sink.write("b.txt", 5, Readable.from([Buffer.from("hello")])),
  ]);
  await assert.rejects(sink.write("b.txt", 1, Readable.from([Buffer.from("x")])), /written twice/);
  await sink.commit();
  assert.deepEqual(readdirSync(dir), ["out.tar"], "no temporary file left");
  const listed = execFileSync("tar", ["-tf", dest]).toString().trim().split("\n").sort();
  assert.deepEqual(listed, ["a/big.bin", "b.txt", "empty", long].sort());
  const out = join(dir, "x");
  execFileSync("mkdir", [out]);
  execFileSync("tar", ["-xf", dest, "-C", out]);
  assert.deepEqual(readFileSync(join(out, "a/big.bin")), big);
  assert.equal(readFileSync(join(out, long), "utf8"), "long name");
  const idx = await indexTar(dest);
  assert.equal(idx.get(long)?.size, 9);
  assert.equal(idx.get("a/big.bin")?.size, big.length);
});

test("a short body fails the write and abort leaves nothing", async () => {
  const dir = tempDir();
  const sink = await RegionTarSink.create(join(dir, "x.tar"));
  await assert.rejects(sink.write("m", 10, Readable.from([Buffer.from("short")])), /5 bytes, 10 expected/);
  await sink.abort();
  assert.deepEqual(readdirSync(dir), []);
});

test("a member whose body fails or runs long is refused, and a second attempt writes it again from its start", async () => {
  const dir = tempDir();
  const dest = join(dir, "x.tar");
  const sink = await RegionTarSink.create(dest);
  // Fails once it is read from (as a download cut off mid-way), not before anyone listens.
  let sent = false;
  const cut = new Readable({
    read() {
      if (!sent) this.push(Buffer.from("abc"));
      else setImmediate(() => this.destroy(new Error("connection reset")));
      sent = true;
    },
  });
  await assert.rejects(sink.write("m", 6, cut), /connection reset/);
  await assert.rejects(sink.write("m", 6, Readable.from([Buffer.from("abcdef"), Buffer.from("g")])), /tar member m: more than its 6 bytes/);
  await sink.write("m", 6, Readable.from([Buffer.from("xyz"), Buffer.from("uvw")]));
  await sink.commit();
  const out = join(dir, "out");
  execFileSync("mkdir", [out]);
  execFileSync("tar", ["-xf", dest, "-C", out]);
  assert.equal(readFileSync(join(out, "m"), "utf8"), "xyzuvw");
});
