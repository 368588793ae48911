/**
 * `ocidist serve` with `--htpasswd` (bcrypt entries made by `htpasswd -Bbn`), TLS
 * (`--tls-cert`/`--tls-key`) and `-v`: the challenge compared with docker-registry's Basic
 * mode, real clients with credentials, the access log, and bad options as one-line errors.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { makeCerts, type RigCerts } from "../rig/certs.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { tool } from "../helpers/tools.js";
import { curl, errorCode, startServe, type ServeProcess } from "../helpers/serve.js";

const run = promisify(execFile);

let rig: RigInfo;
let s: Seeded;
let certs: RigCerts;
let htpasswd: string;
let served: ServeProcess;

before(async () => {
  rig = await getRig();
  s = await seed(rig, rig.registries.open, "serveauth", false);
  const dir = tempDir("ocidist-certs-");
  certs = makeCerts(dir);
  htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, ["alice:secret", "bob:other"].map((up) => execFileSync("htpasswd", ["-Bbn", ...up.split(":")]).toString().trim()).join("\n") + "\n");
  served = await startServe(tempDir("ocidist-serve-"), ["--htpasswd", htpasswd, "--tls-cert", certs.serverCert, "--tls-key", certs.serverKey, "-v"]);
});

after(async () => {
  await served.stop();
});

test("Basic challenge over TLS, as docker-registry's htpasswd mode answers", async () => {
  assert.match(served.url, /^https:\/\//);
  const basic = rig.registries.basic;
  const ours = await curl(`${served.url}/v2/`, ["--cacert", certs.caCert]);
  const theirs = await curl(`${basic.url}/v2/`, ["--cacert", basic.caFile!]);
  assert.equal(ours.status, 401);
  assert.equal(ours.status, theirs.status);
  assert.equal(errorCode(ours), errorCode(theirs));
  assert.match(ours.headers["www-authenticate"]!, /^Basic realm="ocidist"$/);
  assert.match(theirs.headers["www-authenticate"]!, /^Basic realm=/);
  const wrong = await curl(`${served.url}/v2/`, ["--cacert", certs.caCert, "-u", "alice:nope"]);
  const wrongTheirs = await curl(`${basic.url}/v2/`, ["--cacert", basic.caFile!, "-u", `${basic.username}:nope`]);
  assert.equal(wrong.status, wrongTheirs.status);
  assert.equal((await curl(`${served.url}/v2/`, ["--cacert", certs.caCert, "-u", "alice:secret"])).status, 200);
  assert.equal((await curl(`${served.url}/v2/_catalog`, ["--cacert", certs.caCert, "-u", "bob:other"])).status, 200);
  assert.equal((await curl(`${served.url}/v2/_catalog`, ["--cacert", certs.caCert, "-u", "carol:secret"])).status, 401);
  // Every request, refused or not, has its access-log line.
  assert.match(served.stderr(), /- "GET \/v2\/ HTTP\/1\.1" 401 /);
  assert.match(served.stderr(), /alice "GET \/v2\/ HTTP\/1\.1" 200 /);
});

test("ocidist and skopeo push and pull with credentials", async (t) => {
  const creds = ["-u", "alice", "-p", "secret", "--ca-file", certs.caCert];
  const c = await ocidist(["copy", `${rig.registries.open.host}/${s.repos.multi}:v1`, `${served.host}/auth/multi:v1`, ...creds]);
  assert.equal(c.code, 0, c.stderr);
  const anon = await ocidist(["tags", `${served.host}/auth/multi`, "--anonymous", "--ca-file", certs.caCert]);
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /UNAUTHORIZED|\b401\b/);
  const tags = await ocidist(["tags", `${served.host}/auth/multi`, ...creds]);
  assert.equal(tags.out.trim(), "v1");
  if (!tool(t, "skopeo")) return;
  const certDir = tempDir("ocidist-certdir-");
  writeFileSync(join(certDir, "ca.crt"), execFileSync("cat", [certs.caCert]));
  const { stdout } = await run("skopeo", ["inspect", "--raw", "--creds", "bob:other", "--cert-dir", certDir, `docker://${served.host}/auth/multi:v1`]);
  assert.equal((JSON.parse(stdout) as { manifests: unknown[] }).manifests.length, s.multi.all.length);
  const out = join(tempDir(), "layout");
  await run("skopeo", ["copy", "--all", "--src-creds", "bob:other", "--src-cert-dir", certDir, `docker://${served.host}/auth/multi:v1`, `oci:${out}:v1`]);
  assert.equal((await ocidist(["verify", `oci:${out}:v1`])).code, 0);
});

test("bad options are one-line errors", async () => {
  const dir = tempDir("ocidist-serve-");
  const md5 = join(tempDir(), "htpasswd");
  writeFileSync(md5, execFileSync("htpasswd", ["-mbn", "alice", "secret"]));
  let r = await ocidist(["serve", dir, "--htpasswd", md5, "--address", "127.0.0.1:0"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not a bcrypt entry/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  r = await ocidist(["serve", dir, "--address", "nonsense"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid --address/);
  r = await ocidist(["serve", dir, "--tls-cert", certs.serverCert, "--address", "127.0.0.1:0"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  r = await ocidist(["serve", dir, "--address", served.host]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot listen on .*EADDRINUSE/);
});
