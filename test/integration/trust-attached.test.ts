/**
 * cosign attestations under the `.att` tag (a DSSE envelope layer, as `cosign attest` writes it)
 * next to a `.sig` signature: `signatures` lists both with their kind and tag, and
 * `copy --signatures` carries both tags, to a layout, an OCI archive and another repository, unchanged.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { blob, desc, type Image } from "../rig/build.js";
import { pushContent, pushImage } from "../rig/push.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { keyPair, keySignature, payloadFor, pushSignatures, sigTag, signPayload } from "../helpers/cosign-sign.js";

let host: string;
let img: Image;
let keyPath: string;
let attManifest: string;
let sigManifest: string;

/** The DSSE pre-authentication encoding the envelope's signature is over. */
function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

before(async () => {
  const rig = await getRig();
  const reg = rig.registries.open;
  host = reg.host;
  const key = keyPair("ec");
  writeFileSync((keyPath = join(tempDir("ocidist-trust-att-"), "cosign.pub")), key.pem);
  img = await simpleImage("trust-attached");
  await pushImage(rig, reg, "ta/app", img, ["v1"]);
  sigManifest = (await pushSignatures(rig, reg, "ta/app", img.manifest.digest, [keySignature(key.privateKey, payloadFor(`${host}/ta/app`, img.manifest.digest))])).digest;
  const statement = Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v0.1", predicateType: "https://slsa.dev/provenance/v0.2", subject: [{ name: `${host}/ta/app`, digest: { sha256: img.manifest.digest.slice(7) } }], predicate: {} }));
  const type = "application/vnd.in-toto+json";
  const envelope = { payloadType: type, payload: statement.toString("base64"), signatures: [{ keyid: "", sig: signPayload(key.privateKey, pae(type, statement)) }] };
  const layer = blob("application/vnd.dsse.envelope.v1+json", Buffer.from(JSON.stringify(envelope)), { "dev.cosignproject.cosign/signature": "", predicateType: "https://slsa.dev/provenance/v0.2" });
  const config = blob("application/vnd.oci.image.config.v1+json", Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: [layer.digest] } })));
  const doc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: desc(config), layers: [desc(layer)] };
  const manifest = blob(doc.mediaType, Buffer.from(JSON.stringify(doc)));
  await pushContent(rig, reg, "ta/app", [config, layer], [manifest], [sigTag(img.manifest.digest, "att")]);
  attManifest = manifest.digest;
});

type Listed = { kind: string; tag?: string; via: string };
const listed = async (ref: string): Promise<Listed[]> => {
  const r = await ocidist(["signatures", ref, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.out) as { signatures: Listed[] }).signatures;
};

describe("cosign attestations (.att)", () => {
  test("signatures lists the signature and the attestation, each with its tag", async () => {
    const sigs = await listed(`${host}/ta/app:v1`);
    assert.deepEqual(sigs.map((s) => [s.kind, s.via, s.tag]), [
      ["cosign-signature", "tag", sigTag(img.manifest.digest)],
      ["cosign-attestation", "tag", sigTag(img.manifest.digest, "att")],
    ]);
    const text = await ocidist(["signatures", `${host}/ta/app:v1`]);
    assert.match(text.out, /^cosign-attestation\s/m);
  });

  test("copy --signatures to a layout carries .sig and .att; both list there and the copy verifies", async () => {
    const out = join(tempDir(), "layout");
    const r = await ocidist(["copy", `${host}/ta/app:v1`, `oci:${out}:v1`, "--signatures", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.out) as { signatures: string[] }).signatures, [sigTag(img.manifest.digest), sigTag(img.manifest.digest, "att")]);
    assert.deepEqual((await listed(`oci:${out}:v1`)).map((s) => s.kind), ["cosign-signature", "cosign-attestation"]);
    const v = await ocidist(["verify", `oci:${out}:v1`, "--key", keyPath]);
    assert.equal(v.code, 0, v.stderr);
  });

  test("copy --signatures to an oci-archive: the archive lists both and verifies by key", async () => {
    const out = join(tempDir(), "app.tar");
    const r = await ocidist(["copy", `${host}/ta/app:v1`, `oci-archive:${out}:v1`, "--signatures"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await listed(`oci-archive:${out}:v1`)).map((s) => [s.kind, s.tag]), [
      ["cosign-signature", sigTag(img.manifest.digest)],
      ["cosign-attestation", sigTag(img.manifest.digest, "att")],
    ]);
    const v = await ocidist(["verify", `oci-archive:${out}:v1`, "--key", keyPath]);
    assert.equal(v.code, 0, v.stderr);
  });

  test("copy --signatures between repositories: the .att tag names the same manifest", async () => {
    const r = await ocidist(["copy", `${host}/ta/app:v1`, `${host}/ta/mirror:v1`, "--signatures"]);
    assert.equal(r.code, 0, r.stderr);
    const att = await ocidist(["digest", `${host}/ta/mirror:${sigTag(img.manifest.digest, "att")}`]);
    assert.equal(att.code, 0, att.stderr);
    assert.equal(att.out.trim(), attManifest);
    const sig = await ocidist(["digest", `${host}/ta/mirror:${sigTag(img.manifest.digest)}`]);
    assert.equal(sig.out.trim(), sigManifest);
  });

  test("copy without --signatures leaves them behind", async () => {
    const r = await ocidist(["copy", `${host}/ta/app:v1`, `${host}/ta/plain:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await listed(`${host}/ta/plain:v1`), []);
  });
});
