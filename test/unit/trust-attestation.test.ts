/** Reading attestation files (one bundle, JSON lines, GitHub's API shape) and statement subjects. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundlesIn } from "../../src/trust/attestation.js";
import { statementNames } from "../../src/trust/in-toto.js";
import { TrustError } from "../../src/trust/verify-image.js";
import { trustFromRoot } from "../../src/trust/trusted-root.js";
import { UsageError } from "../../src/model/errors.js";

test("bundle files: one bundle, JSON lines, the attestations API shape", () => {
  assert.deepEqual(bundlesIn('{"a":1}', "f"), [{ a: 1 }]);
  assert.deepEqual(bundlesIn('{"a":1}\n\n{"b":2}\n', "f"), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(bundlesIn('{"attestations":[{"bundle":{"c":3}},{"bundle":{"d":4}}]}', "f"), [{ c: 3 }, { d: 4 }]);
  assert.throws(() => bundlesIn("not json\n", "f"), TrustError);
  assert.throws(() => bundlesIn('{"attestations":[]}', "f"), TrustError);
});

test("a statement names a digest only by the same algorithm and hex", () => {
  const hex = "d".repeat(64);
  const s = { subject: [{ name: "x", digest: { sha256: hex } }] };
  assert.equal(statementNames(s, `sha256:${hex}`), true);
  assert.equal(statementNames(s, `sha256:${"e".repeat(64)}`), false);
  assert.equal(statementNames({ subject: [{ digest: { sha512: hex } }] }, `sha256:${hex}`), false);
});

test("a trusted root without a CA or log is refused", () => {
  assert.throws(() => trustFromRoot({ mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }, "r"), UsageError);
  assert.throws(() => trustFromRoot("nonsense", "r"), UsageError);
});
