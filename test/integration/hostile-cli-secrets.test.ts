/**
 * Secrets go only where they were meant to go: Docker Hub credentials stored in config.json
 * never reach a `--hub-url` / `OCIDIST_HUB_URL` mirror (only credentials given for the call
 * do, and never over plain http to another machine); a registry's stored credentials never
 * follow a redirect to another host. Each check records what the receiving server saw.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startFakeHub, type FakeHub } from "../fakes/hub-server.js";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { serveImage } from "../hostile/image.js";
import { ocidist, tempDir } from "../helpers/cli.js";

/** A HOME whose docker config holds `auths` for the given registries (user alice, password alice-secret). */
function homeWithStored(...keys: string[]): string {
  const home = tempDir("ocidist-home-");
  mkdirSync(join(home, ".docker"));
  const auth = Buffer.from("alice:alice-secret").toString("base64");
  writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ auths: Object.fromEntries(keys.map((k) => [k, { auth }])) }));
  return home;
}

const leaked = (hub: FakeHub) => hub.requests.filter((r) => r.authorization || r.path === "/v2/auth/token" || r.path === "/v2/users/login");

describe("Docker Hub credentials", () => {
  let hub: FakeHub;
  before(async () => {
    hub = await startFakeHub();
  });
  after(() => hub.close());

  test("stored Docker Hub credentials are not sent to a --hub-url or OCIDIST_HUB_URL mirror", async () => {
    const home = homeWithStored("https://index.docker.io/v1/");
    hub.requests.length = 0;
    const viaFlag = await ocidist(["hub", "repos", "alice", "--hub-url", hub.url], { home });
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.doesNotMatch(viaFlag.out, /secret-app/, "anonymous: the private repository stays hidden");
    const viaEnv = await ocidist(["hub", "repos", "alice"], { home, env: { OCIDIST_HUB_URL: hub.url } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.ok(hub.requests.length >= 2);
    assert.deepEqual(leaked(hub), [], "the mirror received no password, token request or Authorization");
  });

  test("credentials given for the call go to the mirror named with them", async () => {
    hub.requests.length = 0;
    const r = await ocidist(["hub", "repos", "alice", "--hub-url", hub.url, "-u", "alice", "--password-stdin"], { input: "alice-secret\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.out, /secret-app/);
    assert.equal(hub.requests.filter((q) => q.path === "/v2/auth/token").length, 1);
  });

  test("credentials are refused over plain http to another machine, before any request", async () => {
    const r = await ocidist(["hub", "repos", "alice", "--hub-url", "http://hub.example.invalid", "-u", "alice", "-p", "alice-secret"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ocidist: refusing to send credentials to http:\/\/hub\.example\.invalid over plain http/);
    const half = await ocidist(["hub", "repos", "alice", "--hub-url", hub.url, "-u", "alice"]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--username needs --password/);
  });
});

describe("registry credentials", () => {
  let a: HostileRegistry;
  let b: HostileRegistry;
  before(async () => {
    a = await startHostile();
    b = await startHostile();
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test("stored Basic credentials of one registry do not follow a redirect to another host", async () => {
    const img = await serveImage(b, "app", "v1");
    const basic = `Basic ${Buffer.from("alice:alice-secret").toString("base64")}`;
    a.override("*", /^\/v2\//, (req, res, url) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="a"', "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }));
        return;
      }
      if (url.pathname === "/v2/" || url.pathname === "/v2") return false;
      res.writeHead(307, { location: `http://${b.host}${url.pathname}` });
      res.end();
    });
    const home = homeWithStored(a.host);
    const r = await ocidist(["digest", `${a.host}/app:v1`], { home });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.trim(), img.manifest.digest);
    assert.ok(a.requests.some((q) => q.headers.authorization === basic), "the registry the credentials are stored for got them");
    assert.ok(b.requests.length > 0);
    assert.deepEqual(b.requests.filter((q) => q.headers.authorization), [], "the other host got no Authorization");
  });
});
