/**
 * The generated sh script never destroys what is at OUTPUT: it refuses an existing file or
 * directory unless run with --force, an archive never replaces a directory, the output is
 * built beside OUTPUT and renamed at the end, and a failure leaves OUTPUT and its directory
 * exactly as they were. Values a hostile registry controls cannot inject shell.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { serveImage } from "../hostile/image.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let reg: HostileRegistry;
before(async () => {
  reg = await startHostile();
  await serveImage(reg, "app", "v1");
});
after(() => reg.close());

/** Generates the script for `ref` into a fresh directory; returns its path and that directory. */
async function script(ref: string, format = "docker-archive"): Promise<{ dir: string; sh: string }> {
  const dir = tempDir();
  const gen = await ocidist(["script", `${reg.host}/${ref}`, "--format", format]);
  assert.equal(gen.code, 0, gen.stderr);
  const sh = join(dir, "pull.sh");
  writeFileSync(sh, gen.stdout);
  return { dir, sh };
}

/** Runs the script with system tools only; asynchronously, since the registry it calls lives in this process. */
function run(sh: string, ...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", [sh, ...args], { env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** A directory holding a victim file, as a user's work would be. */
function victimDir(parent: string): string {
  const d = join(parent, "work");
  mkdirSync(d);
  writeFileSync(join(d, "thesis.txt"), "years of work");
  return d;
}

describe("script output", () => {
  for (const format of ["oci", "docker-archive", "oci-archive"]) {
    test(`${format}: an existing directory is refused and left untouched`, async () => {
      const { dir, sh } = await script("app:v1", format);
      const out = victimDir(dir);
      const r = await run(sh, out);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /already exists \(run with --force/);
      assert.deepEqual(readdirSync(out), ["thesis.txt"]);
      assert.deepEqual(readdirSync(dir).sort(), ["pull.sh", "work"], "no temporary left beside it");
      if (format !== "oci") {
        const forced = await run(sh, "--force", out);
        assert.notEqual(forced.status, 0);
        assert.match(forced.stderr, /is a directory; the archive would be a file/);
        assert.deepEqual(readdirSync(out), ["thesis.txt"]);
      }
    });
  }

  test("an existing file is refused; with --force it is replaced atomically, leaving nothing else", async () => {
    const { dir, sh } = await script("app:v1");
    const out = join(dir, "img.tar");
    writeFileSync(out, "old");
    const r = await run(sh, out);
    assert.notEqual(r.status, 0);
    assert.equal(readFileSync(out, "utf8"), "old");
    const f = await run(sh, "--force", out);
    assert.equal(f.status, 0, f.stderr);
    assert.ok(statSync(out).size > 1000);
    assert.deepEqual(readdirSync(dir).sort(), ["img.tar", "pull.sh"]);
    assert.equal((await ocidist(["verify", out])).code, 0);
  });

  test("oci --force replaces a layout directory; a failed run keeps the old one", async () => {
    const { dir, sh } = await script("app:v1", "oci");
    const out = victimDir(dir);
    const f = await run(sh, "--force", out);
    assert.equal(f.status, 0, f.stderr);
    assert.ok(existsSync(join(out, "index.json")));
    assert.ok(!existsSync(join(out, "thesis.txt")));
    assert.deepEqual(readdirSync(dir).sort(), ["pull.sh", "work"]);
    // Now the registry goes away: the run fails and the layout it would replace stays.
    writeFileSync(join(out, "marker"), "kept");
    const broken = readFileSync(sh, "utf8").replace(/^BASE=.*$/m, "BASE='http://127.0.0.1:9'");
    writeFileSync(sh, broken);
    const failed = await run(sh, "--force", out);
    assert.notEqual(failed.status, 0);
    assert.equal(readFileSync(join(out, "marker"), "utf8"), "kept");
    assert.deepEqual(readdirSync(dir).sort(), ["pull.sh", "work"]);
  });

  test("a symlink at OUTPUT is replaced itself, never written through", async () => {
    const { dir, sh } = await script("app:v1");
    const target = victimDir(dir);
    const { symlinkSync, lstatSync } = await import("node:fs");
    const out = join(dir, "link.tar");
    symlinkSync(target, out);
    assert.notEqual((await run(sh, out)).status, 0);
    const f = await run(sh, "--force", out);
    assert.equal(f.status, 0, f.stderr);
    assert.ok(lstatSync(out).isFile());
    assert.deepEqual(readdirSync(target), ["thesis.txt"]);
  });
});

describe("script: hostile values", () => {
  /** A registry that wants a token from `realm`, and serves the image with that token. */
  async function tokenRegistry(realm: (host: string) => string): Promise<HostileRegistry> {
    const t = await startHostile();
    await serveImage(t, "app", "v1");
    const challenge = () => `Bearer realm="${realm(t.host)}",service="svc"`;
    t.override("GET", /^\/token/, (_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token: "abc.def" }));
    });
    t.override("*", /^\/v2\//, (req, res) => {
      if (req.headers.authorization === "Bearer abc.def") return false;
      res.writeHead(401, { "www-authenticate": challenge() });
      res.end();
    });
    return t;
  }

  test("a token realm with shell metacharacters stays one quoted word", async () => {
    const dir = tempDir();
    const pwned = join(dir, "PWNED");
    const t = await tokenRegistry((host) => `http://${host}/token?x=';touch ${pwned};'$(touch ${pwned})\`touch ${pwned}\``);
    try {
      const gen = await ocidist(["script", `${t.host}/app:v1`]);
      assert.equal(gen.code, 0, gen.stderr);
      writeFileSync(join(dir, "pull.sh"), gen.stdout);
      const r = await run(join(dir, "pull.sh"), join(dir, "img.tar"));
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!existsSync(pwned), "nothing from the realm ran");
      assert.ok(statSync(join(dir, "img.tar")).size > 1000);
    } finally {
      await t.close();
    }
  });

  test("a realm with control characters or a non-http scheme is refused, no script printed", async () => {
    for (const realm of [(h: string) => `http://${h}/token\u009b2J`, () => "file:///etc/passwd"]) {
      const t = await tokenRegistry(realm);
      try {
        const gen = await ocidist(["script", `${t.host}/app:v1`]);
        assert.equal(gen.code, 1, gen.stderr);
        assert.equal(gen.out, "");
      } finally {
        await t.close();
      }
    }
  });
});
