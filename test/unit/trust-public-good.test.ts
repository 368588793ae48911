/** A real public-good sigstore bundle verified offline against the trusted root ocidist ships; and what must fail. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { KeylessError, parseBundle, verifyBundle } from "../../src/trust/keyless.js";
import { loadTrustedRoot, trustFromRoot } from "../../src/trust/trusted-root.js";
import { testSigstore } from "../helpers/cosign-sign.js";

const FIXTURE = resolve(fileURLToPath(import.meta.url), "../../../../test/fixtures/sigstore/public-good-dsse.sigstore.json");
const ID = { identity: "brian@dehamer.com", issuer: "https://github.com/login/oauth" };

test("the public-good bundle verifies offline with the shipped root: chain, log inclusion, timestamp, identity", async () => {
  const signer = verifyBundle(parseBundle(readFileSync(FIXTURE)), undefined, await loadTrustedRoot(), ID);
  assert.deepEqual(signer, ID);
});

test("another identity or issuer is refused", async () => {
  const trust = await loadTrustedRoot();
  const bundle = parseBundle(readFileSync(FIXTURE));
  assert.throws(() => verifyBundle(bundle, undefined, trust, { ...ID, identity: "someone@example.com" }), KeylessError);
  assert.throws(() => verifyBundle(bundle, undefined, trust, { ...ID, issuer: "https://accounts.google.com" }), KeylessError);
  assert.throws(() => verifyBundle(bundle, undefined, trust, { identityRegexp: "^mallory@", issuer: ID.issuer }), KeylessError);
  assert.deepEqual(verifyBundle(bundle, undefined, trust, { identityRegexp: "@dehamer\\.com$", issuer: ID.issuer }), ID);
});

test("a changed payload is refused", async () => {
  const trust = await loadTrustedRoot();
  const doc = JSON.parse(readFileSync(FIXTURE, "utf8")) as { dsseEnvelope: { payload: string } };
  doc.dsseEnvelope.payload = Buffer.from("hello, World!").toString("base64");
  assert.throws(() => verifyBundle(parseBundle(Buffer.from(JSON.stringify(doc))), undefined, trust, ID), KeylessError);
});

test("another trusted root (a test CA) does not vouch for it", async () => {
  const other = trustFromRoot((await testSigstore()).trustedRoot, "test root");
  assert.throws(() => verifyBundle(parseBundle(readFileSync(FIXTURE)), undefined, other, ID), KeylessError);
});

test("a changed inclusion proof (a sibling hash of the Merkle path) is refused", async () => {
  const trust = await loadTrustedRoot();
  type Proof = { hashes: string[] };
  const doc = JSON.parse(readFileSync(FIXTURE, "utf8")) as { verificationMaterial: { tlogEntries: { inclusionProof: Proof }[] } };
  const proof = doc.verificationMaterial.tlogEntries[0]!.inclusionProof;
  const sibling = Buffer.from(proof.hashes[0]!, "base64");
  sibling[0]! ^= 1;
  proof.hashes[0] = sibling.toString("base64");
  assert.throws(() => verifyBundle(parseBundle(Buffer.from(JSON.stringify(doc))), undefined, trust, ID), (err: unknown) => err instanceof KeylessError && /root hash does not match inclusion proof/.test(err.message));
});
