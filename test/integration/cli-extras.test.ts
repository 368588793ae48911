/**
 * Commands that protect users from surprises: `delete REPO:TAG` refuses to take other tags
 * along unless forced (and untags alone where the registry can), `token --push` fails when
 * the registry granted no push, and `completion` scripts complete the real command table in
 * bash and fish and parse in zsh (shells absent: skipped visibly).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";

let rig: RigInfo;
let host: string;

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
});

const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;

describe("delete", () => {
  test("a tag shared with other tags is not deleted with them unless --force", async () => {
    const img = await simpleImage("del");
    await pushImage(rig, rig.registries.open, "extras/del", img, ["a", "b", "c"]);
    const refused = await ocidist(["delete", `${host}/extras/del:a`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /also tagged b, c; .*--force/);
    assert.equal((await ocidist(["tags", `${host}/extras/del`])).out.split("\n").filter(Boolean).sort().join(","), "a,b,c");
    const forced = await ocidist(["delete", `${host}/extras/del:a`, "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    const json = JSON.parse(forced.out) as { removed: string; digest: string; tags: string[] };
    assert.equal(json.removed, "manifest");
    assert.equal(json.digest, img.manifest.digest);
    assert.deepEqual(json.tags.sort(), ["a", "b", "c"]);
    assert.match(forced.stderr, /deleted .*@sha256:[0-9a-f]{64} and its tags /);
    const gone = await ocidist(["manifest", `${host}/extras/del@${img.manifest.digest}`]);
    assert.equal(gone.code, 1);
  });

  test("a tag that alone names its manifest deletes the manifest", async () => {
    const img = await simpleImage("del1");
    await pushImage(rig, rig.registries.open, "extras/del1", img, ["only"]);
    const r = await ocidist(["delete", `${host}/extras/del1:only`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /and its tag only$/m);
  });

  test("where the registry can untag (OCI 1.1), only the tag goes", async () => {
    const reg: HostileRegistry = await startHostile();
    try {
      const img = await simpleImage("untag");
      for (const t of ["x", "y"]) reg.manifest("u/app", [t], img.manifest.bytes, img.manifest.mediaType);
      reg.override("GET", /^\/v2\/u\/app\/tags\/list/, (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ name: "u/app", tags: ["x", "y"] }));
      });
      const deleted: string[] = [];
      reg.override("DELETE", /^\/v2\/u\/app\/manifests\//, (req, res) => {
        deleted.push(req.url!);
        res.writeHead(202);
        res.end();
      });
      const r = await ocidist(["delete", `${reg.host}/u/app:x`]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(deleted, ["/v2/u/app/manifests/x"], "the tag, not the digest");
      assert.match(r.stderr, /deleted tag .*:x \(the manifest sha256:[0-9a-f]{64} stays\)/);
    } finally {
      await reg.close();
    }
  });
});

describe("token --push", () => {
  test("fails when the registry grants pull only", async () => {
    const reg = rig.registries.token;
    const r = await ocidist(["token", `${reg.host}/public/extras`, "--push", "-u", "bob", "-p", "bob-secret", ...regFlags(reg)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /granted pull on public\/extras, not push/);
    assert.equal(r.out, "", "no token printed");
    const pull = await ocidist(["token", `${reg.host}/public/extras`, "-u", "bob", "-p", "bob-secret", ...regFlags(reg)]);
    assert.equal(pull.code, 0, pull.stderr);
  });
});

describe("errors that name the cause", () => {
  test("an untrusted TLS registry on loopback reports its certificate, not a plain-HTTP 400", async () => {
    const reg = rig.registries.tls;
    await pushImage(rig, reg, "extras/tls", await simpleImage("tls"), ["v1"]);
    const r = await ocidist(["tags", `${reg.host}/extras/tls`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\): pass --ca-file .* or --insecure/);
    assert.doesNotMatch(r.stderr, /HTTP 400|plain HTTP request/);
    const viaEnv = await ocidist(["tags", `${reg.host}/extras/tls`], { env: { SSL_CERT_FILE: reg.caFile! } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.equal(viaEnv.out, "v1\n");
  });

  test("a --ca-file that holds no certificate is a usage error", async () => {
    const empty = join(tempDir(), "empty.pem");
    writeFileSync(empty, "not a certificate\n");
    const r = await ocidist(["tags", `${rig.registries.tls.host}/extras/tls`, "--ca-file", empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /holds no PEM certificate/);
    const missing = await ocidist(["tags", `${rig.registries.tls.host}/extras/tls`, "--ca-file", join(tempDir(), "absent.pem")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--ca-file .*absent\.pem.*: no such file/);
  });

  test("a refused proxy is named as the proxy", async () => {
    const r = await ocidist(["tags", "registry.example/x", "--proxy", "http://127.0.0.1:9"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot connect to proxy 127\.0\.0\.1:9/);
  });

  test("verify and push name a missing file as missing, not as an unknown format", async () => {
    const dir = tempDir();
    const missing = join(dir, "missing.tar");
    for (const args of [["verify", missing], ["push", missing, `${host}/extras/x:1`], ["verify", "missing.tar"]]) {
      const r = await ocidist(args, { home: dir });
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /missing\.tar: no such file or directory/);
    }
  });

  test("a wrong password on a Basic registry says the credentials were rejected", async () => {
    const reg = rig.registries.basic;
    const r = await ocidist(["tags", `${reg.host}/extras/any`, "-u", "alice", "-p", "wrong", ...regFlags(reg)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rejected the credentials/);
    assert.doesNotMatch(r.stderr, /log in, or pass -u\/-p/);
  });
});

describe("completion", () => {
  test("bash completes commands, sub-commands and options", { skip: has("bash") ? false : "bash is not installed" }, async () => {
    const r = await ocidist(["completion", "bash"]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(tempDir(), "ocidist.bash");
    writeFileSync(file, r.stdout);
    const complete = (words: string[]) =>
      spawnSync("bash", ["-c", `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _ocidist; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: "utf8" }).stdout.trim().split("\n");
    assert.deepEqual(complete(["ocidist", "pu"]), ["pull", "push"]);
    assert.deepEqual(complete(["ocidist", "hub", "t"]), ["tags"]);
    assert.ok(complete(["ocidist", "--json", "pull", "--fo"]).includes("--format"));
    assert.ok(complete(["ocidist", "delete", "--f"]).includes("--force"));
  });

  test("fish completes commands with their summaries", { skip: has("fish") ? false : "fish is not installed" }, async () => {
    const r = await ocidist(["completion", "fish"]);
    const file = join(tempDir(), "ocidist.fish");
    writeFileSync(file, r.stdout);
    const out = spawnSync("fish", ["-c", `source ${file}; complete -C 'ocidist pu'`], { encoding: "utf8" }).stdout;
    assert.match(out, /^pull\t.+$/m);
    assert.match(out, /^push\t.+$/m);
  });

  test("zsh's script parses", { skip: has("zsh") ? false : "zsh is not installed" }, async () => {
    const r = await ocidist(["completion", "zsh"]);
    const file = join(tempDir(), "_ocidist");
    writeFileSync(file, r.stdout);
    assert.match(r.out, /^#compdef ocidist/);
    const check = spawnSync("zsh", ["-n", file], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
  });

  test("an unknown shell is a usage error", async () => {
    const r = await ocidist(["completion", "tcsh"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bash, zsh, fish/);
  });
});
