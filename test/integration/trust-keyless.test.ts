/**
 * Keyless cosign signatures (certificate, chain and Rekor bundle in the layer annotations)
 * from a test Fulcio CA, CT log and Rekor log (`@sigstore/mock`), with a trusted root written
 * by the test: accepted for the right identity and issuer; refused for another identity,
 * another issuer, an expired certificate (logged after it expired), and against the shipped
 * public-good root, and a Rekor bundle its SET does not cover; a policy's `fulcio`
 * requirement; nothing written when refused.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import type { Image } from "../rig/build.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { payloadFor, pushSignatures, testSigstore } from "../helpers/cosign-sign.js";

const ID = "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
const ISSUER = "https://token.actions.githubusercontent.com";
let host: string;
let signed: Image;
let expired: Image;
let root: string;
let dir: string;
let caPath: string;
let rekorPath: string;
let privateSigned: Image;
let badSet: Image;

before(async () => {
  const rig: RigInfo = await getRig();
  const reg = rig.registries.open;
  host = reg.host;
  dir = tempDir("ocidist-trust-keyless-");
  const ss = await testSigstore();
  writeFileSync((root = join(dir, "trusted_root.json")), JSON.stringify(ss.trustedRoot));
  // A private Fulcio without a CT log, as a policy's fulcio requirement describes one.
  const priv = await testSigstore(false);
  writeFileSync((caPath = join(dir, "fulcio.pem")), priv.caPem);
  writeFileSync((rekorPath = join(dir, "rekor.pub")), priv.rekorPem);
  signed = await simpleImage("trust-keyless");
  expired = await simpleImage("trust-keyless-expired");
  await pushImage(rig, reg, "tk/signed", signed, ["v1"]);
  await pushImage(rig, reg, "tk/expired", expired, ["v1"]);
  privateSigned = await simpleImage("trust-keyless-private");
  await pushImage(rig, reg, "tk/private", privateSigned, ["v1"]);
  await pushSignatures(rig, reg, "tk/private", privateSigned.manifest.digest, [await priv.sign(payloadFor(`${host}/tk/private`, privateSigned.manifest.digest), ID, ISSUER)]);
  await pushImage(rig, reg, "tk/private-expired", expired, ["v1"]);
  await pushSignatures(rig, reg, "tk/private-expired", expired.manifest.digest, [await priv.sign(payloadFor(`${host}/tk/private-expired`, expired.manifest.digest), ID, ISSUER, true)]);
  await pushSignatures(rig, reg, "tk/signed", signed.manifest.digest, [await ss.sign(payloadFor(`${host}/tk/signed`, signed.manifest.digest), ID, ISSUER)]);
  await pushSignatures(rig, reg, "tk/expired", expired.manifest.digest, [await ss.sign(payloadFor(`${host}/tk/expired`, expired.manifest.digest), ID, ISSUER, true)]);
  // A valid keyless signature whose Rekor bundle claims another log time: the SET no longer covers it.
  badSet = await simpleImage("trust-keyless-bad-set");
  await pushImage(rig, reg, "tk/bad-set", badSet, ["v1"]);
  const layer = await ss.sign(payloadFor(`${host}/tk/bad-set`, badSet.manifest.digest), ID, ISSUER);
  const rekor = JSON.parse(layer.annotations["dev.sigstore.cosign/bundle"]!) as { Payload: { integratedTime: number } };
  rekor.Payload.integratedTime += 1;
  layer.annotations["dev.sigstore.cosign/bundle"] = JSON.stringify(rekor);
  await pushSignatures(rig, reg, "tk/bad-set", badSet.manifest.digest, [layer]);
});

const keyless = (id = ID, issuer = ISSUER) => ["--certificate-identity", id, "--certificate-oidc-issuer", issuer, "--trusted-root", root];

describe("keyless verify", () => {
  test("the right identity and issuer verify; the output names the signer", async () => {
    const r = await ocidist(["verify", `${host}/tk/signed:v1`, ...keyless()]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.out.includes(`by ${ID} (${ISSUER})`), r.out);
  });

  test("--certificate-identity-regexp", async () => {
    const r = await ocidist(["verify", `${host}/tk/signed:v1`, "--certificate-identity-regexp", "^https://github\\.com/example/", "--certificate-oidc-issuer", ISSUER, "--trusted-root", root]);
    assert.equal(r.code, 0, r.stderr);
  });

  test("signatures names the certificate's identity", async () => {
    const r = await ocidist(["signatures", `${host}/tk/signed:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.out) as { signatures: { signer: string }[] }).signatures[0]!.signer, ID);
  });

  const refused: [string, () => string[], RegExp][] = [
    ["another identity", () => keyless("https://github.com/other/app/.github/workflows/release.yml@refs/heads/main"), /certificate identity is/],
    ["another issuer", () => keyless(ID, "https://accounts.google.com"), /OIDC issuer is/],
    ["the public-good root (the test CA is not in it)", () => ["--certificate-identity", ID, "--certificate-oidc-issuer", ISSUER], /not trusted/],
  ];
  for (const [what, flags, why] of refused) {
    test(`refuses ${what}`, async () => {
      const r = await ocidist(["verify", `${host}/tk/signed:v1`, ...flags()]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
    });
  }

  test("refuses a certificate that had expired when the log took the signature", async () => {
    const r = await ocidist(["verify", `${host}/tk/expired:v1`, ...keyless()]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /expired|not valid/);
  });

  test("refuses a Rekor bundle whose signed entry timestamp does not cover its log time", async () => {
    const r = await ocidist(["verify", `${host}/tk/bad-set:v1`, ...keyless()]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /is not trusted: .*inclusion promise could not be verified/);
  });

  test("a keyless identity needs an issuer", async () => {
    const r = await ocidist(["verify", `${host}/tk/signed:v1`, "--certificate-identity", ID]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /needs --certificate-oidc-issuer/);
  });

  test("pull and files refused write nothing; accepted, they write", async () => {
    const out = join(tempDir(), "x.tar");
    const bad = await ocidist(["pull", `${host}/tk/expired:v1`, "-o", out, ...keyless()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not trusted: .*(expired|not valid)/);
    assert.equal(existsSync(out), false);
    const files = join(tempDir(), "files");
    const badFiles = await ocidist(["files", `${host}/tk/signed:v1`, "-o", files, ...keyless(ID, "https://accounts.google.com")]);
    assert.equal(badFiles.code, 1);
    assert.match(badFiles.stderr, /is not trusted: .*OIDC issuer/);
    assert.equal(existsSync(files), false);
    const ok = await ocidist(["pull", `${host}/tk/signed:v1`, "-o", out, ...keyless()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(out));
  });
});

describe("copy and export take the keyless options", () => {
  test("refused (another identity), they write nothing; accepted, they write", async () => {
    const other = keyless("https://github.com/other/app/.github/workflows/release.yml@refs/heads/main");
    const layout = join(tempDir(), "layout");
    const bad = await ocidist(["copy", `${host}/tk/signed:v1`, `oci:${layout}:v1`, ...other]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /is not trusted: .*certificate identity/);
    assert.equal(existsSync(layout), false);
    const rootfs = join(tempDir(), "rootfs");
    const badExport = await ocidist(["export", `${host}/tk/expired:v1`, rootfs, ...keyless()]);
    assert.equal(badExport.code, 1, badExport.stderr);
    assert.equal(existsSync(rootfs), false);
    const ok = await ocidist(["copy", `${host}/tk/signed:v1`, `oci:${layout}:v1`, ...keyless()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(layout, "index.json")));
    const okExport = await ocidist(["export", `${host}/tk/signed:v1`, rootfs, ...keyless()]);
    assert.equal(okExport.code, 0, okExport.stderr);
    assert.ok(existsSync(rootfs));
  });
});

describe("policy fulcio requirement", () => {
  const policy = (email: string, issuer = ISSUER) => {
    const p = join(dir, `policy-${email.length}-${issuer.length}.json`);
    writeFileSync(p, JSON.stringify({ default: [{ type: "sigstoreSigned", fulcio: { caPath, oidcIssuer: issuer, subjectEmail: email }, rekorPublicKeyPath: rekorPath, signedIdentity: { type: "matchRepository" } }] }));
    return p;
  };
  test("the CA, Rekor key and identity of the policy accept the signature", async () => {
    const r = await ocidist(["verify", `${host}/tk/private:v1`, "--policy", policy(ID)]);
    assert.equal(r.code, 0, r.stderr);
    const otherCa = await ocidist(["verify", `${host}/tk/signed:v1`, "--policy", policy(ID)]);
    assert.equal(otherCa.code, 1, "a certificate from another CA");
    assert.match(otherCa.stderr, /is not trusted/);
  });
  test("another subject or issuer is refused", async () => {
    const subject = await ocidist(["verify", `${host}/tk/private:v1`, "--policy", policy("someone@example.com")]);
    assert.equal(subject.code, 1, subject.stderr);
    assert.match(subject.stderr, /is not trusted: .*certificate identity/);
    const issuer = await ocidist(["verify", `${host}/tk/private:v1`, "--policy", policy(ID, "https://accounts.google.com")]);
    assert.equal(issuer.code, 1, issuer.stderr);
    assert.match(issuer.stderr, /is not trusted: .*OIDC issuer/);
  });
  test("an expired certificate is refused under the policy too", async () => {
    const out = join(tempDir(), "rootfs");
    const r = await ocidist(["export", `${host}/tk/private-expired:v1`, out, "--policy", policy(ID)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /expired|not valid/);
    assert.equal(existsSync(out), false);
  });
});
