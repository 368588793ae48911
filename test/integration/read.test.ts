/**
 * The read commands against the real registry in every auth mode, with credentials from
 * flags, from config.json and from a credential helper; and failing clearly without them.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo, RigRegistry } from "../rig/rig.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
const seeded: Partial<Record<string, Seeded>> = {};
const prefixFor = (reg: RigRegistry) => (reg.name === "token" ? "public/read" : "read");

before(async () => {
  rig = await getRig();
  for (const reg of Object.values(rig.registries)) seeded[reg.name] = await seed(rig, reg, prefixFor(reg));
});

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Credentials passed as flags, for the auth modes. */
function creds(reg: RigRegistry): string[] {
  return reg.username ? ["-u", reg.username, "-p", reg.password!] : [];
}

for (const mode of ["open", "basic", "token", "tls"] as const) {
  describe(`read commands, ${mode} registry`, () => {
    const reg = () => rig.registries[mode];
    const ref = (r: string) => `${reg().host}/${r}`;
    const args = () => [...regFlags(reg()), ...creds(reg())];

    test("manifest bytes hash to the digest the registry serves, and digest agrees", async () => {
      const s = seeded[mode]!;
      const m = await ocidist(["manifest", ref(`${s.repos.multi}:v1`), ...args()]);
      assert.equal(m.code, 0, m.stderr);
      assert.equal(sha256(m.stdout), s.multi.index.digest);
      const d = await ocidist(["digest", ref(`${s.repos.multi}:v1`), ...args()]);
      assert.equal(d.out.trim(), s.multi.index.digest);
    });

    test("platform resolution skips the attestation entries listed first", async () => {
      const s = seeded[mode]!;
      for (const [platform, img] of [["linux/arm64", s.multi.images[1]!], ["linux/arm/v7", s.multi.images[2]!], ["linux/amd64", s.multi.images[0]!]] as const) {
        const d = await ocidist(["digest", ref(`${s.repos.multi}:v1`), "--platform", platform, ...args()]);
        assert.equal(d.code, 0, d.stderr);
        assert.equal(d.out.trim(), img.manifest.digest, platform);
      }
      const none = await ocidist(["digest", ref(`${s.repos.multi}:v1`), "--platform", "linux/s390x", ...args()]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no image for platform linux\/s390x.*linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7/);
    });

    test("tags, inspect --json, config, blob and referrers", async () => {
      const s = seeded[mode]!;
      const tags = await ocidist(["tags", ref(s.repos.simple), ...args()]);
      assert.equal(tags.code, 0, tags.stderr);
      assert.deepEqual(tags.out.trim().split("\n").sort(), [`sha256-${s.simple.manifest.digest.slice(7)}`, "v1"].sort());
      const ins = await ocidist(["inspect", "--json", ref(`${s.repos.multi}:v1`), "--platform", "linux/arm64", ...args()]);
      const doc = JSON.parse(ins.out) as { digest: string; platforms: { attestation: boolean }[]; image: { digest: string; platform: string; layers: unknown[] } };
      assert.equal(doc.digest, s.multi.index.digest);
      assert.equal(doc.platforms.filter((p) => p.attestation).length, 3);
      assert.equal(doc.image.digest, s.multi.images[1]!.manifest.digest);
      assert.equal(doc.image.platform, "linux/arm64/v8");
      const cfg = await ocidist(["config", ref(`${s.repos.simple}:v1`), ...args()]);
      assert.deepEqual(cfg.stdout, s.simple.config.bytes);
      const layer = s.simple.layers[0]!;
      const blob = await ocidist(["blob", ref(`${s.repos.simple}@${layer.digest}`), ...args()]);
      assert.equal(blob.code, 0, blob.stderr);
      assert.deepEqual(blob.stdout, layer.bytes);
      const refs = await ocidist(["referrers", "--json", ref(`${s.repos.simple}:v1`), ...args()]);
      const rdoc = JSON.parse(refs.out) as { source: string; referrers: { digest: string; artifactType: string }[] };
      assert.equal(rdoc.source, "tag");
      assert.deepEqual(rdoc.referrers.map((r) => [r.digest, r.artifactType]), [[s.artifact.referrer.manifest.digest, "application/spdx+json"]]);
      const filtered = await ocidist(["referrers", "--json", "--artifact-type", "application/x-none", ref(`${s.repos.simple}:v1`), ...args()]);
      assert.deepEqual((JSON.parse(filtered.out) as { referrers: unknown[] }).referrers, []);
    });

    test("schema1 signed: read, and its digest is that of the JWS payload", async () => {
      const s = seeded[mode]!;
      const d = await ocidist(["digest", ref(`${s.repos.schema1}:signed`), ...args()]);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.out.trim(), s.schema1!.signed.digest);
      const m = await ocidist(["manifest", ref(`${s.repos.schema1}@${s.schema1!.signed.digest}`), ...args()]);
      assert.equal(m.code, 0, m.stderr);
      assert.match(m.out, /"signatures"/);
    });
  });
}

