/**
 * `files --attestation BUNDLE`: a Homebrew-shaped bottle pushed to the rig, and a GitHub-style
 * attestation (in-toto statement in a DSSE sigstore bundle, signed by the test Fulcio, logged in
 * the test Rekor) naming the bottle's sha256: the files are saved only when the bundle verifies
 * for the identity and issuer given and its subject is the bottle's digest.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { bottle } from "../rig/fixtures.js";
import { pushIndex } from "../rig/push.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { testSigstore, type TestSigstore } from "../helpers/cosign-sign.js";

const ID = "https://github.com/Homebrew/homebrew-core/.github/workflows/publish-commit-bottles.yml@refs/heads/master";
const ISSUER = "https://token.actions.githubusercontent.com";
let host: string;
let dir: string;
let root: string;
let ss: TestSigstore;
let bottleDigest: string;
let ref: string;

before(async () => {
  const rig = await getRig();
  host = rig.registries.open.host;
  dir = tempDir("ocidist-trust-att-");
  ss = await testSigstore();
  writeFileSync((root = join(dir, "trusted_root.json")), JSON.stringify(ss.trustedRoot));
  const b = await bottle();
  await pushIndex(rig, rig.registries.open, "ta/wget", b.images, b.index, ["1.24.5"]);
  bottleDigest = b.images[1]!.layers[0]!.digest;
  ref = `${host}/ta/wget:1.24.5`;
});

const statement = (digest: string) => ({ _type: "https://in-toto.io/Statement/v1", subject: [{ name: "wget--1.24.5.arm64_sonoma.bottle.tar.gz", digest: { sha256: digest.slice(7) } }], predicateType: "https://slsa.dev/provenance/v1", predicate: {} });
let n = 0;
async function bundleFile(doc: unknown, jsonLines = false): Promise<string> {
  const p = join(dir, `att-${++n}.json`);
  writeFileSync(p, jsonLines ? `${JSON.stringify(doc)}\n` : JSON.stringify(doc));
  return p;
}
const flags = (issuer = ISSUER) => ["--platform", "darwin/arm64", "--certificate-identity", ID, "--certificate-oidc-issuer", issuer, "--trusted-root", root];

describe("files --attestation", () => {
  test("a bundle naming the bottle's digest: the bottle is saved, and the signer named", async () => {
    const att = await bundleFile(await ss.attest(statement(bottleDigest), ID, ISSUER));
    const out = join(tempDir(), "out");
    const r = await ocidist(["files", ref, "-o", out, "--attestation", att, ...flags(), "--progress", "plain"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, "wget--1.24.5.arm64_sonoma.bottle.tar.gz")));
    assert.match(r.stderr, new RegExp(`attested by ${ID.replace(/[.?]/g, "\\$&")}`));
  });

  test("GitHub's API shape and JSON lines are read", async () => {
    const bundle = await ss.attest(statement(bottleDigest), ID, ISSUER);
    for (const att of [await bundleFile({ attestations: [{ bundle }] }), await bundleFile(bundle, true)]) {
      const r = await ocidist(["files", ref, "-o", join(tempDir(), "o"), "--attestation", att, ...flags()]);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  const refused: [string, () => Promise<[string, string[]]>, RegExp][] = [
    ["a statement about another digest", async () => [await bundleFile(await ss.attest(statement(`sha256:${"0".repeat(64)}`), ID, ISSUER)), flags()], /no verified statement names/],
    ["another issuer", async () => [await bundleFile(await ss.attest(statement(bottleDigest), ID, ISSUER)), flags("https://accounts.google.com")], /OIDC issuer/],
    ["another identity", async () => [await bundleFile(await ss.attest(statement(bottleDigest), "https://github.com/mallory/x/.github/workflows/x.yml@refs/heads/main", ISSUER)), flags()], /certificate identity/],
    [
      "a changed statement",
      async () => {
        const b = (await ss.attest(statement(`sha256:${"0".repeat(64)}`), ID, ISSUER)) as { dsseEnvelope: { payload: string } };
        b.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement(bottleDigest))).toString("base64");
        return [await bundleFile(b), flags()];
      },
      /no bundle verifies/,
    ],
  ];
  for (const [what, make, why] of refused) {
    test(`refuses ${what}: nothing is written`, async () => {
      const [att, f] = await make();
      const out = join(tempDir(), "out");
      const r = await ocidist(["files", ref, "-o", out, "--attestation", att, ...f]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
      assert.equal(existsSync(out), false);
    });
  }

  test("--attestation without keyless options is a usage error", async () => {
    const r = await ocidist(["files", ref, "-o", join(tempDir(), "o"), "--attestation", join(dir, "none.json")]);
    assert.equal(r.code, 2, r.stderr);
  });
});
