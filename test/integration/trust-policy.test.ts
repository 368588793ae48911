/**
 * `--policy FILE` (containers-policy.json) against a real registry: the most specific
 * docker scope wins, `reject` and `insecureAcceptAnything`, `sigstoreSigned` with `keyPath`
 * and `keyData`, and `signedIdentity` comparing the payload's docker-reference (a mirror's
 * copy is refused under `matchRepository`, accepted under `exactRepository` and
 * `remapIdentity`); refused pulls and exports write nothing.
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
import { keyPair, keySignature, payloadFor, pushSignatures } from "../helpers/cosign-sign.js";

let host: string;
let img: Image;
let dir: string;
let keyPath: string;
let keyPem: string;
let otherPath: string;

before(async () => {
  const rig: RigInfo = await getRig();
  const reg = rig.registries.open;
  host = reg.host;
  dir = tempDir("ocidist-trust-policy-");
  const key = keyPair("ec");
  keyPem = key.pem;
  writeFileSync((keyPath = join(dir, "cosign.pub")), key.pem);
  writeFileSync((otherPath = join(dir, "other.pub")), keyPair("ec").pem);
  img = await simpleImage("trust-policy");
  const sig = [keySignature(key.privateKey, payloadFor(`${host}/tp/signed`, img.manifest.digest))];
  // The same image and signature in the original repository and in a mirror of it.
  for (const repo of ["tp/signed", "tp/mirror"]) {
    await pushImage(rig, reg, repo, img, ["v1"]);
    await pushSignatures(rig, reg, repo, img.manifest.digest, sig);
  }
  await pushImage(rig, reg, "tp/unsigned", await simpleImage("trust-policy-unsigned"), ["v1"]);
});

let n = 0;
function policy(doc: unknown): string {
  const p = join(dir, `policy-${++n}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}
const signedBy = (extra: Record<string, unknown> = {}) => ({ type: "sigstoreSigned", keyPath, ...extra });
const rejectAllBut = (scopes: Record<string, unknown[]>) => policy({ default: [{ type: "reject" }], transports: { docker: scopes } });

async function verify(ref: string, policyPath: string, extra: string[] = []) {
  return ocidist(["verify", ref, "--policy", policyPath, ...extra]);
}

describe("scopes", () => {
  test("default reject refuses what no scope names", async () => {
    const r = await verify(`${host}/tp/unsigned:v1`, rejectAllBut({ [`${host}/tp/signed`]: [signedBy({ signedIdentity: { type: "matchRepository" } })] }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /policy rejects it \(default\)/);
  });

  test("a repository scope with sigstoreSigned accepts the signed image", async () => {
    const r = await verify(`${host}/tp/signed:v1`, rejectAllBut({ [`${host}/tp/signed`]: [signedBy({ signedIdentity: { type: "matchRepository" } })] }));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.out.includes(`policy docker:${host}/tp/signed`), r.out);
  });

  test("the longest match wins: a tag scope over its repository, a repository over its registry", async () => {
    const p = rejectAllBut({ [host]: [{ type: "reject" }], [`${host}/tp`]: [{ type: "insecureAcceptAnything" }], [`${host}/tp/signed:v1`]: [{ type: "reject" }] });
    const tagged = await verify(`${host}/tp/signed:v1`, p);
    assert.equal(tagged.code, 1);
    assert.match(tagged.stderr, /tp\/signed:v1/);
    const other = await verify(`${host}/tp/unsigned:v1`, p);
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.out, /accepted without a signature \(policy docker:.*\/tp\)/);
  });

  test("insecureAcceptAnything as default accepts an unsigned image", async () => {
    const r = await verify(`${host}/tp/unsigned:v1`, policy({ default: [{ type: "insecureAcceptAnything" }] }));
    assert.equal(r.code, 0, r.stderr);
  });

  test("the transport's empty scope applies before default", async () => {
    const r = await verify(`${host}/tp/unsigned:v1`, policy({ default: [{ type: "insecureAcceptAnything" }], transports: { docker: { "": [{ type: "reject" }] } } }));
    assert.equal(r.code, 1);
  });
});

describe("sigstoreSigned", () => {
  test("keyData (base64 PEM) works as keyPath does", async () => {
    const r = await verify(`${host}/tp/signed:v1`, policy({ default: [{ type: "sigstoreSigned", keyData: Buffer.from(keyPem).toString("base64"), signedIdentity: { type: "matchRepository" } }] }));
    assert.equal(r.code, 0, r.stderr);
  });

  test("another key is refused", async () => {
    const r = await verify(`${host}/tp/signed:v1`, policy({ default: [{ type: "sigstoreSigned", keyPath: otherPath, signedIdentity: { type: "matchRepository" } }] }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not verify/);
  });

  test("matchRepoDigestOrExact (the default): a digest reference in the signed repository passes, a tag does not match cosign's untagged identity", async () => {
    const p = policy({ default: [signedBy()] });
    const byDigest = await verify(`${host}/tp/signed@${img.manifest.digest}`, p);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    const byTag = await verify(`${host}/tp/signed:v1`, p);
    assert.equal(byTag.code, 1);
    assert.match(byTag.stderr, /matchRepoDigestOrExact does not accept/);
  });

  test("matchRepository refuses the mirror's copy (signed for another repository); --key alone accepts it", async () => {
    const r = await verify(`${host}/tp/mirror:v1`, policy({ default: [signedBy({ signedIdentity: { type: "matchRepository" } })] }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /signed for .*tp\/signed/);
    const key = await ocidist(["verify", `${host}/tp/mirror:v1`, "--key", keyPath]);
    assert.equal(key.code, 0, key.stderr);
  });

  test("exactRepository and remapIdentity accept the mirror's copy", async () => {
    const exact = await verify(`${host}/tp/mirror:v1`, policy({ default: [signedBy({ signedIdentity: { type: "exactRepository", dockerRepository: `${host}/tp/signed` } })] }));
    assert.equal(exact.code, 0, exact.stderr);
    const remap = await verify(`${host}/tp/mirror@${img.manifest.digest}`, policy({ default: [signedBy({ signedIdentity: { type: "remapIdentity", prefix: `${host}/tp/mirror`, signedPrefix: `${host}/tp/signed` } })] }));
    assert.equal(remap.code, 0, remap.stderr);
  });

  test("exactReference compares the whole reference", async () => {
    const r = await verify(`${host}/tp/signed:v1`, policy({ default: [signedBy({ signedIdentity: { type: "exactReference", dockerReference: `${host}/tp/signed:v1` } })] }));
    assert.equal(r.code, 1, "cosign signs the untagged repository, so a tagged exactReference cannot match");
  });

  test("signedBy (GPG) can never pass", async () => {
    const r = await verify(`${host}/tp/signed:v1`, policy({ default: [{ type: "signedBy", keyType: "GPGKeys", keyPath }] }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /GPG/);
  });

  test("a malformed policy is a usage error", async () => {
    for (const doc of [{}, { default: [{ type: "nonsense" }] }, { default: [{ type: "sigstoreSigned" }] }]) {
      const r = await verify(`${host}/tp/signed:v1`, policy(doc));
      assert.equal(r.code, 2, JSON.stringify(doc));
    }
  });
});

describe("refused by policy, nothing written", () => {
  const p = () => policy({ default: [{ type: "reject" }], transports: { docker: { [`${host}/tp/signed`]: [signedBy({ signedIdentity: { type: "matchRepository" } })] } } });
  test("pull of the mirror's copy under matchRepository writes no archive", async () => {
    const out = join(tempDir(), "mirror.tar");
    const r = await ocidist(["pull", `${host}/tp/mirror:v1`, "-o", out, "--policy", p()]);
    assert.equal(r.code, 1);
    assert.equal(existsSync(out), false);
  });
  test("export of an unsigned image writes no directory; the signed one exports", async () => {
    const out = join(tempDir(), "rootfs");
    const r = await ocidist(["export", `${host}/tp/unsigned:v1`, out, "--policy", p()]);
    assert.equal(r.code, 1);
    assert.equal(existsSync(out), false);
    const ok = await ocidist(["export", `${host}/tp/signed:v1`, out, "--policy", p()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(out, "etc/hello")));
  });
  test("copy of the mirror's copy writes no layout and no registry tag; the signed one copies", async () => {
    const out = join(tempDir(), "layout");
    const r = await ocidist(["copy", `${host}/tp/mirror:v1`, `oci:${out}:v1`, "--policy", p()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not trusted/);
    assert.equal(existsSync(out), false);
    const reg = await ocidist(["copy", `${host}/tp/unsigned:v1`, `${host}/tp/refused:v1`, "--policy", p()]);
    assert.equal(reg.code, 1);
    assert.notEqual((await ocidist(["digest", `${host}/tp/refused:v1`])).code, 0, "the refused tag was pushed");
    const ok = await ocidist(["copy", `${host}/tp/signed:v1`, `oci:${out}:v1`, "--policy", p()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(out, "index.json")));
  });
  test("the README's careful path: copy by digest with --signatures under the policy, then verify the layout offline", async () => {
    const out = join(tempDir(), "mirror");
    const r = await ocidist(["copy", `${host}/tp/signed@${img.manifest.digest}`, `oci:${out}:1.4`, "--signatures", "--policy", p()]);
    assert.equal(r.code, 0, r.stderr);
    const digests = await ocidist(["verify", `oci:${out}:1.4`]);
    assert.equal(digests.code, 0, digests.stderr);
    const signed = await ocidist(["verify", `oci:${out}:1.4`, "--key", keyPath]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.ok(signed.out.includes(img.manifest.digest), signed.out);
  });
  test("files of an unsigned image writes no directory; the signed one writes its files", async () => {
    const out = join(tempDir(), "files");
    const r = await ocidist(["files", `${host}/tp/unsigned:v1`, "-o", out, "--policy", p()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not trusted/);
    assert.equal(existsSync(out), false);
    const ok = await ocidist(["files", `${host}/tp/signed:v1`, "-o", out, "--policy", p()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(out));
  });
});
