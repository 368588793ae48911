/**
 * `ocidist serve` against hostile clients and hostile directories: manifests checked as the
 * client checks them (CVE-2021-41190, media type against content, size cap), names and
 * digests that would climb out of DIR, symlinks planted in a layout, a wrong digest storing
 * nothing; the referrers API with its `artifactType` filter; read-only mode.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { serve, type RunningServer } from "../../src/index.js";
import { blob, desc, sha } from "../rig/build.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { curl, errorCode } from "../helpers/serve.js";

let dir: string;
let server: RunningServer;
let base: string;

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const config = blob("application/vnd.oci.image.config.v1+json", Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'));
const empty = blob("application/vnd.oci.empty.v1+json", Buffer.from("{}"));

before(async () => {
  dir = tempDir("ocidist-serve-");
  server = await serve(dir, { address: "127.0.0.1:0" });
  base = server.url;
});

after(async () => {
  await server.close();
});

function file(bytes: Buffer | string): string {
  const p = join(tempDir("ocidist-body-"), "b");
  writeFileSync(p, bytes);
  return p;
}

async function pushBlob(repo: string, b: { digest: string; bytes: Buffer }): Promise<void> {
  const a = await curl(`${base}/v2/${repo}/blobs/uploads/?digest=${b.digest}`, ["-X", "POST", "--data-binary", `@${file(b.bytes)}`]);
  assert.equal(a.status, 201, a.text);
}

function putManifest(repo: string, ref: string, body: Buffer | string, type = OCI_MANIFEST) {
  return curl(`${base}/v2/${repo}/manifests/${ref}`, ["-X", "PUT", "-H", `Content-Type: ${type}`, "--data-binary", `@${file(body)}`]);
}

test("manifests are checked as the client checks them", async () => {
  await pushBlob("chk/img", config);
  const good = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(config), layers: [] });
  assert.equal((await putManifest("chk/img", "good", good)).status, 201);
  // CVE-2021-41190: a document that is both an index and a manifest.
  const both = JSON.stringify({ schemaVersion: 2, config: desc(config), layers: [], manifests: [] });
  let a = await putManifest("chk/img", "both", both);
  assert.deepEqual([a.status, errorCode(a)], [400, "MANIFEST_INVALID"]);
  // Served as an index, written as a manifest.
  a = await putManifest("chk/img", "liar", good, OCI_INDEX);
  assert.deepEqual([a.status, errorCode(a)], [400, "MANIFEST_INVALID"]);
  // A descriptor whose size disagrees with the blob.
  a = await putManifest("chk/img", "size", JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...desc(config), size: config.size + 1 }, layers: [] }));
  assert.deepEqual([a.status, errorCode(a)], [400, "SIZE_INVALID"]);
  // An index whose child manifest is not there.
  a = await putManifest("chk/img", "idx", JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sha("absent"), size: 6 }] }), OCI_INDEX);
  assert.deepEqual([a.status, errorCode(a)], [400, "MANIFEST_BLOB_UNKNOWN"]);
  // Over the 4 MiB cap.
  a = await putManifest("chk/img", "huge", JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(config), layers: [], annotations: { x: "y".repeat(4 * 1024 * 1024) } }));
  assert.deepEqual([a.status, errorCode(a)], [413, "SIZE_INVALID"]);
  const tags = await curl(`${base}/v2/chk/img/tags/list`);
  assert.deepEqual(JSON.parse(tags.text), { name: "chk/img", tags: ["good"] });
  assert.equal((await ocidist(["verify", `oci:${join(dir, "chk/img")}`])).code, 0);
});

test("names and digests cannot leave DIR; symlinks in a layout are not followed", async () => {
  for (const path of ["/v2/../../etc/tags/list", "/v2/a/%2e%2e/b/tags/list", "/v2/UPPER/tags/list", "/v2/a/.hidden/tags/list", "/v2/a//b/tags/list"]) {
    const a = await curl(`${base}${path}`, ["--path-as-is"]);
    assert.deepEqual([a.status, errorCode(a)], [400, "NAME_INVALID"], path);
  }
  for (const d of ["sha256:..%2f..%2fetc", "sha256:" + "A".repeat(64), "md5:d41d8cd98f00b204e9800998ecf8427e"]) {
    const a = await curl(`${base}/v2/chk/img/blobs/${d}`, ["--path-as-is"]);
    assert.deepEqual([a.status, errorCode(a)], [400, "DIGEST_INVALID"], d);
  }
  // A layout whose blob directory is a link to a directory outside DIR.
  const outside = tempDir("ocidist-outside-");
  const secret = Buffer.from("secret outside DIR\n");
  mkdirSync(join(outside, "sha256"));
  writeFileSync(join(outside, "sha256", sha(secret).slice(7)), secret);
  mkdirSync(join(dir, "evil/link"), { recursive: true });
  writeFileSync(join(dir, "evil/link/oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, "evil/link/index.json"), '{"schemaVersion":2,"manifests":[]}');
  symlinkSync(outside, join(dir, "evil/link/blobs"));
  let a = await curl(`${base}/v2/evil/link/blobs/${sha(secret)}`);
  assert.equal(a.status, 404);
  assert.notEqual(a.text, secret.toString());
  // A repository that is a link to a layout outside DIR is not served.
  mkdirSync(join(outside, "layout/blobs/sha256"), { recursive: true });
  writeFileSync(join(outside, "layout/oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(outside, "layout/index.json"), '{"schemaVersion":2,"manifests":[]}');
  writeFileSync(join(outside, "layout/blobs/sha256", sha(secret).slice(7)), secret);
  symlinkSync(join(outside, "layout"), join(dir, "evil/repo"));
  a = await curl(`${base}/v2/evil/repo/blobs/${sha(secret)}`);
  assert.equal(a.status, 404);
  // A layout whose directory name no request can reach (upper case) is not in the catalog either.
  mkdirSync(join(dir, "Upper/blobs"), { recursive: true });
  writeFileSync(join(dir, "Upper/oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, "Upper/index.json"), '{"schemaVersion":2,"manifests":[]}');
  const cat = await curl(`${base}/v2/_catalog`);
  const repositories = (JSON.parse(cat.text) as { repositories: string[] }).repositories;
  assert.ok(repositories.includes("evil/link"), cat.text);
  assert.ok(!repositories.includes("evil/repo"));
  assert.ok(!repositories.includes("Upper"), cat.text);
});

test("a wrong digest stores nothing, in the layout or the work area", async () => {
  const a = await curl(`${base}/v2/wrong/one/blobs/uploads/?digest=${sha("other")}`, ["-X", "POST", "--data-binary", "@" + file("these bytes")]);
  assert.deepEqual([a.status, errorCode(a)], [400, "DIGEST_INVALID"]);
  assert.equal((await curl(`${base}/v2/wrong/one/blobs/${sha("these bytes")}`, ["-I"])).status, 404);
  const work = readdirSync(join(dir, ".uploads"));
  for (const w of work) assert.deepEqual(readdirSync(join(dir, ".uploads", w)), [], "no session file left");
});

test("referrers API: artifactType filter and OCI-Filters-Applied; OCI-Subject on push", async () => {
  const repo = "ref/app";
  await pushBlob(repo, config);
  await pushBlob(repo, empty);
  const subject = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(config), layers: [] }));
  assert.equal((await putManifest(repo, "v1", subject)).status, 201);
  const referrer = (type: string) =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: type, config: desc(empty), layers: [], subject: { mediaType: OCI_MANIFEST, digest: sha(subject), size: subject.length }, annotations: { kind: type } }));
  const sbom = referrer("application/spdx+json");
  const sig = referrer("application/vnd.dev.cosign.artifact.sig.v1+json");
  for (const r of [sbom, sig]) {
    const a = await putManifest(repo, sha(r), r);
    assert.equal(a.status, 201);
    assert.equal(a.headers["oci-subject"], sha(subject));
  }
  let a = await curl(`${base}/v2/${repo}/referrers/${sha(subject)}`);
  assert.equal(a.status, 200);
  assert.equal(a.headers["content-type"], OCI_INDEX);
  assert.equal(a.headers["oci-filters-applied"], undefined);
  const all = JSON.parse(a.text) as { manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[] };
  assert.deepEqual(all.manifests.map((m) => m.digest).sort(), [sha(sbom), sha(sig)].sort());
  assert.equal(all.manifests.find((m) => m.digest === sha(sbom))?.annotations.kind, "application/spdx+json");
  a = await curl(`${base}/v2/${repo}/referrers/${sha(subject)}?artifactType=application/spdx%2Bjson`);
  assert.equal(a.headers["oci-filters-applied"], "artifactType");
  assert.deepEqual((JSON.parse(a.text) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest), [sha(sbom)]);
  a = await curl(`${base}/v2/${repo}/referrers/${sha("no such subject")}`);
  assert.equal(a.status, 200);
  assert.deepEqual((JSON.parse(a.text) as { manifests: unknown[] }).manifests, []);
  const cli = await ocidist(["referrers", `${server.host}/${repo}:v1`, "--json"]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal((await ocidist(["verify", `oci:${join(dir, repo)}`])).code, 0);
});

test("--read-only refuses every write with 405 UNSUPPORTED and still serves", async () => {
  const ro = await serve(dir, { address: "127.0.0.1:0", readOnly: true });
  try {
    const checks: [string, string[]][] = [
      [`${ro.url}/v2/chk/img/blobs/uploads/`, ["-X", "POST"]],
      [`${ro.url}/v2/chk/img/manifests/x`, ["-X", "PUT", "-H", `Content-Type: ${OCI_MANIFEST}`, "--data", "{}"]],
      [`${ro.url}/v2/chk/img/manifests/good`, ["-X", "DELETE"]],
      [`${ro.url}/v2/chk/img/blobs/${config.digest}`, ["-X", "DELETE"]],
    ];
    for (const [u, args] of checks) {
      const a = await curl(u, args);
      assert.deepEqual([a.status, errorCode(a)], [405, "UNSUPPORTED"], `${args.join(" ")} ${u}`);
    }
    assert.equal((await curl(`${ro.url}/v2/chk/img/manifests/good`)).status, 200);
  } finally {
    await ro.close();
  }
});
