/**
 * `--cross-check VIA` (3TOFU by the tool) and `--proxy socks5://`: a tag is resolved through
 * the registry's own path and through each VIA — the tests' own CONNECT (plain and TLS) and SOCKS5 proxies,
 * one faithful and one that tunnels to an impostor, and a mirror registry — and the command
 * goes on only when every path names the same digest, pinned for every read after it.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { Image } from "../rig/build.js";
import type { RigInfo, RigRegistry } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { startConnectProxy, startSocks5Proxy, type TunnelProxy } from "../helpers/tunnels.js";
import { startRewritingProxy, type RewritingProxy } from "../interop/proxy.js";
import { crossCheckDigest, CrossCheckError, parseReference, RegistryClient } from "../../src/index.js";

let rig: RigInfo;
let open: RigRegistry;
let mirror: RigRegistry;
let a: Image;
let b: Image;
/** Serves `xcheck/app:v1` as image B: an impostor registry in front of the real one. */
let impostor: RewritingProxy;
/** Answers HEAD for `xcheck/app:v1` truthfully but GET with image B. */
let twoFaced: RewritingProxy;
let faithfulHttp: TunnelProxy;
let faithfulSocks: TunnelProxy;
let swapping: TunnelProxy;
/** CONNECT proxies the client reaches over TLS (`https://`): one faithful, one swapping. */
let faithfulTls: TunnelProxy;
let swappingTls: TunnelProxy;
const proxies: { close(): Promise<void> }[] = [];

const portOf = (host: string) => Number(host.split(":")[1]);

before(async () => {
  rig = await getRig();
  open = rig.registries.open;
  mirror = rig.registries.tls;
  a = await simpleImage("xcheck-a");
  b = await simpleImage("xcheck-b");
  await pushImage(rig, open, "xcheck/app", a, ["v1"]);
  await pushImage(rig, open, "xcheck/app", b, ["evil"]);
  await pushImage(rig, mirror, "xcheck/app", a, ["v1"]);
  await pushImage(rig, open, "xcheck/moved", a, ["v1"]);
  await pushImage(rig, mirror, "xcheck/moved", b, ["v1"]);
  await pushImage(rig, open, "xcheck/del", a, ["v1", "v2"]);
  impostor = await startRewritingProxy(open.url);
  impostor.intercept((req) => void (req.url = req.url.replace("/xcheck/app/manifests/v1", "/xcheck/app/manifests/evil")));
  twoFaced = await startRewritingProxy(open.url);
  twoFaced.intercept((req) => void (req.method === "GET" && (req.url = req.url.replace("/xcheck/app/manifests/v1", "/xcheck/app/manifests/evil"))));
  faithfulHttp = await startConnectProxy();
  faithfulSocks = await startSocks5Proxy();
  // Every tunnel to the real registry ends at the impostor instead.
  swapping = await startConnectProxy((host, port) => (port === portOf(open.host) ? { host: "127.0.0.1", port: portOf(impostor.host) } : { host, port }));
  // The rig's server certificate (127.0.0.1, under its CA) serves the proxies' own TLS.
  const tls = { cert: readFileSync(join(dirname(rig.caFile), "server.pem")), key: readFileSync(join(dirname(rig.caFile), "server.key")) };
  faithfulTls = await startConnectProxy(undefined, tls);
  swappingTls = await startConnectProxy((host, port) => (port === portOf(open.host) ? { host: "127.0.0.1", port: portOf(impostor.host) } : { host, port }), tls);
  proxies.push(impostor, twoFaced, faithfulHttp, faithfulSocks, swapping, faithfulTls, swappingTls);
});

after(async () => {
  for (const p of proxies) await p.close();
});

const ca = () => ["--ca-file", mirror.caFile!];

