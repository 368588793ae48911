/**
 * Signatures attached as referrers (newer cosign's sigstore bundles, notation signatures),
 * found through the registry's referrers fallback tag: `signatures` lists both with their
 * kind (and the bundle's signer), and keyless `verify` accepts the bundle whose in-toto
 * statement names the image's digest, and refuses one naming another digest; `copy --referrers
 * --signatures` carries the referrers and the cosign tag together, and the copy verifies both ways.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { blob, desc, index, type Image } from "../rig/build.js";
import { pushContent, pushImage } from "../rig/push.js";
import type { RigInfo, RigRegistry } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { keyPair, keySignature, payloadFor, pushSignatures, testSigstore } from "../helpers/cosign-sign.js";

const ID = "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
const BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const NOTATION = "application/vnd.cncf.notary.signature";
let host: string;
let root: string;
let good: Image;
let wrong: Image;
let both: Image;
let keyPath: string;

/** Pushes referrer manifests of `subject` and the fallback tag's index listing them. */
async function attach(rig: RigInfo, reg: RigRegistry, repo: string, subject: Image, referrers: { artifactType: string; layer: ReturnType<typeof blob> }[]): Promise<void> {
  const empty = blob("application/vnd.oci.empty.v1+json", Buffer.from("{}"));
  const manifests = referrers.map(({ artifactType, layer }) => {
    const doc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType, config: desc(empty), layers: [desc(layer)], subject: desc(subject.manifest) };
    return { artifactType, manifest: blob(doc.mediaType, Buffer.from(JSON.stringify(doc))) };
  });
  await pushContent(rig, reg, repo, [empty, ...referrers.map((r) => r.layer)], manifests.map((m) => m.manifest), []);
  const idx = index(manifests.map((m) => ({ manifest: m.manifest })), "oci");
  const withTypes = JSON.parse(idx.bytes.toString()) as { manifests: Record<string, unknown>[] };
  withTypes.manifests.forEach((e, i) => (e.artifactType = manifests[i]!.artifactType));
  await pushContent(rig, reg, repo, [], [blob(idx.mediaType, Buffer.from(JSON.stringify(withTypes)))], [subject.manifest.digest.replace(":", "-")]);
}

before(async () => {
  const rig = await getRig();
  const reg = rig.registries.open;
  host = reg.host;
  const ss = await testSigstore();
  writeFileSync((root = join(tempDir("ocidist-trust-ref-"), "trusted_root.json")), JSON.stringify(ss.trustedRoot));
  good = await simpleImage("trust-referrers");
  wrong = await simpleImage("trust-referrers-wrong");
  await pushImage(rig, reg, "tr/good", good, ["v1"]);
  await pushImage(rig, reg, "tr/wrong", wrong, ["v1"]);
  const statement = (digest: string) => ({ _type: "https://in-toto.io/Statement/v1", subject: [{ name: "image", digest: { sha256: digest.slice(7) } }], predicateType: "https://sigstore.dev/cosign/sign/v1", predicate: {} });
  const bundleLayer = async (digest: string) => blob(BUNDLE_TYPE, Buffer.from(JSON.stringify(await ss.attest(statement(digest), ID, ISSUER))));
  const notation = blob("application/jose+json", Buffer.from(JSON.stringify({ payload: "e30", protected: "e30", signature: "AA" })));
  await attach(rig, reg, "tr/good", good, [{ artifactType: BUNDLE_TYPE, layer: await bundleLayer(good.manifest.digest) }, { artifactType: NOTATION, layer: notation }]);
  await attach(rig, reg, "tr/wrong", wrong, [{ artifactType: BUNDLE_TYPE, layer: await bundleLayer(good.manifest.digest) }]);
  // A bundle referrer and a key-signed .sig tag on one image.
  both = await simpleImage("trust-referrers-both");
  await pushImage(rig, reg, "tr/both", both, ["v1"]);
  await attach(rig, reg, "tr/both", both, [{ artifactType: BUNDLE_TYPE, layer: await bundleLayer(both.manifest.digest) }]);
  const key = keyPair("ec");
  writeFileSync((keyPath = join(tempDir("ocidist-trust-ref-key-"), "cosign.pub")), key.pem);
  await pushSignatures(rig, reg, "tr/both", both.manifest.digest, [keySignature(key.privateKey, payloadFor(`${host}/tr/both`, both.manifest.digest))]);
});

const keyless = () => ["--certificate-identity", ID, "--certificate-oidc-issuer", ISSUER, "--trusted-root", root];

describe("referrer signatures", () => {
  test("signatures lists the sigstore bundle with its signer and the notation signature", async () => {
    const r = await ocidist(["signatures", `${host}/tr/good:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const sigs = (JSON.parse(r.out) as { signatures: { kind: string; via: string; signer?: string }[] }).signatures;
    assert.deepEqual(sigs.map((s) => [s.kind, s.via, s.signer]), [["sigstore-bundle", "referrer", ID], ["notation-signature", "referrer", undefined]]);
    const text = await ocidist(["signatures", `${host}/tr/good:v1`]);
    assert.match(text.out, /^sigstore-bundle\s/m);
    assert.match(text.out, /^notation-signature\s/m);
  });

  test("keyless verify accepts the bundle naming the image's digest", async () => {
    const r = await ocidist(["verify", `${host}/tr/good:v1`, ...keyless()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.out, /bundle sha256:[0-9a-f]{64} by /);
  });

  test("a bundle whose statement names another digest is refused", async () => {
    const r = await ocidist(["verify", `${host}/tr/wrong:v1`, ...keyless()]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /statement's subject is not/);
  });

  test("copy --referrers --signatures carries the bundle referrer and the .sig tag; the copy verifies keyless and by key", async () => {
    const r = await ocidist(["copy", `${host}/tr/both:v1`, `${host}/tr/both-copy:v1`, "--referrers", "--signatures", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { referrers: number; signatures: string[] };
    assert.equal(doc.referrers, 1);
    assert.deepEqual(doc.signatures, [`sha256-${both.manifest.digest.slice(7)}.sig`]);
    const listed = await ocidist(["signatures", `${host}/tr/both-copy:v1`, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.out) as { signatures: { kind: string }[] }).signatures.map((s) => s.kind), ["cosign-signature", "sigstore-bundle"]);
    const viaBundle = await ocidist(["verify", `${host}/tr/both-copy:v1`, ...keyless()]);
    assert.equal(viaBundle.code, 0, viaBundle.stderr);
    assert.match(viaBundle.out, /bundle sha256:/);
    const byKey = await ocidist(["verify", `${host}/tr/both-copy:v1`, "--key", keyPath]);
    assert.equal(byKey.code, 0, byKey.stderr);
  });
});
