/** Hostile layers cannot write outside the root; whiteouts apply to lower layers only; zstd and bombs. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import { applyLayer } from "../../src/export/extract.js";
import { decompressLayer } from "../../src/export/decompress.js";
import { exportRootfs } from "../../src/export/export-rootfs.js";
import { tarOf, type Entry } from "../rig/build.js";
import { tempDir } from "../helpers/cli.js";

/** A sandbox: `root` to extract into, a sentinel directory beside it that must stay untouched. */
function sandbox() {
  const base = tempDir("ocidist-extract-");
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, "sentinel"), "untouched");
  return { base, root, outside };
}

function assertUntouched(sb: ReturnType<typeof sandbox>) {
  assert.deepEqual(readdirSync(sb.base).sort(), ["outside", "root"]);
  assert.deepEqual(readdirSync(sb.outside), ["sentinel"]);
  assert.equal(readFileSync(join(sb.outside, "sentinel"), "utf8"), "untouched");
  assert.ok(!existsSync("/tmp/ocidist-evil"), "nothing written to an absolute path");
}

async function apply(root: string, entries: Entry[]) {
  return applyLayer(root, Readable.from([await tarOf(entries)]));
}

test("hostile names, symlinks and hard links write nothing outside the root", async () => {
  const hostile: Entry[][] = [
    [{ name: "../evil", content: "x" }],
    [{ name: "/tmp/ocidist-evil", content: "x" }],
    [{ name: "a/../../evil", content: "x" }],
    [{ name: "lnk", type: "symlink", linkname: "../outside" }, { name: "lnk/evil", content: "x" }],
    [{ name: "lnk", type: "symlink", linkname: "/tmp" }, { name: "lnk/ocidist-evil", content: "x" }],
    [{ name: "lnk", type: "symlink", linkname: "../../../../../.." }, { name: "lnk/tmp/ocidist-evil", content: "x" }],
    [{ name: "hard", type: "link", linkname: "/etc/passwd" }],
    [{ name: "hard", type: "link", linkname: "../outside/sentinel" }],
    [{ name: ".wh...", content: "" }, { name: "x/.wh..", content: "" }],
  ];
  for (const entries of hostile) {
    const sb = sandbox();
    await apply(sb.root, entries).catch(() => undefined);
    assertUntouched(sb);
  }
});

test("a directory replaced by a symlink later in its layer does not get its mode applied outside", async () => {
  const sb = sandbox();
  const { chmodSync, statSync } = await import("node:fs");
  chmodSync(sb.outside, 0o700);
  await apply(sb.root, [{ name: "d/", type: "directory", mode: 0o777 }, { name: "d", type: "symlink", linkname: join(sb.outside) }]);
  assert.equal(statSync(sb.outside).mode & 0o777, 0o700, "the outside directory keeps its mode");
  assertUntouched(sb);
});

test("a symlink planted by an earlier layer is resolved inside the root", async () => {
  const sb = sandbox();
  await apply(sb.root, [{ name: "etc", type: "symlink", linkname: "/outside-dir" }]);
  await apply(sb.root, [{ name: "etc/passwd", content: "inside" }]);
  assertUntouched(sb);
  assert.equal(readFileSync(join(sb.root, "outside-dir", "passwd"), "utf8"), "inside");
});

test("whiteouts and opaque markers remove lower-layer content only", async () => {
  const sb = sandbox();
  await apply(sb.root, [{ name: "d/", type: "directory" }, { name: "d/lower", content: "1" }, { name: "f", content: "1" }]);
  const stats = await apply(sb.root, [{ name: "d/upper", content: "2" }, { name: "d/.wh..wh..opq", content: "" }, { name: ".wh.f", content: "" }]);
  assert.deepEqual(readdirSync(join(sb.root, "d")), ["upper"]);
  assert.ok(!existsSync(join(sb.root, "f")));
  assert.equal(stats.whiteouts, 2);
  assert.ok(!readdirSync(sb.root).some((n) => n.startsWith(".wh.")));
});

test("zstd layers decompress; a decompression bomb is bounded", async () => {
  const raw = await tarOf([{ name: "z", content: "zstd content" }]);
  const sb = sandbox();
  const tarFile = join(sb.base, "l.tar");
  writeFileSync(tarFile, raw);
  let zst: Buffer | undefined;
  try {
    zst = execFileSync("zstd", ["-q", "-c", tarFile]);
  } catch {
    /* zstd CLI absent */
  }
  if (zst) {
    await applyLayer(sb.root, decompressLayer(Readable.from([zst])));
    assert.equal(readFileSync(join(sb.root, "z"), "utf8"), "zstd content");
  }
  const { gzipSync } = await import("node:zlib");
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
  const out = join(sb.base, "bomb");
  await assert.rejects(
    exportRootfs([{ descriptor: { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${"0".repeat(64)}`, size: bomb.length }, open: async () => Readable.from([bomb]) }], out, { maxLayerBytes: 1024 * 1024 }),
    /decompression bomb/,
  );
  assert.ok(!existsSync(out), "no output after a failed export");
  assert.deepEqual(readdirSync(sb.base).sort(), ["l.tar", "outside", "root"]);
});

test("property: random names and symlinks never create anything outside the root", async () => {
  const segment = fc.constantFrom("..", ".", "a", "b", "etc", "/", "tmp", "");
  const name = fc.array(segment, { minLength: 1, maxLength: 6 }).map((p) => p.join("/"));
  const entry: fc.Arbitrary<Entry> = fc.oneof(
    name.map((n) => ({ name: n || "x", content: "p" })),
    fc.tuple(name, name).map(([n, t]) => ({ name: n || "l", type: "symlink" as const, linkname: t })),
    fc.tuple(name, name).map(([n, t]) => ({ name: n || "h", type: "link" as const, linkname: t })),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
      const sb = sandbox();
      await apply(sb.root, entries).catch(() => undefined);
      assertUntouched(sb);
    }),
    { numRuns: 150 },
  );
});