describe("the first request to a registry is its own ping", () => {
  /** The request lines of `-v`: `METHOD URL → STATUS`. */
  const requests = (stderr: string) => stderr.split("\n").filter((l) => / → \d{3} /.test(l));
  const pings = (lines: string[]) => lines.filter((l) => /\/v2\/ → /.test(l));

  test("open registry: one request, no GET /v2/", async () => {
    const reg = rig.registries.open;
    const s = seeded.open!;
    const r = await ocidist(["-v", "manifest", `${reg.host}/${s.repos.multi}:v1`, ...regFlags(reg)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha256(r.stdout), s.multi.index.digest);
    const lines = requests(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /GET \S+\/manifests\/v1 → 200/);
  });

  test("bearer registry, anonymous: the manifest's 401 brings the challenge, then a token and the manifest", async () => {
    const reg = rig.registries.token;
    const s = seeded.token!;
    const r = await ocidist(["-v", "digest", `${reg.host}/${s.repos.multi}:v1`, ...regFlags(reg)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.trim(), s.multi.index.digest);
    const lines = requests(r.stderr);
    assert.deepEqual(pings(lines), [], r.stderr);
    assert.match(lines[0]!, /HEAD \S+\/manifests\/v1 → 401/);
    assert.match(lines.at(-1)!, /HEAD \S+\/manifests\/v1 → 200/);
  });

  test("credentials given on the command line are sent from the first request: the registry is pinged first", async () => {
    const reg = rig.registries.basic;
    const s = seeded.basic!;
    const r = await ocidist(["-v", "tags", `${reg.host}/${s.repos.simple}`, ...regFlags(reg), "-u", reg.username!, "-p", reg.password!]);
    assert.equal(r.code, 0, r.stderr);
    const lines = requests(r.stderr);
    // The ping (plain http first on loopback, then https for this TLS registry) comes first,
    // and the one tags request already carries the credentials: no 401 for it.
    const tagLines = lines.filter((l) => /\/tags\/list/.test(l));
    assert.equal(tagLines.length, 1, r.stderr);
    assert.match(tagLines[0]!, / → 200 /);
    assert.ok(pings(lines).some((l) => / → 401 /.test(l)), r.stderr);
    assert.ok(lines.indexOf(pings(lines)[0]!) < lines.indexOf(tagLines[0]!), r.stderr);
  });

  test("an answer that does not settle the registry (a missing tag) is asked again after a ping, and reads as before", async () => {
    const reg = rig.registries.open;
    const s = seeded.open!;
    const r = await ocidist(["-v", "manifest", `${reg.host}/${s.repos.multi}:no-such-tag`, ...regFlags(reg)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MANIFEST_UNKNOWN/);
    assert.equal(pings(requests(r.stderr)).length, 1, r.stderr);
  });
});

describe("credentials", () => {
  test("bearer registry: anonymous may read public/ only, and a private read fails with one clear line", async () => {
    const reg = rig.registries.token;
    const pub = await ocidist(["tags", `${reg.host}/public/read/simple`]);
    assert.equal(pub.code, 0, pub.stderr);
    const seededPrivate = await seed(rig, reg, "private/read", false);
    const priv = await ocidist(["tags", `${reg.host}/${seededPrivate.repos.simple}`]);
    assert.equal(priv.code, 1);
    assert.equal(priv.stderr.trim().split("\n").length, 1);
    assert.match(priv.stderr, /UNAUTHORIZED.*repository:private\/read\/simple:pull/);
    const wrong = await ocidist(["tags", `${reg.host}/${seededPrivate.repos.simple}`, "-u", "alice", "-p", "nope"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /credentials rejected/);
    assert.doesNotMatch(wrong.stderr, /nope/);
  });

  test("basic registry without credentials fails clearly", async () => {
    const reg = rig.registries.basic;
    const r = await ocidist(["tags", `${reg.host}/read/simple`, ...regFlags(reg)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /UNAUTHORIZED|authentication required/);
  });

  test("credentials from config.json (auths) and from a credential helper", async () => {
    for (const mode of ["basic", "token"] as const) {
      const reg = rig.registries[mode];
      const home = tempDir();
      mkdirSync(join(home, ".docker"));
      writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ auths: { [`https://${reg.host}/v2/`]: { auth: Buffer.from("alice:alice-secret").toString("base64") } } }));
      const viaConfig = await ocidist(["catalog", reg.host, ...regFlags(reg)], { home });
      assert.equal(viaConfig.code, 0, `${mode}: ${viaConfig.stderr}`);
      assert.match(viaConfig.out, /simple/);

      const helperHome = tempDir();
      const bin = join(helperHome, "bin");
      mkdirSync(bin);
      mkdirSync(join(helperHome, ".docker"));
      const helper = join(bin, "docker-credential-rigtest");
      writeFileSync(helper, `#!/bin/sh\nread url\nif [ "$1" = get ] && [ "$url" = "${reg.host}" ]; then printf '{"ServerURL":"%s","Username":"alice","Secret":"alice-secret"}' "$url"; exit 0; fi\necho "credentials not found in native keychain"; exit 1\n`);
      chmodSync(helper, 0o755);
      writeFileSync(join(helperHome, ".docker", "config.json"), JSON.stringify({ credHelpers: { [reg.host]: "rigtest" } }));
      const env = { PATH: `${bin}:${process.env.PATH}` };
      const viaHelper = await ocidist(["catalog", reg.host, ...regFlags(reg)], { home: helperHome, env });
      assert.equal(viaHelper.code, 0, `${mode}: ${viaHelper.stderr}`);
      assert.match(viaHelper.out, /simple/);
    }
  });

  test("a credential helper that cannot run fails closed", async () => {
    const reg = rig.registries.token;
    const home = tempDir();
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ credsStore: "missing-helper-xyz" }));
    const r = await ocidist(["tags", `${reg.host}/public/read/simple`], { home });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /docker-credential-missing-helper-xyz could not run/);
  });

  test("login verifies and stores (0600); logout removes; token prints a usable token", async () => {
    const reg = rig.registries.token;
    const home = tempDir();
    const bad = await ocidist(["login", reg.host, "-u", "alice", "--password-stdin"], { home, input: "wrong\n" });
    assert.equal(bad.code, 1);
    const ok = await ocidist(["login", reg.host, "-u", "alice", "--password-stdin"], { home, input: "alice-secret\n" });
    assert.equal(ok.code, 0, ok.stderr);
    const { statSync, readFileSync } = await import("node:fs");
    const file = join(home, ".docker", "config.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(JSON.parse(readFileSync(file, "utf8")).auths[reg.host].auth);
    const tok = await ocidist(["token", `${reg.host}/read/anything`, "--push"], { home });
    assert.equal(tok.code, 0, tok.stderr);
    const payload = JSON.parse(Buffer.from(tok.out.trim().split(".")[1]!, "base64url").toString()) as { access: { actions: string[] }[] };
    assert.deepEqual(payload.access[0]!.actions, ["pull", "push"]);
    const out = await ocidist(["logout", reg.host], { home });
    assert.equal(out.code, 0);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).auths[reg.host], undefined);

    // With a credsStore, the secret goes to the helper (named in the message), never the file.
    const bin = join(home, "bin");
    mkdirSync(bin);
    const kept = join(home, "helper-store.json");
    writeFileSync(join(bin, "docker-credential-filestore"), `#!/bin/sh\ncase "$1" in\n store) cat > "${kept}" ;;\n get) read url; [ -f "${kept}" ] && cat "${kept}" || { echo "credentials not found in native keychain"; exit 1; } ;;\n erase) rm -f "${kept}" ;;\nesac\n`);
    chmodSync(join(bin, "docker-credential-filestore"), 0o755);
    writeFileSync(file, JSON.stringify({ credsStore: "filestore" }));
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const viaHelper = await ocidist(["login", reg.host, "-u", "alice", "--password-stdin"], { home, env, input: "alice-secret\n" });
    assert.equal(viaHelper.code, 0, viaHelper.stderr);
    assert.match(viaHelper.stderr, /stored in docker-credential-filestore/);
    assert.deepEqual(JSON.parse(readFileSync(kept, "utf8")), { ServerURL: reg.host, Username: "alice", Secret: "alice-secret" });
    assert.doesNotMatch(readFileSync(file, "utf8"), /alice-secret|YWxpY2U6/, "no secret in config.json");
    const tags = await ocidist(["token", `${reg.host}/read/anything`, "--push"], { home, env });
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal((await ocidist(["logout", reg.host], { home, env })).code, 0);
    assert.ok(!existsSync(kept), "logout erased through the helper");
  });
});

