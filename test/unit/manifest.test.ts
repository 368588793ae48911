/** Manifest validation at the boundary, digests of signed schema 1, and the verifying stream. */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import { parseManifest } from "../../src/model/manifest.js";
import { manifestDigest } from "../../src/model/manifest-digest.js";
import { VerifyingStream, digestOf, parseDigest } from "../../src/model/digest.js";
import { DigestMismatchError, InvalidDigestError, InvalidManifestError } from "../../src/model/errors.js";
import { schema1 } from "../rig/build.js";
import { layer } from "../rig/build.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (c: string) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d(c), size: 3 });

test("an image manifest and an index parse; the kind follows the document", () => {
  const m = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: desc("a"), layers: [desc("b")] })));
  assert.equal(m.kind, "image");
  const i = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ ...desc("a"), mediaType: "application/vnd.oci.image.manifest.v1+json" }] })), "application/vnd.oci.image.index.v1+json; charset=utf-8");
  assert.equal(i.kind, "index");
});

test("ambiguous or contradictory documents are refused (CVE-2021-41190)", () => {
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [], layers: [] }))), /ambiguous/);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] })), "application/vnd.oci.image.manifest.v1+json"), /declares mediaType/);
  assert.throws(() => parseManifest(Buffer.from("{not json")), InvalidManifestError);
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, config: { ...desc("a"), digest: "sha256:../../etc" }, layers: [] }))), /invalid/);
  assert.throws(() => parseManifest(Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)), /larger than/);
});

test("property: arbitrary JSON never crashes the parser with anything but its errors", () => {
  fc.assert(
    fc.property(fc.json(), (j) => {
      try {
        parseManifest(Buffer.from(j));
      } catch (e) {
        assert.ok((e as Error).name === "InvalidManifestError" || (e as Error).name === "UnsupportedMediaTypeError", String(e));
      }
    }),
    { numRuns: 1000 },
  );
});

test("a signed schema1 manifest's digest is its payload's", async () => {
  const l = await layer([{ name: "a", content: "a" }]);
  const signed = schema1("x/y", "t", [l], true);
  assert.notEqual(digestOf(signed.bytes), signed.digest);
  assert.equal(manifestDigest(signed.bytes, "application/vnd.docker.distribution.manifest.v1+prettyjws"), signed.digest);
  const unsigned = schema1("x/y", "t", [l], false);
  assert.equal(parseManifest(unsigned.bytes, unsigned.mediaType).kind, "schema1");
});

test("digests are validated strictly", () => {
  assert.deepEqual(parseDigest(d("0")), { algorithm: "sha256", encoded: "0".repeat(64) });
  for (const bad of ["sha256:ABC", `sha256:${"a".repeat(63)}`, "sha256:../x", `md5:${"a".repeat(32)}`, `sha256:${"A".repeat(64)}`]) assert.throws(() => parseDigest(bad), InvalidDigestError);
});

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("the verifying stream passes good bytes and fails on wrong content, length or excess", async () => {
  const data = Buffer.from("hello world");
  const good = Readable.from([data]).pipe(new VerifyingStream({ digest: digestOf(data), size: data.length }));
  assert.deepEqual(await drain(good), data);
  await assert.rejects(drain(Readable.from([Buffer.from("hello worle")]).pipe(new VerifyingStream({ digest: digestOf(data), size: data.length }))), DigestMismatchError);
  await assert.rejects(drain(Readable.from([data, Buffer.from("!")]).pipe(new VerifyingStream({ digest: digestOf(data), size: data.length }))), /more than the 11 bytes/);
  await assert.rejects(drain(Readable.from([data.subarray(0, 5)]).pipe(new VerifyingStream({ digest: digestOf(data), size: data.length }))), /got 5 bytes/);
});
