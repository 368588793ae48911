/**
 * The generated sh script, run with ocidist absent from PATH, against the open and token
 * registries: its archive equals pull's and verifies; tampering makes the script and verify fail.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { tool } from "../helpers/tools.js";

let rig: RigInfo;
const seeded: Record<string, Seeded> = {};

before(async () => {
  rig = await getRig();
  seeded.open = await seed(rig, rig.registries.open, "script", false);
  seeded.token = await seed(rig, rig.registries.token, "public/script", false);
});

/** Runs a script with a PATH of system directories only (no ocidist, no node). */
function runScript(script: string, out: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync("sh", [script, out], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", ...env }, encoding: "utf8" });
}

function files(dir: string, base = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, base), { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, files(dir, rel));
    else out[rel] = readFileSync(join(dir, rel)).toString("base64");
  }
  return out;
}

describe("script", () => {
  for (const mode of ["open", "token"] as const) {
    test(`${mode} registry: the script's docker archive has pull's files and verifies`, async () => {
      const reg = rig.registries[mode];
      const ref = `${reg.host}/${seeded[mode]!.repos.multi}:v1`;
      const dir = tempDir();
      const gen = await ocidist(["script", ref, "--platform", "linux/arm64"]);
      assert.equal(gen.code, 0, gen.stderr);
      assert.doesNotMatch(gen.out, /alice-secret/);
      writeFileSync(join(dir, "pull.sh"), gen.out);
      const res = runScript(join(dir, "pull.sh"), join(dir, "script.tar"));
      assert.equal(res.status, 0, res.stderr);
      assert.equal((await ocidist(["pull", ref, "--platform", "linux/arm64", "-o", join(dir, "pull.tar")])).code, 0);
      for (const name of ["script", "pull"]) {
        mkdirSync(join(dir, name));
        execFileSync("tar", ["-xf", join(dir, `${name}.tar`), "-C", join(dir, name)]);
      }
      assert.deepEqual(files(join(dir, "script")), files(join(dir, "pull")));
      const v = await ocidist(["verify", join(dir, "script.tar")]);
      assert.equal(v.code, 0, v.out);
    });
  }

  test("oci format, and a tampered blob fails the script and verify", async () => {
    const reg = rig.registries.open;
    const s = seeded.open!;
    const dir = tempDir();
    const gen = await ocidist(["script", `${reg.host}/${s.repos.simple}:v1`, "--format", "oci"]);
    writeFileSync(join(dir, "pull.sh"), gen.out);
    const ok = runScript(join(dir, "pull.sh"), join(dir, "layout"));
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((await ocidist(["verify", `oci:${join(dir, "layout")}`])).code, 0);
    // Tamper: point the script at a digest whose blob is not what it says.
    const layerHex = s.simple.layers[0]!.digest.slice(7);
    writeFileSync(join(dir, "layout", "blobs", "sha256", layerHex), "tampered");
    const v = await ocidist(["verify", `oci:${join(dir, "layout")}`]);
    assert.equal(v.code, 1);
    assert.match(v.out, new RegExp(`FAIL.*\\n.*${layerHex}`));
    const evil = gen.out.replace(`fetch blobs ${s.simple.config.digest}`, `fetch blobs ${s.simple.layers[0]!.digest.slice(0, 7)}${"0".repeat(64)}`);
    assert.notEqual(evil, gen.out);
    writeFileSync(join(dir, "evil.sh"), evil);
    const bad = runScript(join(dir, "evil.sh"), join(dir, "evil-out"));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /script: (download of|digest mismatch)/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("evil-out")), []);
  });
});

describe("script in Basic mode over TLS", () => {
  test("credentials come from the environment, never the script; podman loads the result", async (t) => {
    const reg = rig.registries.basic;
    const s = await seed(rig, reg, "script", false);
    const dir = tempDir();
    const gen = await ocidist(["script", `${reg.host}/${s.repos.simple}:v1`, "--ca-file", reg.caFile!, "-u", "alice", "-p", "alice-secret"]);
    assert.equal(gen.code, 0, gen.stderr);
    assert.doesNotMatch(gen.out, /alice-secret/);
    writeFileSync(join(dir, "pull.sh"), gen.out);
    const denied = runScript(join(dir, "pull.sh"), join(dir, "none.tar"), { OCIDIST_CURL_OPTS: `--cacert ${reg.caFile}` });
    assert.notEqual(denied.status, 0, "no credentials, no download");
    const ok = runScript(join(dir, "pull.sh"), join(dir, "img.tar"), { OCIDIST_CURL_OPTS: `--cacert ${reg.caFile}`, OCIDIST_USERNAME: "alice", OCIDIST_PASSWORD: "alice-secret" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((await ocidist(["verify", join(dir, "img.tar")])).code, 0);
    if (tool(t, "podman")) {
      const store = tempDir("ocidist-podman-");
      const load = execFileSync("podman", ["--storage-driver", "vfs", "--root", join(store, "root"), "--runroot", join(store, "run"), "load", "-i", join(dir, "img.tar")], { stdio: ["ignore", "pipe", "pipe"] }).toString();
      assert.match(load, /Loaded image/);
    }
  });
});
