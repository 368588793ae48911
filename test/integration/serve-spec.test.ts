/**
 * `curl` walks of the distribution spec's workflows (the areas of the OCI conformance
 * suite: pull, push, content discovery, content management), negative cases included, run
 * against `ocidist serve` (the CLI) and against docker-registry: both must give the same
 * status codes, error codes and the headers that matter.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { blob, desc, sha, type Blob } from "../rig/build.js";
import type { RigInfo } from "../rig/rig.js";
import { tempDir } from "../helpers/cli.js";
import { curl, errorCode, startServe, type CurlAnswer, type ServeProcess } from "../helpers/serve.js";

let rig: RigInfo;
let served: ServeProcess;

before(async () => {
  rig = await getRig();
  served = await startServe(tempDir("ocidist-serve-"));
});

after(async () => {
  await served.stop();
});

/** What is compared of one answer. */
interface Seen {
  step: string;
  status: number;
  code?: string;
  headers: Record<string, string>;
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

function file(bytes: Buffer | string): string {
  const p = join(tempDir("ocidist-body-"), "b");
  writeFileSync(p, bytes);
  return p;
}

const config = blob("application/vnd.oci.image.config.v1+json", Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
const layerA = blob("application/vnd.oci.image.layer.v1.tar", randomBytes(3000));
const layerB = blob("application/vnd.oci.image.layer.v1.tar", randomBytes(5000));
const layerC = blob("application/vnd.oci.image.layer.v1.tar", randomBytes(2000));

/** One registry's walk of every workflow; `seen` gets what is compared. */
async function walk(base: string, repo: string): Promise<{ seen: Seen[]; extra: Seen[] }> {
  const seen: Seen[] = [];
  /** Answers where docker-registry 2.8 departs from spec v1.1: compared with the spec only. */
  const extra: Seen[] = [];
  const record = (step: string, a: CurlAnswer, keys: string[] = [], present: string[] = []): CurlAnswer => {
    const headers: Record<string, string> = {};
    for (const k of keys) headers[k] = a.headers[k] ?? "(none)";
    for (const k of present) headers[k] = a.headers[k] !== undefined ? "(present)" : "(none)";
    const code = errorCode(a);
    seen.push({ step, status: a.status, ...(code ? { code } : {}), headers });
    if (process.env.SERVE_SPEC_DEBUG) appendFileSync(process.env.SERVE_SPEC_DEBUG, `${base} ${JSON.stringify(seen[seen.length - 1])}\n`);
    return a;
  };
  const url = (path: string) => (path.startsWith("http") ? path : `${base}${path}`);
  const v2 = `/v2/${repo}`;
  const sep = (loc: string) => (loc.includes("?") ? "&" : "?");

  record("GET /v2/", await curl(url("/v2/")), ["docker-distribution-api-version"]);

  // Push: monolithic (POST then PUT).
  const post = record("POST upload", await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"]), ["range"], ["location", "docker-upload-uuid"]);
  const put = await curl(url(`${post.headers.location}${sep(post.headers.location!)}digest=${config.digest}`), ["-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${file(config.bytes)}`]);
  record("PUT monolithic", put, ["docker-content-digest"], ["location"]);

  // Push: single POST with the digest (optional in the spec: docker-registry 2.8 answers 202, and the client goes on with PUT).
  const single = await curl(url(`${v2}/blobs/uploads/?digest=${layerA.digest}`), ["-X", "POST", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${file(layerA.bytes)}`]);
  extra.push({ step: "POST with digest", status: single.status, headers: { "docker-content-digest": single.headers["docker-content-digest"] ?? "(none)" } });
  if (single.status === 202) {
    const l = single.headers.location!;
    await curl(url(`${l}${sep(l)}digest=${layerA.digest}`), ["-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${file(layerA.bytes)}`]);
  }

  // Push: chunked, with a status query on the way.
  let loc = (await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"])).headers.location!;
  const first = layerB.bytes.subarray(0, 2000);
  const rest = layerB.bytes.subarray(2000);
  const patch = (l: string, range: string | undefined, bytes: Buffer) =>
    curl(url(l), ["-X", "PATCH", "-H", "Content-Type: application/octet-stream", ...(range ? ["-H", `Content-Range: ${range}`] : []), "--data-binary", `@${file(bytes)}`]);
  let a = record("PATCH chunk 1", await patch(loc, "0-1999", first), ["range"], ["location"]);
  loc = a.headers.location!;
  a = record("GET upload status", await curl(url(loc)), ["range"], ["location"]);
  a = record("PATCH chunk 2", await patch(loc, `2000-${layerB.size - 1}`, rest), ["range"]);
  loc = a.headers.location!;
  record("PUT closes chunked", await curl(url(`${loc}${sep(loc)}digest=${layerB.digest}`), ["-X", "PUT"]), ["docker-content-digest"]);

  // An out-of-order chunk is 416 and the session survives (spec v1.1; docker-registry 2.8 answers
  // 202 and breaks the session, so this is only compared with the spec).
  loc = (await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"])).headers.location!;
  loc = (await patch(loc, "0-1999", first)).headers.location!;
  const ooo = await patch(loc, "2500-2999", rest.subarray(500, 1000));
  extra.push({ step: "PATCH out of order", status: ooo.status, headers: { range: ooo.headers.range ?? "(none)" } });
  const st = await curl(url(loc));
  extra.push({ step: "GET status after 416", status: st.status, headers: { range: st.headers.range ?? "(none)" } });
  if (ooo.status === 416) {
    const resumed = await patch(st.headers.location ?? loc, `2000-${layerB.size - 1}`, rest);
    const l = resumed.headers.location ?? loc;
    const done = await curl(url(`${l}${sep(l)}digest=${layerB.digest}`), ["-X", "PUT"]);
    extra.push({ step: "resumed after 416", status: done.status, headers: {} });
  } else {
    await curl(url(loc), ["-X", "DELETE"]);
  }

  // Push: streamed PATCH (no Content-Range, chunked transfer encoding).
  loc = (await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"])).headers.location!;
  a = record("PATCH streamed", await curl(url(loc), ["-X", "PATCH", "-H", "Content-Type: application/octet-stream", "-H", "Transfer-Encoding: chunked", "--data-binary", `@${file(layerC.bytes)}`]), ["range"]);
  loc = a.headers.location!;
  record("PUT closes streamed", await curl(url(`${loc}${sep(loc)}digest=${layerC.digest}`), ["-X", "PUT"]), ["docker-content-digest"]);

  // Negative: a wrong digest stores nothing; a cancelled upload is gone; a malformed digest.
  const wrong = sha("not these bytes");
  loc = (await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"])).headers.location!;
  record("PUT wrong digest", await curl(url(`${loc}${sep(loc)}digest=${wrong}`), ["-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${file("some bytes")}`]));
  record("HEAD blob never stored", await curl(url(`${v2}/blobs/${wrong}`), ["-I"]));
  record("HEAD blob of wrong upload's bytes", await curl(url(`${v2}/blobs/${sha("some bytes")}`), ["-I"]));
  loc = (await curl(url(`${v2}/blobs/uploads/`), ["-X", "POST"])).headers.location!;
  record("DELETE upload", await curl(url(loc), ["-X", "DELETE"]));
  record("GET cancelled upload", await curl(url(loc)));
  record("GET blob, malformed digest", await curl(url(`${v2}/blobs/sha256:xyz`)));

  // Mount: known blob from another repository → 201; unknown → 202 with a session.
  record("POST mount known", await curl(url(`/v2/${repo}-other/blobs/uploads/?mount=${layerA.digest}&from=${repo}`), ["-X", "POST"]), ["docker-content-digest"], ["location"]);
  record("POST mount unknown", await curl(url(`/v2/${repo}-other/blobs/uploads/?mount=${wrong}&from=${repo}`), ["-X", "POST"]), [], ["location"]);

  // Manifests.
  const manifest = (layers: Blob[], extra: Record<string, unknown> = {}) =>
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc(config), layers: layers.map((l) => desc(l)), ...extra }));
  const m1 = manifest([layerA, layerB, layerC]);
  const m1d = sha(m1);
  const putM = (ref: string, body: Buffer, type = OCI_MANIFEST) => curl(url(`${v2}/manifests/${ref}`), ["-X", "PUT", "-H", `Content-Type: ${type}`, "--data-binary", `@${file(body)}`]);
  record("PUT manifest by tag", await putM("v1", m1), ["docker-content-digest"], ["location"]);
  for (const t of ["v2", "v3", "v4"]) await putM(t, m1);
  const m2 = manifest([layerA]);
  record("PUT manifest by digest", await putM(sha(m2), m2), ["docker-content-digest"]);
  record("PUT manifest, digest mismatch", await putM(sha("other"), m2));
  record("PUT manifest, blob missing", await putM("missing", manifest([blob("application/vnd.oci.image.layer.v1.tar", Buffer.from("absent"))])));
  record("PUT manifest, not JSON", await putM("bad", Buffer.from("{not json")));

  // Pull.
  record("GET manifest by tag", await curl(url(`${v2}/manifests/v1`), ["-H", `Accept: ${OCI_MANIFEST}`]), ["content-type", "docker-content-digest", "content-length"]);
  record("HEAD manifest by tag", await curl(url(`${v2}/manifests/v1`), ["-I", "-H", `Accept: ${OCI_MANIFEST}`]), ["content-type", "docker-content-digest", "content-length"]);
  record("GET manifest by digest", await curl(url(`${v2}/manifests/${m1d}`), ["-H", `Accept: ${OCI_MANIFEST}`]), ["content-type", "docker-content-digest"]);
  record("GET manifest unknown tag", await curl(url(`${v2}/manifests/nope`)));
  record("GET manifest unknown digest", await curl(url(`${v2}/manifests/${wrong}`)));
  record("GET blob", await curl(url(`${v2}/blobs/${layerB.digest}`)), ["docker-content-digest", "content-length"]);
  record("HEAD blob", await curl(url(`${v2}/blobs/${layerB.digest}`), ["-I"]), ["docker-content-digest", "content-length"]);
  record("GET blob range", await curl(url(`${v2}/blobs/${layerB.digest}`), ["-H", "Range: bytes=10-19"]), ["content-range", "content-length"]);
  record("GET blob unknown", await curl(url(`${v2}/blobs/${wrong}`)));
  record("GET tags of unknown repository", await curl(url(`/v2/${repo}-none/tags/list`)));

  // Discovery.
  const tags = record("GET tags", await curl(url(`${v2}/tags/list`)));
  // docker-registry 2.8 lists tags in storage order; the spec's (and ours) is lexical: compare as sets.
  seen.push({ step: "tags", status: 0, headers: { tags: JSON.stringify((JSON.parse(tags.text) as { tags: string[] }).tags.sort()) } });
  // Tag paging: docker-registry 2.8 sends no Link on tags (it came in distribution 3), so compared with the spec.
  const tagPage = async (q: string) => {
    const p = await curl(url(`${v2}/tags/list?${q}`));
    extra.push({ step: `tags ?${q}`, status: p.status, headers: { tags: JSON.stringify((JSON.parse(p.text) as { tags: string[] }).tags), link: p.headers.link ?? "(none)" } });
  };
  await tagPage("n=2");
  await tagPage("n=2&last=v2");
  await tagPage("n=0");
  const cat = record("GET catalog n=1", await curl(url("/v2/_catalog?n=1")), [], ["link"]);
  seen.push({ step: "catalog page", status: 0, headers: { count: String((JSON.parse(cat.text) as { repositories: string[] }).repositories.length) } });

  // Content management: manifest, then its blobs.
  record("DELETE manifest by digest", await curl(url(`${v2}/manifests/${sha(m2)}`), ["-X", "DELETE"]));
  record("GET deleted manifest", await curl(url(`${v2}/manifests/${sha(m2)}`)));
  record("DELETE manifest unknown", await curl(url(`${v2}/manifests/${wrong}`), ["-X", "DELETE"]));
  record("DELETE manifest by digest (tagged)", await curl(url(`${v2}/manifests/${m1d}`), ["-X", "DELETE"]));
  record("GET tag of deleted manifest", await curl(url(`${v2}/manifests/v1`)));
  record("DELETE blob", await curl(url(`${v2}/blobs/${layerC.digest}`), ["-X", "DELETE"]));
  record("GET deleted blob", await curl(url(`${v2}/blobs/${layerC.digest}`)));
  record("DELETE blob unknown", await curl(url(`${v2}/blobs/${wrong}`), ["-X", "DELETE"]));
  return { seen, extra };
}

test("every workflow gives the same answers as docker-registry", async () => {
  const repo = `servespec/w${randomBytes(4).toString("hex")}`;
  const { seen: reference } = await walk(rig.registries.open.url, repo);
  const { seen: ours, extra } = await walk(served.url, repo);
  assert.deepEqual(extra, [
    { step: "POST with digest", status: 201, headers: { "docker-content-digest": extra[0]!.headers["docker-content-digest"]! } },
    { step: "PATCH out of order", status: 416, headers: { range: "0-1999" } },
    { step: "GET status after 416", status: 204, headers: { range: "0-1999" } },
    { step: "resumed after 416", status: 201, headers: {} },
    { step: "tags ?n=2", status: 200, headers: { tags: '["v1","v2"]', link: `</v2/${repo}/tags/list?n=2&last=v2>; rel="next"` } },
    { step: "tags ?n=2&last=v2", status: 200, headers: { tags: '["v3","v4"]', link: "(none)" } },
    { step: "tags ?n=0", status: 200, headers: { tags: "[]", link: "(none)" } },
  ]);
  assert.match(extra[0]!.headers["docker-content-digest"]!, /^sha256:/);
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const o = ours[i]!;
    assert.equal(o.step, r.step);
    // docker-registry's catalog holds every test's repositories; ours only this one's.
    if (r.step === "catalog page") continue;
    // docker-registry writes Range 0-0 for an empty session too; the rest must agree.
    assert.deepEqual(o, r, `step "${r.step}": ocidist serve ${JSON.stringify(o)}, docker-registry ${JSON.stringify(r)}`);
  }
});
