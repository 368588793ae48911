/** Lock files: written atomically and sorted, read back strictly, tied to their mirror file. */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../src/model/errors.js";
import { lockedItems, readLock, writeLock } from "../../src/sync/lock.js";
import { parseSyncConfig } from "../../src/sync/read-config.js";
import { tempDir } from "../helpers/cli.js";

const D1 = `sha256:${"a".repeat(64)}`;
const D2 = `sha256:${"b".repeat(64)}`;

test("a lock round-trips, sorted by source, and replaces the old one whole", async () => {
  const path = join(tempDir(), "mirror.lock");
  await writeFile(path, "old");
  await writeLock(path, [
    { source: "reg.example/app:v2", digest: D2, destination: "mirror.example/app" },
    { source: "reg.example/app:v1", digest: D1, destination: "mirror.example/app", manifest: D2 },
  ]);
  const lock = await readLock(path);
  assert.deepEqual(lock.images.map((e) => e.source), ["reg.example/app:v1", "reg.example/app:v2"]);
  assert.equal(lock.images[0]!.manifest, D2);
  assert.ok((await readFile(path, "utf8")).endsWith("}\n"));
});

test("a bad lock is a usage error naming the entry", async () => {
  const dir = tempDir();
  const cases: [string, RegExp][] = [
    ["not json", /not a readable lock/],
    [JSON.stringify({ version: 2, images: [] }), /version 1/],
    [JSON.stringify({ version: 1, images: [{ source: "reg.example/app:v1", digest: "sha256:xyz", destination: "m" }] }), /images\[0\]: invalid digest/],
    [JSON.stringify({ version: 1, images: [{ source: "reg.example/app", digest: D1, destination: "m" }] }), /images\[0\]: a source must be/],
  ];
  for (const [i, [text, want]] of cases.entries()) {
    const path = join(dir, `l${i}.json`);
    await writeFile(path, text);
    await assert.rejects(readLock(path), (e: unknown) => e instanceof UsageError && want.test((e as Error).message), text);
  }
  // A file without end is read no further than the cap (it was read whole before the size was checked).
  await assert.rejects(readLock("/dev/zero"), (e: unknown) => e instanceof UsageError && /larger than/.test((e as Error).message));
});

test("--from-lock pins each entry to its digest, with its file entry's platform, and refuses entries the file lacks", async () => {
  const config = await parseSyncConfig("m.yaml", "images:\n  - from: reg.example/app\n    to: mirror.example/app\n    platforms: [linux/amd64]\n");
  const items = lockedItems(config, { version: 1, images: [{ source: "reg.example/app:v1", digest: D1, destination: "mirror.example/app" }] }, "l.json");
  assert.equal(items.length, 1);
  assert.equal(items[0]!.digest, D1);
  assert.equal(items[0]!.tag, "v1");
  assert.equal(items[0]!.platform?.architecture, "amd64");
  assert.throws(() => lockedItems(config, { version: 1, images: [{ source: "reg.example/other:v1", digest: D1, destination: "mirror.example/app" }] }, "l.json"), UsageError);
});
