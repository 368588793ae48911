/**
 * One policy for existing outputs on every command: an existing file or directory is
 * refused (and left byte-identical) without --force, replaced with it; an existing OCI
 * layout is added to; a temporary beside an output that cannot be made is reported under
 * the output's name.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { image, layer, type Image } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let host: string;
let img: Image;
const OLD = "old content, not to be lost\n";

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  img = image([await layer([{ name: "hello.txt", content: "hello\n" }])]);
  await pushImage(rig, rig.registries.open, "policy/app", img, ["v1"]);
  await pushImage(rig, rig.registries.open, "policy/app", img, ["v2"]);
});

/** Each command, writing into `out` (an existing file, or a non-empty directory). */
const commands: { name: string; dir?: boolean; args: (out: string) => string[] }[] = [
  { name: "pull -o", args: (out) => ["pull", `${host}/policy/app:v1`, "-o", out] },
  { name: "pull --format oci-archive -o", args: (out) => ["pull", `${host}/policy/app:v1`, "--format", "oci-archive", "-o", out] },
  { name: "blob -o", args: (out) => ["blob", `${host}/policy/app@${img.layers[0]!.digest}`, "-o", out] },
  { name: "copy to docker-archive:", args: (out) => ["copy", `${host}/policy/app:v1`, `docker-archive:${out}`] },
  { name: "copy to oci-archive:", args: (out) => ["copy", `${host}/policy/app:v1`, `oci-archive:${out}`] },
  { name: "export DIR", dir: true, args: (out) => ["export", `${host}/policy/app:v1`, out] },
];

function existing(dir: boolean): { out: string; check: () => string } {
  const base = join(tempDir(), "out");
  if (dir) {
    mkdirSync(base);
    writeFileSync(join(base, "keep.txt"), OLD);
    return { out: base, check: () => readdirSync(base).join(",") + readFileSync(join(base, "keep.txt"), "utf8") };
  }
  writeFileSync(base, OLD);
  return { out: base, check: () => readFileSync(base, "utf8") };
}

describe("existing outputs", () => {
  for (const c of commands) {
    test(`${c.name}: an existing output is refused and left as it was without --force`, async () => {
      const { out, check } = existing(c.dir === true);
      const before = check();
      const r = await ocidist(c.args(out));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /--force/);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(check(), before);
      assert.deepEqual(readdirSync(join(out, "..")), ["out"], "no temporary is left");
    });
    test(`${c.name}: --force replaces it`, async () => {
      const { out } = existing(c.dir === true);
      const r = await ocidist([...c.args(out), "--force"]);
      assert.equal(r.code, 0, r.stderr);
      if (c.dir) {
        assert.deepEqual(readdirSync(out), ["hello.txt"]);
      } else {
        assert.notEqual(readFileSync(out, "utf8"), OLD);
      }
      assert.deepEqual(readdirSync(join(out, "..")), ["out"], "no temporary is left");
    });
  }

  test("files -o: an existing file is refused without --force, replaced with it", async () => {
    const dir = tempDir();
    const name = img.layers[0]!.digest.replace(":", "-");
    writeFileSync(join(dir, name), OLD);
    const r = await ocidist(["files", `${host}/policy/app:v1`, "-o", dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--force/);
    assert.equal(readFileSync(join(dir, name), "utf8"), OLD);
    const f = await ocidist(["files", `${host}/policy/app:v1`, "-o", dir, "--force"]);
    assert.equal(f.code, 0, f.stderr);
    assert.notEqual(readFileSync(join(dir, name), "utf8"), OLD);
  });

  test("an existing OCI layout is added to, without --force", async () => {
    const dir = join(tempDir(), "layout");
    for (const tag of ["v1", "v2"]) {
      const r = await ocidist(["pull", `${host}/policy/app:${tag}`, "--format", "oci", "-o", dir]);
      assert.equal(r.code, 0, r.stderr);
    }
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: { annotations?: Record<string, string> }[] };
    assert.deepEqual(index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"]).sort(), ["v1", "v2"]);
  });

  for (const [name, args] of [
    ["pull -o", ["pull", "REF", "-o", "/proc/ocidist-x.tar"]],
    ["blob -o", ["blob", "BLOB", "-o", "/proc/ocidist-x.bin"]],
    ["pull --format oci -o", ["pull", "REF", "--format", "oci", "-o", "/proc/ocidist-x"]],
    ["copy to oci-archive:", ["copy", "REF", "oci-archive:/proc/ocidist-x.tar"]],
    ["export", ["export", "REF", "/proc/ocidist-x"]],
  ] as const) {
    test(`${name} into an unwritable place names the output, not a temporary`, async () => {
      const r = await ocidist(args.map((a) => (a === "REF" ? `${host}/policy/app:v1` : a === "BLOB" ? `${host}/policy/app@${img.layers[0]!.digest}` : a)));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot write \/proc\/ocidist-x/);
      assert.doesNotMatch(r.stderr, /ocidist-[0-9a-f]{12}\.tmp/);
    });
  }
});
