/**
 * The standard fixture set, built in memory and pushed by the tests' own pusher: a plain
 * image, a multi-layer image with whiteouts, an OCI index with attestation entries listed
 * first, a Docker manifest list, signed and unsigned schema 1, an artifact with a referrer
 * (the fallback tag maintained as the spec describes), and a Homebrew-shaped bottle index.
 */
import { attestation, blob, desc, image, index, layer, schema1, type Blob, type Image, type Layer } from "./build.js";
import { pushContent, pushImage, pushIndex } from "./push.js";
import type { RigInfo, RigRegistry } from "./rig.js";

/** A simple one-layer OCI image. */
export async function simpleImage(tag = "simple"): Promise<Image> {
  return image([await layer([{ name: "etc/", type: "directory" }, { name: "etc/hello", content: `hello ${tag}\n` }])], { labels: { "org.example.tag": tag } });
}

/** Three platforms and their attestations, indexed with the attestations first. */
export async function multiPlatform(kind: "oci" | "docker" = "oci"): Promise<{ index: Blob; images: Image[]; all: Image[] }> {
  const plats = [
    { architecture: "amd64" },
    { architecture: "arm64", variant: "v8" },
    { architecture: "arm", variant: "v7" },
  ];
  const images: Image[] = [];
  for (const p of plats) {
    const l = await layer([{ name: "arch", content: `${p.architecture}${p.variant ?? ""}\n` }]);
    images.push(image([l], { kind, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) }));
  }
  const entries = images.map((i) => ({ manifest: i.manifest, platform: i.platform as Record<string, string> }));
  if (kind === "docker") return { index: index(entries, "docker"), images, all: images };
  const atts = images.map((i) => attestation(i.manifest));
  return { index: index([...atts.map((a) => a.entry), ...entries], "oci"), images, all: [...images, ...atts.map((a) => a.image)] };
}

/** Three layers exercising overwrite, whiteout, opaque directory, symlink and hard link. */
export async function layeredImage(): Promise<Image> {
  const l1 = await layer([
    { name: "etc/", type: "directory" },
    { name: "etc/keep", content: "keep\n" },
    { name: "etc/gone", content: "gone\n" },
    { name: "opq/", type: "directory" },
    { name: "opq/old", content: "old\n" },
    { name: "bin/", type: "directory" },
    { name: "bin/tool", content: "#!/bin/sh\necho v1\n", mode: 0o755 },
  ]);
  const l2 = await layer([
    { name: "etc/.wh.gone", content: "" },
    { name: "opq/", type: "directory" },
    { name: "opq/.wh..wh..opq", content: "" },
    { name: "opq/new", content: "new\n" },
    { name: "bin/tool", content: "#!/bin/sh\necho v2\n", mode: 0o755 },
    { name: "link", type: "symlink", linkname: "etc/keep" },
    { name: "hard", type: "link", linkname: "etc/keep" },
  ]);
  return image([l1, l2]);
}

/** An artifact with titled layers, and a referrer (an SBOM-like artifact) whose subject is the image. */
export function artifactWithReferrer(subject: Image): { artifact: Image; referrer: Image; referrersIndex: Blob } {
  const file = blob("application/octet-stream", Buffer.from("payload bytes\n"), { "org.opencontainers.image.title": "payload.txt" });
  const empty = blob("application/vnd.oci.empty.v1+json", Buffer.from("{}"));
  const artDoc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/vnd.example.data", config: desc(empty), layers: [desc(file)] };
  const artifact: Image = { config: empty, layers: [{ ...file, diffId: file.digest }], manifest: blob(artDoc.mediaType, Buffer.from(JSON.stringify(artDoc))), platform: { os: "none", architecture: "none" } };
  const sbom = blob("application/spdx+json", Buffer.from('{"spdxVersion":"SPDX-2.3"}'), { "org.opencontainers.image.title": "sbom.spdx.json" });
  const refDoc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/spdx+json", config: desc(empty), layers: [desc(sbom)], subject: desc(subject.manifest), annotations: { "org.example.kind": "sbom" } };
  const referrerManifest = blob(refDoc.mediaType, Buffer.from(JSON.stringify(refDoc)));
  const referrer: Image = { config: empty, layers: [{ ...sbom, diffId: sbom.digest }], manifest: referrerManifest, platform: { os: "none", architecture: "none" } };
  const referrersIndex = index([{ manifest: referrerManifest }], "oci");
  const withType = JSON.parse(referrersIndex.bytes.toString()) as { manifests: Record<string, unknown>[] };
  withType.manifests[0]!.artifactType = "application/spdx+json";
  withType.manifests[0]!.annotations = { "org.example.kind": "sbom" };
  return { artifact, referrer, referrersIndex: blob(referrersIndex.mediaType, Buffer.from(JSON.stringify(withType))) };
}

