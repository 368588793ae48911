/**
 * Signals, concurrency, proxies and auth edges: Ctrl-C mid-transfer leaves no litter and
 * keeps prior outputs; two processes pulling into one cache both succeed; --proxy tunnels
 * through a real CONNECT proxy; an identity token is exchanged with the OAuth2 POST form; a
 * token realm is never downgraded from https to http.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import { image, layer } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { CLI, isolatedEnv, ocidist, tempDir } from "../helpers/cli.js";
import { startConnectProxy } from "../helpers/tunnels.js";
import { checkRealm } from "../../src/auth/token.js";

let rig: RigInfo;
let s: Seeded;
let host: string;
let bigDigest: string;

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  s = await seed(rig, rig.registries.open, "hard", false);
  const layers = [];
  for (let i = 0; i < 4; i++) {
    layers.push(await layer([{ name: `big${i}.bin`, content: Buffer.from(Buffer.alloc(12 * 1024 * 1024).map((_, j) => (j * (i + 7) * 2654435761) % 251)).toString("latin1") }]));
  }
  const img = image(layers);
  bigDigest = img.manifest.digest;
  await pushImage(rig, rig.registries.open, "hard/big", img, ["v1"]);
});

/**
 * Runs ocidist with `args`, sends SIGINT once `ready()` holds, and checks that it exits
 * with 130 within a second and a half.
 */
async function interruptWhen(args: string[], home: string, ready: () => boolean): Promise<void> {
  const child = spawn(process.execPath, [CLI, "--progress", "none", ...args], { env: isolatedEnv(home) });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const closed = new Promise<number | null>((r) => child.on("close", (c) => ((exited = true), r(c))));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !exited && !ready()) await new Promise((r) => setTimeout(r, 5));
  assert.ok(!exited, `ocidist ${args.join(" ")} ended before it could be interrupted: ${stderr}`);
  const sent = Date.now();
  child.kill("SIGINT");
  const code = await closed;
  const took = Date.now() - sent;
  assert.equal(code, 130);
  assert.ok(took < 1500, `stopped in ${took} ms`);
}

describe("signals and concurrency", () => {
  test("Ctrl-C during a pull stops within a second, removes temporary files, keeps the prior output", async () => {
    const home = tempDir("ocidist-home-");
    const outDir = join(home, "out");
    mkdirSync(outDir);
    const out = join(outDir, "img.tar");
    writeFileSync(out, "prior output");
    const blobs = join(home, "cache", "blobs", "sha256");
    // --force: the prior output is replaced only once the new one is complete, so an interrupt keeps it.
    await interruptWhen(["pull", `${host}/hard/big:v1`, "-o", out, "--force"], home, () => existsSync(blobs) && readdirSync(blobs).some((f) => f.endsWith(".partial")));
    assert.deepEqual(readdirSync(outDir), ["img.tar"], "no temporary litter beside the output");
    assert.equal(readFileSync(out, "utf8"), "prior output");
  });

  test("Ctrl-C during a registry-to-registry copy stops within a second and moves no tag", async () => {
    const { startFaultProxy } = await import("../faults/proxy.js");
    const proxy = await startFaultProxy(rig.registries.open.url);
    try {
      const dst = `${host}/hard/copy-target:v1`;
      assert.equal((await ocidist(["copy", `${host}/${s.repos.simple}:v1`, dst])).code, 0);
      const before = (await ocidist(["digest", dst])).out;
      // One layer stalls half-way, so the copy is surely mid-transfer when it is interrupted.
      proxy.setRules([{ method: "GET", path: /\/blobs\/sha256:/, fault: { kind: "stall", ms: 60_000 }, times: 1 }]);
      let stalledAt = 0;
      await interruptWhen(["copy", `${proxy.host}/hard/big:v1`, dst], tempDir("ocidist-home-"), () => {
        if (proxy.injected > 0) stalledAt ||= Date.now();
        return stalledAt > 0 && Date.now() - stalledAt > 200;
      });
      assert.equal((await ocidist(["digest", dst])).out, before, "the tag still names what it named before");
    } finally {
      await proxy.close();
    }
  });

  test("two processes pulling into the same cache at once both succeed and agree", async () => {
    const home = tempDir("ocidist-home-");
    const run = (name: string) => ocidist(["pull", `${host}/hard/big:v1`, "-o", join(home, name), "--json"], { home });
    const [a, b] = await Promise.all([run("a.tar"), run("b.tar")]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(a.out).images[0].manifest, bigDigest);
    assert.equal(JSON.parse(b.out).images[0].manifest, bigDigest);
    for (const f of ["a.tar", "b.tar"]) assert.equal((await ocidist(["verify", join(home, f)], { home })).code, 0);
    const left = readdirSync(join(home, "cache", "blobs", "sha256")).filter((f) => !/^[0-9a-f]{64}$/.test(f));
    assert.deepEqual(left, [], "no partial or lock files left in the cache");
  });
});

describe("proxies and auth edges", () => {
  test("--proxy tunnels every request through a CONNECT proxy", async () => {
    const proxy = await startConnectProxy();
    const { seen, url } = proxy;
    try {
      const r = await ocidist(["digest", `${host}/${s.repos.simple}:v1`, "--proxy", url]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.out.trim(), s.simple.manifest.digest);
      assert.ok(seen.includes(host), `the proxy carried ${host}: ${seen.join(", ")}`);
      const env = await ocidist(["digest", `${host}/${s.repos.simple}:v1`], { env: { HTTP_PROXY: url, HTTPS_PROXY: url } });
      assert.equal(env.code, 0, env.stderr);
      const bypass = seen.length;
      const np = await ocidist(["digest", `${host}/${s.repos.simple}:v1`], { env: { HTTP_PROXY: url, HTTPS_PROXY: url, NO_PROXY: "127.0.0.1" } });
      assert.equal(np.code, 0, np.stderr);
      assert.equal(seen.length, bypass, "NO_PROXY hosts bypass the proxy");
    } finally {
      await proxy.close();
    }
  });

  test("an identity token in config.json is exchanged with the OAuth2 refresh_token grant", async () => {
    const reg = rig.registries.token;
    const priv = await seed(rig, reg, "private/oauth", false);
    const home = tempDir();
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ auths: { [reg.host]: { auth: "", identitytoken: "alice-identity-token" } } }));
    const r = await ocidist(["tags", `${reg.host}/${priv.repos.simple}`, "-v"], { home });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /POST http:\/\/127\.0\.0\.1:\d+\/token → 200/);
    assert.doesNotMatch(r.stderr, /alice-identity-token/);
  });

  test("a token realm is never downgraded from https to http", () => {
    assert.throws(() => checkRealm("http://auth.example/token", true), /refusing plain-http token realm/);
    assert.equal(checkRealm("http://auth.example/token", true, true).host, "auth.example");
    assert.equal(checkRealm("http://127.0.0.1:1/token", false).port, "1");
    assert.throws(() => checkRealm("file:///etc/passwd", false), /scheme file:/);
    assert.throws(() => checkRealm("https://u:p@auth.example/", true), /credentials in its URL/);
  });
});
