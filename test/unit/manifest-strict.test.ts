/**
 * Strict manifest reading (issue 9, class 1): duplicate keys and malformed JSON refused, the
 * kind decided by the document, the schema 1 JWS rule applied only to a JWS that holds, and
 * the property that any bytes accepted for a digest are what that digest names.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { parseStrictJson } from "../../src/model/json-strict.js";
import { parseManifest } from "../../src/model/manifest.js";
import { manifestDigest, schema1Payload, verifyManifest } from "../../src/model/manifest-digest.js";
import { digestOf } from "../../src/model/digest.js";
import { image, layer, schema1 } from "../rig/build.js";
import { forgeSchema1, signatureBlock, spliceSchema1 } from "../hostile/forge.js";

const SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const OCI = "application/vnd.oci.image.manifest.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";
const d = (c: string) => `sha256:${c.repeat(64)}`;
const desc = (c: string) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d(c), size: 3 });
const b = (s: string) => Buffer.from(s);

test("strict JSON: duplicate keys at any depth, bad UTF-8, a BOM, deep nesting and trailing bytes are refused", () => {
  for (const bad of ['{"a":1,"a":2}', '{"x":{"k":"1","k":"2"}}', '{"a":1,"\\u0061":2}', '[1]x', "\ufeff{}", '{"a":01}', '{"a":"\u0001"}', '{"a":1,}', "[" .repeat(65) + "]".repeat(65)]) {
    assert.throws(() => parseStrictJson(b(bad)), /StrictJsonError|duplicate|byte|UTF-8|order mark|nesting/, bad);
  }
  assert.throws(() => parseStrictJson(Buffer.from([0x22, 0xff, 0x22])), /UTF-8/);
  const ok = parseStrictJson(b(' {"a": [1, 2.5e-3, true, null], "b": "\\u00e9\\n"} '));
  assert.deepEqual(ok.value, { a: [1, 2.5e-3, true, null], b: "é\n" });
  assert.deepEqual(ok.members.map((m) => [m.key, m.valueStart, m.valueEnd]), [["a", 7, 30], ["b", 37, 47]]);
});

test("property: the strict reader agrees with JSON.parse on every document without duplicate keys", () => {
  fc.assert(
    fc.property(fc.json(), (j) => {
      assert.deepEqual(parseStrictJson(b(j)).value, JSON.parse(j));
    }),
    { numRuns: 1000 },
  );
});

test("manifests with duplicate keys are refused, whatever their kind", () => {
  const m = `{"schemaVersion":2,"mediaType":"${OCI}","config":${JSON.stringify(desc("a"))},"layers":[],"layers":[${JSON.stringify(desc("b"))}]}`;
  assert.throws(() => parseManifest(b(m)), /duplicate key "layers"/);
  const i = `{"schemaVersion":2,"manifests":[],"annotations":{"x":"1","x":"2"}}`;
  assert.throws(() => parseManifest(b(i), INDEX), /duplicate key "x"/);
});

test("schemaVersion, mediaType, the fields present and the type served as must agree", () => {
  const image = { schemaVersion: 2, config: desc("a"), layers: [desc("b")] };
  const index = { schemaVersion: 2, manifests: [] };
  const s1 = { schemaVersion: 1, fsLayers: [], history: [] };
  const refuse = (doc: object, ct: string | undefined, re: RegExp) => assert.throws(() => parseManifest(b(JSON.stringify(doc)), ct), re, JSON.stringify(doc));
  refuse(image, INDEX, /fields of an image manifest was served as/);
  refuse(index, OCI, /fields of an index was served as/);
  refuse(s1, OCI, /schema 1 manifest was served as/);
  refuse(image, SIGNED, /served as/);
  refuse({ ...image, mediaType: INDEX }, undefined, /fields of an image manifest cannot be/);
  refuse({ ...index, mediaType: SIGNED }, undefined, /fields of an index cannot be/);
  refuse({ ...s1, mediaType: OCI }, undefined, /cannot be/);
  refuse({ ...s1, config: desc("a") }, undefined, /schema 2 fields/);
  refuse({ ...image, fsLayers: [] }, undefined, /schema 1 fields/);
  refuse({ ...image, signatures: [] }, undefined, /schema 1 fields/);
  refuse({ schemaVersion: 2 }, undefined, /neither manifests nor config/);
  refuse({ ...image, schemaVersion: "2" }, undefined, /unsupported schemaVersion/);
  assert.throws(() => parseManifest(b(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.artifact.manifest.v1+json", blobs: [] }))), { name: "UnsupportedMediaTypeError" });
  // What the type served as only names the media type when the document has none.
  assert.equal(parseManifest(b(JSON.stringify(image)), "application/vnd.docker.distribution.manifest.v2+json").mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  assert.equal(parseManifest(b(JSON.stringify(image)), "text/plain").kind, "image");
  assert.equal(parseManifest(b(JSON.stringify(s1)), "application/json").kind, "schema1");
});

test("a genuine signed schema 1 manifest: its payload is the body without signatures, and its signature verifies", async () => {
  const signed = schema1("x/y", "t", [await layer([{ name: "a", content: "a" }])], true);
  const payload = schema1Payload(signed.bytes);
  assert.ok(payload);
  const withoutSigs = JSON.parse(signed.bytes.toString()) as Record<string, unknown>;
  delete withoutSigs.signatures;
  assert.deepEqual(JSON.parse(payload.toString()), withoutSigs);
  assert.equal(digestOf(payload), signed.digest);
  verifyManifest(signed.bytes, signed.digest, SIGNED, signed.size);
  verifyManifest(signed.bytes, digestOf(signed.bytes), SIGNED);
});

test("an RS256 signature verifies; a wrong signature, or a key of the wrong type, makes the JWS not count", async () => {
  const signed = schema1("x/y", "t", [await layer([{ name: "a", content: "a" }])], true);
  const payload = schema1Payload(signed.bytes)!;
  const doc = JSON.parse(signed.bytes.toString()) as { signatures: { protected: string }[] };
  const at = signed.bytes.indexOf(',\n   "signatures"');
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const prot = doc.signatures[0]!.protected;
  const rsSig = sign("sha256", b(`${prot}.${payload.toString("base64url")}`), rsa.privateKey).toString("base64url");
  const rebuild = (sig: unknown) => Buffer.concat([signed.bytes.subarray(0, at), b(`,\n   "signatures": ${JSON.stringify([sig])}`), payload.subarray(at)]);
  const rs = rebuild({ header: { jwk: rsa.publicKey.export({ format: "jwk" }), alg: "RS256" }, signature: rsSig, protected: prot });
  assert.equal(manifestDigest(rs, SIGNED), signed.digest);
  const wrongAlg = rebuild({ header: { jwk: rsa.publicKey.export({ format: "jwk" }), alg: "ES256" }, signature: rsSig, protected: prot });
  assert.throws(() => verifyManifest(wrongAlg, signed.digest, SIGNED), /cannot sign ES256/);
  const badSig = rebuild({ header: { jwk: rsa.publicKey.export({ format: "jwk" }), alg: "RS256" }, signature: Buffer.alloc(256, 1).toString("base64url"), protected: prot });
  assert.throws(() => verifyManifest(badSig, signed.digest, SIGNED), /does not verify/);
});

test("formatLength/formatTail must cut off exactly the signatures member", async () => {
  const signed = schema1("x/y", "t", [await layer([{ name: "a", content: "a" }])], true);
  const payload = schema1Payload(signed.bytes)!;
  const at = signed.bytes.indexOf(',\n   "signatures"');
  const tail = payload.subarray(at);
  const withSig = (prefix: Buffer, fl: number, t: Buffer, after = t) => Buffer.concat([prefix, b(`,"signatures":${JSON.stringify([signatureBlock(Buffer.concat([prefix.subarray(0, fl), t]), fl, t)])}`), after]);
  const prefix = signed.bytes.subarray(0, at);
  assert.ok(schema1Payload(withSig(prefix, at, tail)), "the well-formed case holds");
  assert.equal(schema1Payload(withSig(prefix, at - 1, tail)), undefined, "formatLength one short");
  assert.equal(schema1Payload(withSig(prefix, at, b("\n }"), tail)), undefined, "formatTail is not what follows");
  assert.equal(schema1Payload(forgeSchema1({ schemaVersion: 1, fsLayers: [], history: [] }, payload)), undefined, "formatLength 0");
  assert.equal(schema1Payload(spliceSchema1(signed.bytes, { tag: "evil" })), undefined, "duplicate keys");
  const notLast = Buffer.from(signed.bytes.toString().replace(/\n}$/, ',"zz":1\n}'));
  assert.equal(schema1Payload(notLast), undefined, "signatures not the last member");
});

/** Whether a by-digest read accepts `bytes` for `digest`: parsed and verified (refusals are only ocidist's own errors). */
function accepted(bytes: Uint8Array, digest: string, ct: string | undefined): boolean {
  try {
    const parsed = parseManifest(bytes, ct);
    verifyManifest(bytes, digest, parsed.mediaType);
    return true;
  } catch (err) {
    assert.ok(["InvalidManifestError", "UnsupportedMediaTypeError", "DigestMismatchError"].includes((err as Error).name), String(err));
    return false;
  }
}