/** A Homebrew-bottle-shaped index: darwin platforms with os.version, one gzip tar per bottle. */
export async function bottle(): Promise<{ index: Blob; images: Image[] }> {
  const images: Image[] = [];
  const entries = [];
  for (const [arch, osv, tagName] of [["amd64", "macOS 13", "ventura"], ["arm64", "macOS 14", "arm64_sonoma"]] as const) {
    const l = await layer([{ name: `wget/1.24.5/bin/wget`, content: `wget for ${tagName}\n`, mode: 0o755 }]);
    const titled = { ...l, annotations: { "org.opencontainers.image.title": `wget--1.24.5.${tagName}.bottle.tar.gz` } };
    const img = image([titled], { os: "darwin", architecture: arch, osVersion: osv });
    images.push(img);
    entries.push({ manifest: img.manifest, platform: { os: "darwin", architecture: arch, "os.version": osv }, annotations: { "org.opencontainers.image.ref.name": `1.24.5.${tagName}`, "sh.brew.bottle.digest": l.digest.slice(7) } });
  }
  return { index: index(entries, "oci", { "org.opencontainers.image.version": "1.24.5" }), images };
}

/** Signed and unsigned schema 1 manifests over two layers. */
export async function schema1Pair(repo: string): Promise<{ signed: Blob; unsigned: Blob; layers: Layer[] }> {
  const l1 = await layer([{ name: "one", content: "1\n" }], "application/vnd.docker.image.rootfs.diff.tar.gzip");
  const l2 = await layer([{ name: "two", content: "2\n" }], "application/vnd.docker.image.rootfs.diff.tar.gzip");
  return { signed: schema1(repo, "signed", [l1, l2], true), unsigned: schema1(repo, "unsigned", [l1, l2], false), layers: [l1, l2] };
}

/** Every fixture, pushed under `prefix/…` of one registry. */
export interface Seeded {
  simple: Image;
  multi: Awaited<ReturnType<typeof multiPlatform>>;
  list: Awaited<ReturnType<typeof multiPlatform>>;
  layered: Image;
  artifact: ReturnType<typeof artifactWithReferrer>;
  bottle: Awaited<ReturnType<typeof bottle>>;
  schema1?: Awaited<ReturnType<typeof schema1Pair>>;
  /** Repository names. */
  repos: { simple: string; multi: string; list: string; layered: string; artifact: string; bottle: string; schema1: string };
}

/** Pushes the whole fixture set. Schema 1 only when `withSchema1` (the registry must accept it). */
export async function seed(rig: RigInfo, reg: RigRegistry, prefix: string, withSchema1 = true): Promise<Seeded> {
  const repos = {
    simple: `${prefix}/simple`,
    multi: `${prefix}/multi`,
    list: `${prefix}/list`,
    layered: `${prefix}/layered`,
    artifact: `${prefix}/artifact`,
    bottle: `${prefix}/bottle`,
    schema1: `${prefix}/schema1`,
  };
  const simple = await simpleImage(prefix);
  const multi = await multiPlatform("oci");
  const list = await multiPlatform("docker");
  const layered = await layeredImage();
  const artifact = artifactWithReferrer(simple);
  const bot = await bottle();
  await pushImage(rig, reg, repos.simple, simple, ["v1"]);
  await pushIndex(rig, reg, repos.multi, multi.all, multi.index, ["v1"]);
  await pushIndex(rig, reg, repos.list, list.all, list.index, ["v1"]);
  await pushImage(rig, reg, repos.layered, layered, ["v1"]);
  await pushImage(rig, reg, repos.simple, artifact.referrer, []);
  await pushContent(rig, reg, repos.simple, [], [artifact.referrersIndex], [`sha256-${simple.manifest.digest.slice(7)}`]);
  await pushImage(rig, reg, repos.artifact, artifact.artifact, ["v1"]);
  await pushIndex(rig, reg, repos.bottle, bot.images, bot.index, ["1.24.5"]);
  let s1: Seeded["schema1"];
  if (withSchema1) {
    s1 = await schema1Pair(repos.schema1);
    await pushContent(rig, reg, repos.schema1, s1.layers, [s1.signed], ["signed"]);
  }
  return { simple, multi, list, layered, artifact, bottle: bot, ...(s1 ? { schema1: s1 } : {}), repos };
}
