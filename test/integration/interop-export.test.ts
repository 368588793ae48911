/**
 * Export compared with tar: a layer made by the system's tar (setuid, setgid and sticky
 * bits, a FIFO, a device node) is exported as `tar -xpf` extracts it, when running as root.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { dockerArchive } from "../interop/archive.js";

let rig: RigInfo;
const root = process.getuid?.() === 0;

before(async () => {
  rig = await getRig();
});

function populate(dir: string): void {
  mkdirSync(join(dir, "tmp"));
  chmodSync(join(dir, "tmp"), 0o1777);
  mkdirSync(join(dir, "shared"));
  chmodSync(join(dir, "shared"), 0o2775);
  writeFileSync(join(dir, "su"), "#!/bin/sh\n");
  chmodSync(join(dir, "su"), 0o4755);
  execFileSync("mkfifo", ["-m", "644", join(dir, "pipe")]);
  mkdirSync(join(dir, "dev"));
  execFileSync("mknod", ["-m", "666", join(dir, "dev", "null"), "c", "1", "3"]);
}

const NAMES = ["tmp", "shared", "su", "pipe", "dev/null"];

/** Mode (with type bits) and device number of each name under `dir`. */
const modes = (dir: string) => NAMES.map((n) => {
  const st = lstatSync(join(dir, n));
  return `${n} ${st.mode.toString(8)} ${st.rdev}`;
});

test("export keeps setuid, setgid and sticky bits, FIFOs and device nodes as tar -xp does (as root)", { skip: !root && "needs root (device nodes)" }, async () => {
  const work = tempDir();
  const { path } = dockerArchive(work, "interop/special:v1", "gzip", populate);
  const ref = `${rig.registries.open.host}/interop/special:v1`;
  const pushed = await ocidist(["push", path, ref]);
  assert.equal(pushed.code, 0, pushed.stderr);
  const byTar = join(work, "by-tar");
  mkdirSync(byTar);
  execFileSync("sh", ["-c", `tar -xOf "$1" layer.tar.gz | tar -xpzf - -C "$2"`, "sh", path, byTar]);
  const out = join(tempDir(), "rootfs");
  const r = await ocidist(["export", ref, out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(modes(out), modes(byTar));
  assert.equal(lstatSync(join(out, "tmp")).mode & 0o7777, 0o1777);
  const dropped = join(tempDir(), "rootfs");
  const d = await ocidist(["export", "--drop-special-bits", ref, dropped]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(lstatSync(join(dropped, "tmp")).mode & 0o7777, 0o777);
  assert.equal(lstatSync(join(dropped, "su")).mode & 0o7777, 0o755);
});