test("property: any byte string served for a digest is refused, or is what the digest names", async () => {
  const l = await layer([{ name: "a", content: "a" }]);
  const signed = schema1("x/y", "t", [l], true);
  const payload = schema1Payload(signed.bytes)!;
  const genuineImage = image([l]).manifest;
  const payloadDoc = JSON.parse(payload.toString()) as unknown;
  const targets = [
    { digest: genuineImage.digest, genuine: genuineImage.bytes, meaning: (bytes: Uint8Array) => digestOf(bytes) === genuineImage.digest },
    {
      digest: signed.digest,
      genuine: payload,
      // Accepted for a signed schema 1 digest: the bytes, or the bytes without their signatures, are the payload.
      meaning: (bytes: Uint8Array) => {
        if (digestOf(bytes) === signed.digest) return true;
        const doc = JSON.parse(Buffer.from(bytes).toString()) as Record<string, unknown>;
        delete doc.signatures;
        return JSON.stringify(doc) === JSON.stringify(payloadDoc) && digestOf(schema1Payload(bytes)!) === signed.digest;
      },
    },
  ];
  const members = fc.dictionary(fc.constantFrom("fsLayers", "history", "tag", "name", "schemaVersion", "mediaType", "config", "layers", "manifests", "signatures", "x"), fc.jsonValue(), { maxKeys: 3 });
  const attack = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.constantFrom(0, 1), members).map(([t, m]) => forgeSchema1({ schemaVersion: 1, fsLayers: [], history: [], ...m }, targets[t]!.genuine)),
    members.map((m) => spliceSchema1(signed.bytes, m)),
    fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(0, 1)).map(([cut, from, t]) => {
      const g = targets[t]!.genuine;
      const fl = cut % (g.length + 1);
      const tail = g.subarray(from % (g.length + 1));
      return Buffer.concat([g.subarray(0, fl), b(`,"signatures":${JSON.stringify([signatureBlock(Buffer.concat([g.subarray(0, fl), tail]), fl, tail)])}`), tail]);
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
      const copy = Buffer.from(signed.bytes);
      copy[i % copy.length] = v;
      return copy;
    }),
  );
  fc.assert(
    fc.property(attack, fc.constantFrom(0, 1), fc.constantFrom(undefined, SIGNED, OCI, INDEX, "application/json"), (bytes, t, ct) => {
      const target = targets[t]!;
      if (accepted(bytes, target.digest, ct)) assert.ok(target.meaning(bytes), `accepted forged bytes for ${target.digest}: ${Buffer.from(bytes).toString().slice(0, 300)}`);
    }),
    { numRuns: 3000 },
  );
});
