/**
 * Reproducible archives: the same image pulled into a docker archive or an OCI archive
 * gives the same bytes at any --jobs, with a cold cache, a warm one or none, and pull
 * prints that archive's sha256 (what a user compares across machines, 3TOFU-style).
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { image, layer } from "../rig/build.js";
import { multiPlatform } from "../rig/fixtures.js";
import { pushImage, pushIndex } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let host: string;

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  // Layers of very different sizes finish in a different order at different --jobs.
  const layers = [];
  for (const size of [3_000_000, 1000, 700_000, 20, 1_500_000, 64_000]) layers.push(await layer([{ name: `f${size}`, content: randomBytes(size) }]));
  await pushImage(rig, rig.registries.open, "repro/app", image(layers, { env: ["A=1"] }), ["v1"]);
  const mp = await multiPlatform("oci");
  await pushIndex(rig, rig.registries.open, "repro/multi", mp.all, mp.index, ["v1"]);
});

const sha = (path: string) => `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;

async function pullTo(ref: string, format: string, flags: string[], home?: string): Promise<{ path: string; printed: string }> {
  const out = join(tempDir(), `out.${format}.tar`);
  const r = await ocidist(["--progress", "plain", "pull", ref, "--format", format, "-o", out, ...flags], home ? { home } : {});
  assert.equal(r.code, 0, r.stderr);
  const printed = /^archive (sha256:[0-9a-f]{64})$/m.exec(r.stderr)?.[1];
  assert.ok(printed, `the archive's digest is printed:\n${r.stderr}`);
  assert.equal(printed, sha(out), "the printed digest is the file's");
  return { path: out, printed };
}

describe("reproducible archives", () => {
  for (const format of ["docker-archive", "oci-archive"]) {
    test(`${format}: the same bytes at any --jobs, with or without the cache`, async () => {
      const ref = `${host}/repro/app:v1`;
      const home = tempDir("ocidist-home-");
      const runs = [
        await pullTo(ref, format, ["--jobs", "1"], home),
        await pullTo(ref, format, ["--jobs", "8", "--no-cache"]),
        await pullTo(ref, format, ["--jobs", "3"], home), // warm cache
        await pullTo(ref, format, ["--jobs", "6"]), // another machine: its own cold cache
      ];
      assert.deepEqual(new Set(runs.map((r) => r.printed)).size, 1, runs.map((r) => r.printed).join("\n"));
      const v = await ocidist(["verify", runs[0]!.path]);
      assert.equal(v.code, 0, v.stderr);
    });
  }

  test("oci-archive of a whole index: the same bytes at any --jobs", async () => {
    const ref = `${host}/repro/multi:v1`;
    const a = await pullTo(ref, "oci-archive", ["--all-platforms", "--jobs", "1"]);
    const b = await pullTo(ref, "oci-archive", ["--all-platforms", "--jobs", "8", "--no-cache"]);
    assert.equal(a.printed, b.printed);
  });

  test("a reference given twice is pulled once", async () => {
    const out = join(tempDir(), "twice.tar");
    const r = await ocidist(["pull", `${host}/repro/app:v1`, `${host}/repro/app:v1`, "-o", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.out) as { images: unknown[] }).images.length, 1);
  });
});

describe("-o - writes to stdout", () => {
  test("pull -o - streams the same archive to stdout, and refuses an OCI layout or --json with it", async () => {
    const file = await pullTo(`${host}/repro/app:v1`, "docker-archive", []);
    const r = await ocidist(["--progress", "plain", "pull", `${host}/repro/app:v1`, "-o", "-"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(`sha256:${createHash("sha256").update(r.stdout).digest("hex")}`, file.printed, "stdout holds the very archive");
    assert.match(r.stderr, /into stdout/);
    const layout = await ocidist(["pull", `${host}/repro/app:v1`, "--format", "oci", "-o", "-"]);
    assert.equal(layout.code, 2);
    const json = await ocidist(["pull", `${host}/repro/app:v1`, "-o", "-", "--json"]);
    assert.equal(json.code, 2);
    assert.equal(json.stdout.length, 0);
  });
});
