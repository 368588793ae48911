/** Key checks and simple-signing payloads, independent of any registry. */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { test } from "node:test";
import { OcidistError, UsageError } from "../../src/model/errors.js";
import { parsePublicKey, verifyWithKey } from "../../src/trust/public-key.js";
import { parseSimpleSigning } from "../../src/trust/simple-signing.js";
import { cosignTag, isSigstoreBundleType } from "../../src/trust/format.js";
import { payloadFor, signPayload } from "../helpers/cosign-sign.js";

const D = `sha256:${"c".repeat(64)}`;

test("each key kind verifies its own signature and no other", () => {
  const payload = payloadFor("r.example/app", D);
  const pairs = [generateKeyPairSync("ec", { namedCurve: "P-256" }), generateKeyPairSync("ec", { namedCurve: "P-384" }), generateKeyPairSync("rsa", { modulusLength: 2048 }), generateKeyPairSync("ed25519")];
  for (const p of pairs) {
    const key = parsePublicKey(p.publicKey.export({ format: "pem", type: "spki" }), "test");
    const sig = p.publicKey.asymmetricKeyDetails?.namedCurve === "secp384r1" ? sign("sha384", payload, { key: p.privateKey, dsaEncoding: "der" }) : Buffer.from(signPayload(p.privateKey, payload), "base64");
    assert.equal(verifyWithKey(key, payload, sig), true);
    assert.equal(verifyWithKey(key, Buffer.concat([payload, Buffer.from(" ")]), sig), false);
    assert.equal(verifyWithKey(key, payload, Buffer.alloc(8)), false);
  }
});

test("only public ECDSA, RSA and Ed25519 PEM keys are taken", () => {
  assert.throws(() => parsePublicKey("garbage", "k"), UsageError);
  const x = generateKeyPairSync("x25519").publicKey.export({ format: "pem", type: "spki" });
  assert.throws(() => parsePublicKey(x, "k"), UsageError);
});

test("simple-signing payloads", () => {
  assert.deepEqual(parseSimpleSigning(payloadFor("r.example/app", D)), { digest: D, dockerReference: "r.example/app" });
  assert.throws(() => parseSimpleSigning(Buffer.from("{")), OcidistError);
  assert.throws(() => parseSimpleSigning(Buffer.from(JSON.stringify({ critical: { type: "other", image: { "docker-manifest-digest": D }, identity: { "docker-reference": "x" } } }))), OcidistError);
  assert.throws(() => parseSimpleSigning(Buffer.from(JSON.stringify({ critical: { type: "cosign container image signature", image: {} } }))), OcidistError);
});

test("cosign tags and bundle media types", () => {
  assert.equal(cosignTag(D, "sig"), `sha256-${"c".repeat(64)}.sig`);
  assert.equal(cosignTag(D, "att"), `sha256-${"c".repeat(64)}.att`);
  for (const t of ["application/vnd.dev.sigstore.bundle+json;version=0.1", "application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.dev.sigstore.bundle.v0.4+json"]) assert.equal(isSigstoreBundleType(t), true, t);
  assert.equal(isSigstoreBundleType("application/vnd.dev.sigstore.bundlex+json"), false);
  assert.equal(isSigstoreBundleType(undefined), false);
});
