/**
 * The tar index serves members as byte ranges: regular files, hard and symbolic links to
 * them (old `docker save` links a shared layer to its first copy), pax and GNU long names;
 * links that leave the archive are dropped; a damaged header is refused.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { readAll } from "../../src/util/stream.js";
import { indexTar } from "../../src/targets/tar-index.js";
import { TarFs } from "../../src/targets/layout-fs.js";
import { DockerArchiveReader } from "../../src/targets/docker-archive-reader.js";
import { layer, tarOf, type Entry } from "../rig/build.js";


async function writeTar(file: string, entries: Entry[]): Promise<void> {
  writeFileSync(file, await tarOf(entries));
}

async function read(fs: TarFs, path: string): Promise<string> {
  return (await readAll(await fs.open(path), 1 << 20, path)).toString();
}

test("links lead to the member they name; links out of the archive lead nowhere", async () => {
  const file = join(tempDir(), "t.tar");
  const long = `${"d".repeat(90)}/${"e".repeat(90)}/layer.tar`;
  await writeTar(file, [
    { name: "a/layer.tar", content: "layer bytes" },
    { name: "b/layer.tar", type: "symlink", linkname: "../a/layer.tar" },
    { name: "c/layer.tar", type: "link", linkname: "a/layer.tar" },
    { name: "d/layer.tar", type: "symlink", linkname: "../b/layer.tar" },
    { name: long, content: "long" },
    { name: "f/layer.tar", type: "symlink", linkname: `../${long}` },
    { name: "loop/x", type: "symlink", linkname: "y" },
    { name: "loop/y", type: "symlink", linkname: "x" },
    { name: "out/escape", type: "symlink", linkname: "../../etc/passwd" },
    { name: "out/absolute", type: "symlink", linkname: "/etc/passwd" },
  ]);
  const fs = await TarFs.open(file);
  for (const p of ["a/layer.tar", "b/layer.tar", "c/layer.tar", "d/layer.tar", "./b/layer.tar"]) assert.equal(await read(fs, p), "layer bytes", p);
  assert.equal(await read(fs, "f/layer.tar"), "long");
  for (const p of ["loop/x", "out/escape", "out/absolute"]) assert.equal(await fs.exists(p), false, p);
});

test("GNU long names and long link targets", async () => {
  const dir = tempDir();
  const src = join(dir, "src");
  const deep = join(src, "p".repeat(120));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "q".repeat(110)), "gnu");
  symlinkSync(`${"p".repeat(120)}/${"q".repeat(110)}`, join(src, "link"));
  const file = join(dir, "gnu.tar");
  execFileSync("tar", ["--format=gnu", "-cf", file, "-C", src, "."]);
  assert.ok(readFileSync(file).toString("latin1").includes("././@LongLink"), "the archive uses GNU long-name headers");
  const fs = await TarFs.open(file);
  assert.equal(await read(fs, `${"p".repeat(120)}/${"q".repeat(110)}`), "gnu");
  assert.equal(await read(fs, "link"), "gnu");
});

test("a damaged header or a file that is not a tar is refused", async () => {
  const file = join(tempDir(), "t.tar");
  await writeTar(file, [{ name: "a", content: "x" }]);
  const bytes = readFileSync(file);
  bytes[1] = 0x7a; // the name, covered by the checksum
  writeFileSync(file, bytes);
  await assert.rejects(indexTar(file), /header checksum mismatch/);
  writeFileSync(file, Buffer.alloc(2048, 0x41));
  await assert.rejects(indexTar(file), /not a tar file/);
});

test("an old docker save archive whose second image links to the first image's layer", async () => {
  const file = join(tempDir(), "save.tar");
  const l = await layer([{ name: "shared", content: "shared\n" }]);
  const config = (n: number) => JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [l.diffId] }, n });
  await writeTar(file, [
    { name: "one/layer.tar", content: l.bytes },
    { name: "two/layer.tar", type: "symlink", linkname: "../one/layer.tar" },
    { name: "c1.json", content: config(1) },
    { name: "c2.json", content: config(2) },
    {
      name: "manifest.json",
      content: JSON.stringify([
        { Config: "c1.json", RepoTags: ["x/one:1"], Layers: ["one/layer.tar"] },
        { Config: "c2.json", RepoTags: ["x/two:1"], Layers: ["two/layer.tar"] },
      ]),
    },
  ]);
  const reader = await DockerArchiveReader.open(await TarFs.open(file));
  for (const name of ["x/one:1", "x/two:1"]) {
    const m = JSON.parse((await readAll((await reader.fetch(await reader.resolve(name))).body, 1 << 20, "m")).toString()) as { layers: { digest: string }[] };
    assert.equal(m.layers[0]!.digest, l.digest, name);
  }
});