describe("ratelimit", () => {
  test("a registry that sends no limit headers is reported unlimited, from a HEAD", async () => {
    const reg = rig.registries.open;
    const r = await ocidist(["ratelimit", `${reg.host}/read/simple:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.out), { registry: reg.host, limited: false });
  });
});

describe("errors", () => {
  test("usage errors exit 2, registry errors exit 1 with the registry's code, nothing on stdout", async () => {
    const reg = rig.registries.open;
    const cases: [string[], number, RegExp][] = [
      [["manifest", "Bad/Ref"], 2, /must be lowercase/],
      [["manifest", "--nope", "x"], 2, /unknown option/],
      [["tags", `${reg.host}/read/simple:v1`], 2, /names a tag/],
      [["digest", `${reg.host}/read/simple:v1`, "--platform", "linux"], 2, /invalid platform/],
      [["manifest", `${reg.host}/read/simple:missing`], 1, /MANIFEST_UNKNOWN/],
      [["blob", `${reg.host}/read/simple@sha256:${"0".repeat(64)}`], 1, /BLOB_UNKNOWN/],
      [["tags", `${reg.host}/read/none`], 1, /NAME_UNKNOWN/],
    ];
    for (const [args, code, re] of cases) {
      const r = await ocidist(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(r.out, "");
    }
  });
});

describe("command line", () => {
  test("--help lists every command of CLI.md; each command's help loads alone; --version prints the version", async () => {
    const help = await ocidist(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    const listed = [...help.out.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    const contract = ["tags", "catalog", "manifest", "digest", "inspect", "config", "blob", "referrers", "pull", "copy", "push", "tag", "delete", "export", "files", "token", "login", "logout", "hub", "ratelimit", "script", "verify"];
    for (const c of contract) assert.ok(listed.includes(c), `--help lists ${c}`);
    for (const c of contract) {
      const one = await ocidist([c, "--help"]);
      assert.equal(one.code, 0, `${c} --help: ${one.stderr}`);
      assert.match(one.out, new RegExp(`^Usage: ocidist ${c} `, "m"));
    }
    const sub = await ocidist(["hub", "tags", "--help"]);
    assert.match(sub.out, /^Usage: ocidist hub tags /m);
    const version = await ocidist(["--version"]);
    assert.match(version.out, /^\d+\.\d+\.\d+\n$/);
    const unknown = await ocidist(["pul", "x"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'pul'/);
  });
});
