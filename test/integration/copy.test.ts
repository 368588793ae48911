/**
 * copy, push, tag and delete between two real registries with separate storage: digests kept
 * byte for byte, round trips through each local format, mounts within a registry, referrers,
 * and pushes that the token registry refuses.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let s: Seeded;
let src: string;
let dst: string;
let dstFlags: string[];

before(async () => {
  rig = await getRig();
  s = await seed(rig, rig.registries.open, "copysrc");
  src = rig.registries.open.host;
  dst = rig.registries.tls.host;
  dstFlags = regFlags(rig.registries.tls);
});

async function digestAt(ref: string, flags: string[] = []): Promise<string> {
  const r = await ocidist(["digest", ref, ...flags]);
  assert.equal(r.code, 0, r.stderr);
  return r.out.trim();
}

describe("copy between registries", () => {
  test("an OCI index with attestations, a Docker list and a signed schema1 keep their digests", async () => {
    for (const [repo, tag, digest] of [
      [s.repos.multi, "v1", s.multi.index.digest],
      [s.repos.list, "v1", s.list.index.digest],
      [s.repos.schema1, "signed", s.schema1!.signed.digest],
    ] as const) {
      const r = await ocidist(["copy", `${src}/${repo}:${tag}`, `${dst}/copied/${repo}:${tag}`, ...dstFlags, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await digestAt(`${dst}/copied/${repo}:${tag}`, dstFlags), digest);
    }
    for (const img of s.multi.all) assert.equal(await digestAt(`${dst}/copied/${s.repos.multi}@${img.manifest.digest}`, dstFlags), img.manifest.digest);
  });

  test("a second copy skips every blob", async () => {
    const r = await ocidist(["copy", `${src}/${s.repos.multi}:v1`, `${dst}/copied/${s.repos.multi}:v1`, ...dstFlags, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { uploaded: number; mounted: number };
    assert.equal(doc.uploaded, 0);
  });

  test("--platform copies one image", async () => {
    const r = await ocidist(["copy", `${src}/${s.repos.multi}:v1`, `${dst}/one/multi:arm`, "--platform", "linux/arm/v7", ...dstFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await digestAt(`${dst}/one/multi:arm`, dstFlags), s.multi.images[2]!.manifest.digest);
  });

  test("within one registry, blobs are mounted instead of uploaded", async () => {
    const r = await ocidist(["copy", `${src}/${s.repos.layered}:v1`, `${src}/mounted/layered:v1`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.out) as { uploaded: number; mounted: number };
    assert.equal(doc.uploaded, 0);
    assert.equal(doc.mounted, 3, "config and two layers mounted");
    assert.equal(await digestAt(`${src}/mounted/layered:v1`), s.layered.manifest.digest);
  });

  test("--referrers copies the referrer and maintains the fallback tag", async () => {
    const r = await ocidist(["copy", "--referrers", `${src}/${s.repos.simple}:v1`, `${dst}/withrefs/simple:v1`, ...dstFlags]);
    assert.equal(r.code, 0, r.stderr);
    const refs = await ocidist(["referrers", "--json", `${dst}/withrefs/simple:v1`, ...dstFlags]);
    const doc = JSON.parse(refs.out) as { referrers: { digest: string; artifactType: string; annotations: Record<string, string> }[] };
    assert.deepEqual(doc.referrers.map((d) => [d.digest, d.artifactType, d.annotations["org.example.kind"]]), [[s.artifact.referrer.manifest.digest, "application/spdx+json", "sbom"]]);
  });

  test("chunked uploads give the same digests", async () => {
    const r = await ocidist(["copy", "--chunk-size", "100", `${src}/${s.repos.layered}:v1`, `${dst}/chunked/layered:v1`, ...dstFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await digestAt(`${dst}/chunked/layered:v1`, dstFlags), s.layered.manifest.digest);
  });
});

describe("round trips through local formats", () => {
  test("OCI layout and OCI archive keep every digest; docker archive keeps layers and config", async () => {
    const dir = tempDir();
    for (const loc of [`oci:${join(dir, "layout")}:v1`, `oci-archive:${join(dir, "img.tar")}:v1`]) {
      assert.equal((await ocidist(["copy", `${src}/${s.repos.multi}:v1`, loc])).code, 0);
      const back = await ocidist(["copy", loc, `${dst}/roundtrip/${loc.split(":")[0]}:v1`, ...dstFlags]);
      assert.equal(back.code, 0, back.stderr);
      assert.equal(await digestAt(`${dst}/roundtrip/${loc.split(":")[0]}:v1`, dstFlags), s.multi.index.digest);
    }
    const archive = join(dir, "docker.tar");
    assert.equal((await ocidist(["pull", `${src}/${s.repos.layered}:v1`, "-o", archive])).code, 0);
    const push = await ocidist(["push", archive, `${dst}/roundtrip/docker:v1`, ...dstFlags]);
    assert.equal(push.code, 0, push.stderr);
    const cfg = await ocidist(["config", `${dst}/roundtrip/docker:v1`, ...dstFlags]);
    assert.deepEqual(cfg.stdout, s.layered.config.bytes);
    const ins = JSON.parse((await ocidist(["inspect", "--json", `${dst}/roundtrip/docker:v1`, ...dstFlags])).out) as { image: { layers: { digest: string }[] } };
    assert.deepEqual(ins.image.layers.map((l) => l.digest), s.layered.layers.map((l) => l.digest));
  });
});

describe("push with token auth, tag and delete", () => {
  test("pushing needs credentials, fails in one line naming what is missing, and tags nothing", async () => {
    const reg = rig.registries.token;
    const dir = tempDir();
    const layout = join(dir, "layout");
    assert.equal((await ocidist(["pull", `${src}/${s.repos.simple}:v1`, "--format", "oci", "-o", layout])).code, 0);
    const denied = await ocidist(["push", layout, `${reg.host}/alice/pushed:v1`]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr.trim().split("\n").length, 1, denied.stderr);
    assert.match(denied.stderr, /alice\/pushed.*repository:alice\/pushed:pull,push/);
    const notFound = await ocidist(["tags", `${reg.host}/alice/pushed`, "-u", "alice", "-p", "alice-secret"]);
    assert.equal(notFound.code, 1, "nothing was tagged");
    const bobDenied = await ocidist(["push", layout, `${reg.host}/alice/pushed:v1`, "-u", "bob", "-p", "bob-secret"]);
    assert.equal(bobDenied.code, 1);
    const ok = await ocidist(["push", layout, `${reg.host}/alice/pushed:v1`, "-u", "alice", "-p", "alice-secret"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await digestAt(`${reg.host}/alice/pushed:v1`, ["-u", "alice", "-p", "alice-secret"]), s.simple.manifest.digest);
  });

  test("--src-creds and --dest-creds give each side of a copy its own credentials", async () => {
    const basic = rig.registries.basic.host;
    const token = rig.registries.token.host;
    const tls = ["--ca-file", rig.caFile];
    const seeded = await ocidist(["copy", `${src}/${s.repos.simple}:v1`, `${basic}/sides/simple:v1`, "--dest-creds", "alice:alice-secret", ...tls]);
    assert.equal(seeded.code, 0, seeded.stderr);
    // -u/-p (alice) would serve both sides; the per-side flags win over them.
    const both = ["-u", "alice", "-p", "alice-secret", ...tls];
    const ok = await ocidist(["copy", `${basic}/sides/simple:v1`, `${token}/bob/sides:v1`, "--src-creds", "bob:bob-secret", "--dest-creds", "bob:bob-secret", ...both]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await digestAt(`${token}/bob/sides:v1`, both), s.simple.manifest.digest);
    const denied = await ocidist(["copy", `${basic}/sides/simple:v1`, `${token}/alice/sides:v1`, "--dest-creds", "bob:bob-secret", ...both]);
    assert.equal(denied.code, 1, "bob may not push to alice/, though -u alice could");
    assert.match(denied.stderr, /alice\/sides/);
    const wrongSource = await ocidist(["copy", `${basic}/sides/simple:v1`, `${token}/bob/sides2:v1`, "--src-creds", "alice:wrong", "--dest-creds", "bob:bob-secret", ...tls]);
    assert.equal(wrongSource.code, 1);
    const clash = await ocidist(["copy", `${token}/bob/sides:v1`, `${token}/bob/other:v1`, "--src-creds", "alice:alice-secret", "--dest-creds", "bob:bob-secret", ...tls]);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /one set of credentials serves both/);
    const local = await ocidist(["copy", `oci:${tempDir()}`, `${token}/bob/x:v1`, "--src-creds", "bob:bob-secret"]);
    assert.equal(local.code, 2);
    assert.match(local.stderr, /--src-creds is for a registry/);
  });

  test("tag adds names without moving blobs; delete --force removes the manifest with every tag", async () => {
    const reg = rig.registries.open.host;
    assert.equal((await ocidist(["copy", `${reg}/${s.repos.simple}:v1`, `${reg}/tagged/simple:v1`])).code, 0);
    const t = await ocidist(["tag", `${reg}/tagged/simple:v1`, "v2", "latest"]);
    assert.equal(t.code, 0, t.stderr);
    const tags = (await ocidist(["tags", `${reg}/tagged/simple`])).out.trim().split("\n").sort();
    assert.deepEqual(tags, ["latest", "v1", "v2"]);
    assert.equal(await digestAt(`${reg}/tagged/simple:v2`), s.simple.manifest.digest);
    const bad = await ocidist(["tag", `${reg}/tagged/simple:v1`, "bad tag"]);
    assert.equal(bad.code, 2);
    // The manifest has three tags: deleting one by name would take the others along.
    const refused = await ocidist(["delete", `${reg}/tagged/simple:v2`]);
    assert.equal(refused.code, 1);
    const d = await ocidist(["delete", `${reg}/tagged/simple:v2`, "--force"]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /and its tags (?:latest|v1|v2), (?:latest|v1|v2), (?:latest|v1|v2)$/m);
    const gone = await ocidist(["manifest", `${reg}/tagged/simple@${s.simple.manifest.digest}`]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /MANIFEST_UNKNOWN/);
  });
});
