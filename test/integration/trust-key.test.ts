/**
 * Key-based cosign signatures made by the tests' own signer, pushed to a real registry:
 * `signatures` lists them, `verify --key` accepts exactly a valid signature over REF's digest
 * (ECDSA P-256, RSA, Ed25519) and names the layer that matched, and refuses another key,
 * another digest in the payload, a tampered signature and an unsigned image; `pull`,
 * `files`, `export` and `copy` write nothing when refused.
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
import { MAX_SIGNATURE_LAYERS } from "../../src/model/limits.js";
import { keyPair, keySignature, payloadFor, pushSignatures } from "../helpers/cosign-sign.js";

let rig: RigInfo;
let host: string;
let signed: Image;
let wrongDigest: Image;
let tampered: Image;
let unsigned: Image;
let crowded: Image;
let dir: string;
const keys: Record<string, string> = {};
const layerDigests: Record<string, string> = {};

before(async () => {
  rig = await getRig();
  const reg = rig.registries.open;
  host = reg.host;
  dir = tempDir("ocidist-trust-key-");
  const pairs = { ec: keyPair("ec"), rsa: keyPair("rsa"), ed25519: keyPair("ed25519"), other: keyPair("ec") };
  for (const [k, p] of Object.entries(pairs)) writeFileSync((keys[k] = join(dir, `${k}.pub`)), p.pem);
  signed = await simpleImage("trust-signed");
  wrongDigest = await simpleImage("trust-wrong-digest");
  tampered = await simpleImage("trust-tampered");
  unsigned = await simpleImage("trust-unsigned");
  await pushImage(rig, reg, "trust/signed", signed, ["v1"]);
  await pushImage(rig, reg, "trust/wrong", wrongDigest, ["v1"]);
  await pushImage(rig, reg, "trust/tampered", tampered, ["v1"]);
  await pushImage(rig, reg, "trust/unsigned", unsigned, ["v1"]);
  const payload = payloadFor(`${host}/trust/signed`, signed.manifest.digest);
  const layers = (["ec", "rsa", "ed25519"] as const).map((k) => keySignature(pairs[k].privateKey, payload));
  // Three layers with one payload would be one blob: each key's payload differs in `optional`.
  layers.forEach((l, i) => {
    const doc = JSON.parse(l.payload.toString()) as Record<string, unknown>;
    doc.optional = { signer: i };
    l.payload = Buffer.from(JSON.stringify(doc));
  });
  const resigned = (["ec", "rsa", "ed25519"] as const).map((k, i) => keySignature(pairs[k].privateKey, layers[i]!.payload));
  const manifest = await pushSignatures(rig, reg, "trust/signed", signed.manifest.digest, resigned);
  const doc = JSON.parse(manifest.bytes.toString()) as { layers: { digest: string }[] };
  (["ec", "rsa", "ed25519"] as const).forEach((k, i) => (layerDigests[k] = doc.layers[i]!.digest));
  // A valid signature, but over another image's digest.
  await pushSignatures(rig, reg, "trust/wrong", wrongDigest.manifest.digest, [keySignature(pairs.ec.privateKey, payloadFor(`${host}/trust/wrong`, signed.manifest.digest))]);
  // A signature whose bytes were changed after signing.
  const good = keySignature(pairs.ec.privateKey, payloadFor(`${host}/trust/tampered`, tampered.manifest.digest));
  const sig = Buffer.from(good.annotations["dev.cosignproject.cosign/signature"]!, "base64");
  sig[sig.length - 1]! ^= 1;
  good.annotations["dev.cosignproject.cosign/signature"] = sig.toString("base64");
  await pushSignatures(rig, reg, "trust/tampered", tampered.manifest.digest, [good]);
  // One layer more than verification reads: refused before any payload is read.
  crowded = await simpleImage("trust-crowded");
  await pushImage(rig, reg, "trust/crowded", crowded, ["v1"]);
  const one = keySignature(pairs.ec.privateKey, payloadFor(`${host}/trust/crowded`, crowded.manifest.digest));
  await pushSignatures(rig, reg, "trust/crowded", crowded.manifest.digest, Array.from({ length: MAX_SIGNATURE_LAYERS + 1 }, () => one));
});

describe("signatures", () => {
  test("lists the cosign signature layers of a tag, with --json", async () => {
    const r = await ocidist(["signatures", `${host}/trust/signed:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { digest: string; signatures: { kind: string; digest: string; signer: string; tag: string }[] };
    assert.equal(doc.digest, signed.manifest.digest);
    assert.deepEqual(doc.signatures.map((s) => s.digest), [layerDigests.ec, layerDigests.rsa, layerDigests.ed25519]);
    for (const s of doc.signatures) {
      assert.equal(s.kind, "cosign-signature");
      assert.equal(s.signer, "key");
      assert.equal(s.tag, `sha256-${signed.manifest.digest.slice(7)}.sig`);
    }
  });

  test("an unsigned image has none", async () => {
    const r = await ocidist(["signatures", `${host}/trust/unsigned:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.out) as { signatures: unknown[] }).signatures, []);
  });
});

describe("verify --key", () => {
  for (const kind of ["ec", "rsa", "ed25519"]) {
    test(`accepts the ${kind} signature and names its layer`, async () => {
      const r = await ocidist(["verify", `${host}/trust/signed:v1`, "--key", keys[kind]!]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.out, new RegExp(`signature ${layerDigests[kind]} by key`));
      assert.ok(r.out.includes(signed.manifest.digest));
    });
  }

  test("--json gives the match", async () => {
    const r = await ocidist(["verify", `${host}/trust/signed@${signed.manifest.digest}`, "--key", keys.rsa!, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { verified: boolean; digest: string; matches: { layer: string }[] };
    assert.equal(doc.verified, true);
    assert.equal(doc.matches[0]!.layer, layerDigests.rsa);
  });

  const refused: [string, () => string, string, RegExp][] = [
    ["another key", () => `${host}/trust/signed:v1`, "other", /does not verify/],
    ["a payload naming another digest", () => `${host}/trust/wrong:v1`, "ec", /payload names/],
    ["a tampered signature", () => `${host}/trust/tampered:v1`, "ec", /does not verify/],
    ["an unsigned image", () => `${host}/trust/unsigned:v1`, "ec", /no signatures found/],
    ["more signature layers than are read", () => `${host}/trust/crowded:v1`, "ec", new RegExp(`${MAX_SIGNATURE_LAYERS + 1} signature layers, over the ${MAX_SIGNATURE_LAYERS}`)],
  ];
  for (const [what, ref, key, why] of refused) {
    test(`refuses ${what}`, async () => {
      const r = await ocidist(["verify", ref(), "--key", keys[key]!]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    });
  }

  test("signatures refuses more signature layers than are read", async () => {
    const r = await ocidist(["signatures", `${host}/trust/crowded:v1`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`over the ${MAX_SIGNATURE_LAYERS} listed`));
  });

  test("a file that is not a public key is a usage error", async () => {
    const bad = join(dir, "bad.pub");
    writeFileSync(bad, "not a key\n");
    const r = await ocidist(["verify", `${host}/trust/signed:v1`, "--key", bad]);
    assert.equal(r.code, 2, r.stderr);
  });
});

describe("writing commands verify first", () => {
  test("pull --key writes the archive when the signature verifies", async () => {
    const out = join(tempDir(), "ok.tar");
    const r = await ocidist(["pull", `${host}/trust/signed:v1`, "-o", out, "--key", keys.ec!, "--progress", "plain"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.match(r.stderr, /verified: signature/);
  });

  const cases: [string, (out: string) => string[]][] = [
    ["pull", (out) => ["pull", `${host}/trust/tampered:v1`, "-o", out]],
    ["pull (oci)", (out) => ["pull", `${host}/trust/unsigned:v1`, "-o", out, "--format", "oci"]],
    ["copy", (out) => ["copy", `${host}/trust/wrong:v1`, `oci:${out}:v1`]],
    ["files", (out) => ["files", `${host}/trust/unsigned:v1`, "-o", out]],
    ["export", (out) => ["export", `${host}/trust/tampered:v1`, out]],
  ];
  for (const [name, args] of cases) {
    test(`${name} refused: nothing is written`, async () => {
      const out = join(tempDir(), "out");
      const r = await ocidist([...args(out), "--key", keys.ec!]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /is not trusted/);
      assert.equal(existsSync(out), false);
    });
  }

  test("copy to a registry refused leaves the tag absent", async () => {
    const r = await ocidist(["copy", `${host}/trust/unsigned:v1`, `${host}/trust/refused:v1`, "--key", keys.ec!]);
    assert.equal(r.code, 1, r.stderr);
    const d = await ocidist(["digest", `${host}/trust/refused:v1`]);
    assert.notEqual(d.code, 0);
  });

  test("copy --signatures carries the .sig tag; the copy verifies offline", async () => {
    const out = join(tempDir(), "layout");
    const r = await ocidist(["copy", `${host}/trust/signed:v1`, `oci:${out}:v1`, "--signatures", "--key", keys.ec!, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.out) as { signatures: string[] }).signatures, [`sha256-${signed.manifest.digest.slice(7)}.sig`]);
    const v = await ocidist(["verify", `oci:${out}:v1`, "--key", keys.ed25519!]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.out, new RegExp(layerDigests.ed25519!));
    const s = await ocidist(["signatures", `oci:${out}:v1`, "--json"]);
    assert.equal((JSON.parse(s.out) as { signatures: unknown[] }).signatures.length, 3);
  });

  test("copy --signatures between registries: the mirror's tag verifies", async () => {
    const r = await ocidist(["copy", `${host}/trust/signed:v1`, `${host}/trust/mirror:v1`, "--signatures"]);
    assert.equal(r.code, 0, r.stderr);
    const v = await ocidist(["verify", `${host}/trust/mirror:v1`, "--key", keys.ec!]);
    assert.equal(v.code, 0, v.stderr);
  });
});
