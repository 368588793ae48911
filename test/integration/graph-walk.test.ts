/**
 * Graph walks that must end (issue 9, classes 7 and 13): a referrers list that names the
 * manifest asked about, or one of its ancestors, fails in one line instead of leaving the
 * process waiting for itself (exit 13) with a temporary file behind; a layout with a corrupt
 * blob copied to another layout fails cleanly at the default --jobs, leaving nothing.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { desc, image, layer, type Blob, type Image } from "../rig/build.js";
import { ocidist, tempDir } from "../helpers/cli.js";
import { sha256, startHostile, type HostileRegistry } from "../hostile/registry.js";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
let h: HostileRegistry;
let a: Image;
const referrers = new Map<string, Blob[]>();

/** A referrer artifact of `subject`. */
function artifact(subject: Blob, n: number): Blob {
  const empty = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/example", config: empty, layers: [empty], subject: desc(subject), annotations: { n: String(n) } }));
  return { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(bytes), size: bytes.length, bytes };
}

before(async () => {
  h = await startHostile();
  a = image([await layer([{ name: "a.txt", content: "a\n" }])]);
  for (const b of [a.config, ...a.layers]) h.blob("r", b.bytes);
  h.blob("r", "{}");
  h.manifest("r", ["v1", a.manifest.digest], a.manifest.bytes, a.manifest.mediaType);
  h.override("GET", /^\/v2\/r\/referrers\//, (_req, res, url) => {
    const digest = decodeURIComponent(url.pathname.split("/").pop()!);
    const list = referrers.get(digest) ?? [];
    res.writeHead(200, { "content-type": OCI_INDEX });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: list.map((m) => desc(m, { artifactType: "application/example" })) }));
  });
});

after(() => h.close());

/** Copies with --referrers into a fresh layout; must fail in one line naming the loop, leaving nothing. */
async function copyFails(re: RegExp): Promise<void> {
  const dir = tempDir("ocidist-walk-");
  const out = join(dir, "out");
  const r = await ocidist(["copy", "--referrers", `${h.host}/r:v1`, `oci:${out}`]);
  assert.equal(r.code, 1, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.deepEqual(readdirSync(dir), [], "nothing left beside the destination");
}

describe("graph walks end", () => {
  test("a referrers list naming the manifest itself fails in one line", async () => {
    referrers.clear();
    referrers.set(a.manifest.digest, [a.manifest]);
    // Its bytes name no subject: the list is refused before any loop can start.
    await copyFails(/lists sha256:[0-9a-f]{64} as a referrer of sha256:[0-9a-f]{64}, but its subject is absent/);
  });

  test("a referrer whose own referrers name its subject (a loop of two) fails in one line", async () => {
    referrers.clear();
    const r1 = artifact(a.manifest, 1);
    h.manifest("r", [r1.digest], r1.bytes, r1.mediaType);
    referrers.set(a.manifest.digest, [r1]);
    referrers.set(r1.digest, [a.manifest]);
    await copyFails(new RegExp(`lists ${a.manifest.digest} as a referrer of ${r1.digest}, but its subject is absent`));
  });

  test("a chain of referrers deeper than the walk's limit fails in one line", async () => {
    referrers.clear();
    let subject: Blob = a.manifest;
    for (let i = 0; i < 34; i++) {
      const r = artifact(subject, i);
      h.manifest("r", [r.digest], r.bytes, r.mediaType);
      referrers.set(subject.digest, [r]);
      subject = r;
    }
    await copyFails(/more than 32 manifests deep/);
  });

  test("a referrer listed under a manifest it does not name is refused; under its subject, the chain is copied", async () => {
    referrers.clear();
    const r1 = artifact(a.manifest, 1);
    const r2 = artifact(r1, 2);
    h.manifest("r", [r1.digest], r1.bytes, r1.mediaType);
    h.manifest("r", [r2.digest], r2.bytes, r2.mediaType);
    referrers.set(a.manifest.digest, [r1, r2]);
    referrers.set(r1.digest, [r2]);
    await copyFails(new RegExp(`lists ${r2.digest} as a referrer of ${a.manifest.digest}, but its subject is ${r1.digest}`));
    referrers.set(a.manifest.digest, [r1]);
    const out = join(tempDir("ocidist-walk-"), "out");
    const r = await ocidist(["copy", "--referrers", `${h.host}/r:v1`, `oci:${out}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, "blobs", "sha256", r2.digest.slice(7))));
  });
});

describe("copying a damaged layout", () => {
  test("a corrupt blob in a layout copied to another layout fails in one line and leaves nothing", async () => {
    const src = join(tempDir("ocidist-walk-src-"), "layout");
    const layers = [];
    for (let i = 0; i < 6; i++) layers.push(await layer([{ name: `f${i}`, content: Buffer.alloc(256 * 1024, i + 1) }]));
    const img = image(layers);
    const dst0 = join(tempDir("ocidist-walk-"), "good");
    h.manifest("r", ["big"], img.manifest.bytes, img.manifest.mediaType);
    for (const b of [img.config, ...img.layers]) h.blob("r", b.bytes);
    const pulled = await ocidist(["copy", `${h.host}/r:big`, `oci:${dst0}`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    cpSync(dst0, src, { recursive: true });
    // Damage two layers, in place, keeping their sizes.
    for (const l of [layers[1]!, layers[4]!]) writeFileSync(join(src, "blobs", "sha256", l.digest.slice(7)), Buffer.alloc(l.size, 0));
    const dir = tempDir("ocidist-walk-");
    const out = join(dir, "copy");
    mkdirSync(dir, { recursive: true });
    const r = await ocidist(["copy", `oci:${src}:big`, `oci:${out}`]);
    assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /sha256:/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.deepEqual(readdirSync(dir), [], "no destination and no temporary file");
  });
});