describe("--cross-check", () => {
  test("every path agrees: the pull goes on, and each path's answer is on stderr", async () => {
    const out = join(tempDir(), "app.tar");
    const r = await ocidist(["pull", `${open.host}/xcheck/app:v1`, "-o", out, ...ca(), "--cross-check", faithfulHttp.url, "--cross-check", faithfulSocks.url, "--cross-check", `mirror:${mirror.host}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    const digest = a.manifest.digest;
    assert.match(r.stderr, new RegExp(`direct: ${digest}`));
    assert.match(r.stderr, new RegExp(`via ${faithfulHttp.url}/?: ${digest}`));
    assert.match(r.stderr, new RegExp(`via ${faithfulSocks.url}/?: ${digest}`));
    assert.match(r.stderr, new RegExp(`mirror ${mirror.host}: ${digest}`));
    assert.match(r.stderr, new RegExp(`4 paths agree on ${digest}`));
    // The requests really went through the proxies.
    assert.ok(faithfulHttp.seen.includes(open.host), faithfulHttp.seen.join(" "));
    assert.ok(faithfulSocks.seen.includes(open.host), faithfulSocks.seen.join(" "));
  });

  test("a proxy that swaps the manifest: exit 1, both digests named, nothing written", async () => {
    const out = join(tempDir(), "app.tar");
    const r = await ocidist(["pull", `${open.host}/xcheck/app:v1`, "-o", out, "--cross-check", faithfulHttp.url, "--cross-check", swapping.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the paths disagree/);
    assert.ok(r.stderr.includes(a.manifest.digest) && r.stderr.includes(b.manifest.digest), r.stderr);
    assert.ok(!existsSync(out), "nothing at the output path");
  });

  test("a mirror that holds another image under the tag: copy refuses, the layout is not made", async () => {
    const dir = join(tempDir(), "layout");
    const r = await ocidist(["copy", `${open.host}/xcheck/moved:v1`, `oci:${dir}:v1`, ...ca(), "--cross-check", `mirror:${mirror.host}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`mirror ${mirror.host} says ${b.manifest.digest}`));
    assert.ok(!existsSync(dir));
  });

  test("https:// proxies: the faithful one agrees and the pull goes on; the swapping one is refused, nothing written", async () => {
    const out = join(tempDir(), "tls.tar");
    const ok = await ocidist(["pull", `${open.host}/xcheck/app:v1`, "-o", out, ...ca(), "--cross-check", faithfulTls.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(faithfulTls.seen.includes(open.host), "the tag was resolved through the TLS proxy");
    assert.ok(ok.stderr.includes(`via ${faithfulTls.url}`) && ok.stderr.includes(a.manifest.digest), ok.stderr);
    const bad = join(tempDir(), "swapped.tar");
    const r = await ocidist(["pull", `${open.host}/xcheck/app:v1`, "-o", bad, ...ca(), "--cross-check", swappingTls.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(a.manifest.digest) && r.stderr.includes(b.manifest.digest), r.stderr);
    assert.equal(existsSync(bad), false);
  });

  test("tag refuses on disagreement and adds no tag", async () => {
    const r = await ocidist(["tag", `${open.host}/xcheck/app:v1`, "swapped", "--cross-check", swapping.url]);
    assert.equal(r.code, 1, r.stderr);
    const tags = await ocidist(["tags", `${open.host}/xcheck/app`]);
    assert.ok(!tags.out.split("\n").includes("swapped"), tags.out);
  });

  test("delete of a pinned tag stays a tag delete: other tags of the manifest are not taken with it", async () => {
    const r = await ocidist(["delete", `${open.host}/xcheck/del:v1`, "--cross-check", faithfulHttp.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /also tagged v2/);
    const tags = await ocidist(["tags", `${open.host}/xcheck/del`]);
    assert.deepEqual(tags.out.trim().split("\n").sort(), ["v1", "v2"]);
    const moved = await ocidist(["delete", `${open.host}/xcheck/del:v1@${b.manifest.digest}`, "--force"]);
    assert.equal(moved.code, 1, moved.stderr);
    assert.match(moved.stderr, /names sha256:[0-9a-f]{64} now, not sha256:.*nothing deleted/);
  });

  test("sync cross-checks each source tag: the agreeing one is copied, the one a mirror contradicts fails alone", async () => {
    const dir = tempDir();
    const file = join(dir, "mirror.yaml");
    writeFileSync(file, `images:\n  - {from: ${open.host}/xcheck/app, to: "dir:${dir}/out/app", tags: [v1]}\n  - {from: ${open.host}/xcheck/moved, to: "dir:${dir}/out/moved", tags: [v1]}\n`);
    const r = await ocidist(["sync", file, ...ca(), "--cross-check", `mirror:${mirror.host}`, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`xcheck/moved:v1 failed: the paths disagree`));
    assert.ok(existsSync(join(dir, "out/app/index.json")), "the agreeing tag was mirrored");
    assert.ok(!existsSync(join(dir, "out/moved/index.json")), "the contradicted one was not");
  });

  test("the agreed digest is pinned: a registry that answers HEAD with one manifest and GET with another is read by digest", async () => {
    const plain = await ocidist(["manifest", `${twoFaced.host}/xcheck/app:v1`]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.toString(), b.manifest.bytes.toString(), "without the check, the tag's GET is what is read");
    const checked = await ocidist(["manifest", `${twoFaced.host}/xcheck/app:v1`, "--cross-check", `mirror:${open.host}`]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.ok(checked.stdout.equals(a.manifest.bytes), "the bytes of the digest both paths named");
  });

  test("a path that cannot answer fails the check", async () => {
    const r = await ocidist(["digest", `${open.host}/xcheck/app:v1`, "--cross-check", "http://127.0.0.1:1", "--retries", "0"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /via http:\/\/127\.0\.0\.1:1\/?: no answer/);
    assert.match(r.stderr, /gave no digest/);
    assert.equal(r.out, "");
  });

  test("a reference by digest needs no second path", async () => {
    const r = await ocidist(["digest", `${open.host}/xcheck/app@${a.manifest.digest}`, "--cross-check", swapping.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.trim(), a.manifest.digest);
    assert.match(r.stderr, /names its digest/);
  });

  test("bad values and local locations are usage errors", async () => {
    for (const v of ["ftp://x", "nonsense", "mirror:bad host"]) {
      const r = await ocidist(["digest", `${open.host}/xcheck/app:v1`, "--cross-check", v]);
      assert.equal(r.code, 2, `${v}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const local = await ocidist(["digest", `oci:${tempDir()}:v1`, "--cross-check", faithfulHttp.url]);
    assert.equal(local.code, 2, local.stderr);
    assert.match(local.stderr, /registry tag/);
  });
});

describe("the library's crossCheckDigest", () => {
  test("one digest from agreeing paths; a CrossCheckError with every answer otherwise", async () => {
    const client = new RegistryClient({ caFiles: [mirror.caFile!] });
    try {
      const same = await crossCheckDigest([
        { label: "open", client, ref: parseReference(`${open.host}/xcheck/app:v1`) },
        { label: "mirror", client, ref: parseReference(`${mirror.host}/xcheck/app:v1`) },
      ]);
      assert.equal(same.digest, a.manifest.digest);
      await assert.rejects(
        crossCheckDigest([
          { label: "open", client, ref: parseReference(`${open.host}/xcheck/moved:v1`) },
          { label: "mirror", client, ref: parseReference(`${mirror.host}/xcheck/moved:v1`) },
        ]),
        (err: unknown) => err instanceof CrossCheckError && err.code === "CROSS_CHECK_FAILED" && err.answers.map((x) => x.digest).join() === `${a.manifest.digest},${b.manifest.digest}`,
      );
    } finally {
      await client.close();
    }
  });
});

describe("--proxy socks5:// and the proxy environment", () => {
  test("every request of a command goes through a SOCKS5 proxy, without undici's experimental warning", async () => {
    const before = faithfulSocks.seen.length;
    const r = await ocidist(["manifest", `${open.host}/xcheck/app:v1`, "--proxy", faithfulSocks.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.equals(a.manifest.bytes));
    assert.ok(faithfulSocks.seen.slice(before).includes(open.host));
    assert.doesNotMatch(r.stderr, /Warning/);
  });

  test("pull and copy go through the SOCKS5 proxy too, and what they write is complete", async () => {
    const before = faithfulSocks.seen.length;
    const tar = join(tempDir(), "socks.tar");
    const pull = await ocidist(["pull", `${open.host}/xcheck/app:v1`, "-o", tar, "--proxy", faithfulSocks.url]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal((await ocidist(["verify", tar])).code, 0);
    const layout = join(tempDir(), "socks-layout");
    const copy = await ocidist(["copy", `${open.host}/xcheck/app:v1`, `oci:${layout}:v1`, "--proxy", faithfulSocks.url]);
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal((await ocidist(["verify", `oci:${layout}:v1`])).code, 0);
    assert.ok(faithfulSocks.seen.slice(before).filter((h) => h === open.host).length >= 2, faithfulSocks.seen.join(" "));
  });

  test("ALL_PROXY is honoured, and NO_PROXY exempts a host", async () => {
    const before = faithfulSocks.seen.length;
    const r = await ocidist(["digest", `${open.host}/xcheck/app:v1`], { env: { ALL_PROXY: faithfulSocks.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(faithfulSocks.seen.length > before, "went through ALL_PROXY");
    const seen = faithfulSocks.seen.length;
    const exempt = await ocidist(["digest", `${open.host}/xcheck/app:v1`], { env: { ALL_PROXY: faithfulSocks.url, NO_PROXY: "127.0.0.1" } });
    assert.equal(exempt.code, 0, exempt.stderr);
    assert.equal(faithfulSocks.seen.length, seen, "NO_PROXY went direct");
  });

  test("a proxy variable that is not a proxy URL is a usage error, named", async () => {
    // The TLS registry: a loopback plain-HTTP registry is reached over http, where HTTPS_PROXY does not apply.
    const r = await ocidist(["digest", `${mirror.host}/xcheck/app:v1`, ...ca()], { env: { HTTPS_PROXY: "notaurl" } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /HTTPS_PROXY/);
    const plain = await ocidist(["digest", `${open.host}/xcheck/app:v1`], { env: { HTTP_PROXY: "notaurl" } });
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /HTTP_PROXY/);
    const flag = await ocidist(["digest", `${open.host}/xcheck/app:v1`, "--proxy", "ftp://127.0.0.1:21"]);
    assert.equal(flag.code, 2, flag.stderr);
  });
});
