/**
 * Builds a benchmark image as an OCI layout from real files of this machine (`/usr`),
 * split into gzip layers with the system's tar and gzip; reused when already built.
 * @module
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, stat, writeFile, lstat } from "node:fs/promises";
import { join } from "node:path";

/** What {@link buildBenchImage} made. */
export interface BenchImage {
  layout: string;
  layers: number;
  /** Compressed bytes of all layers. */
  totalBytes: number;
  /** Layer and config digests. */
  blobs: string[];
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

/** Regular files under `dir`, depth first, with sizes. */
async function* files(dir: string): AsyncGenerator<{ path: string; size: number }> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    const s = await lstat(p).catch(() => undefined);
    if (!s) continue;
    if (s.isDirectory()) yield* files(p);
    else if (s.isFile()) yield { path: p, size: s.size };
  }
}

/** Builds (or reuses) an image whose gzip layers add up to about `targetBytes`. */
export async function buildBenchImage(dir: string, opts: { layers: number; targetBytes: number }): Promise<BenchImage> {
  const done = join(dir, "image.json");
  if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as BenchImage;
  const layout = join(dir, "layout");
  const blobsDir = join(layout, "blobs", "sha256");
  await mkdir(blobsDir, { recursive: true });
  // Raw bytes per layer: real files compress about 2.5x with gzip -1.
  const rawPerLayer = (opts.targetBytes * 2.5) / opts.layers;
  const groups: string[][] = [[]];
  let acc = 0;
  for await (const f of files("/usr")) {
    if (groups.length > opts.layers) break;
    // One file larger than a layer would make that layer (and the image) overshoot.
    if (f.size > rawPerLayer) continue;
    groups[groups.length - 1]!.push(f.path.slice(1));
    acc += f.size;
    if (acc >= rawPerLayer) {
      groups.push([]);
      acc = 0;
    }
  }
  const layerDescs: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const group of groups.slice(0, opts.layers)) {
    const list = join(dir, "list.txt");
    await writeFile(list, `${group.join("\n")}\n`);
    const tarPath = join(dir, "layer.tar");
    execFileSync("tar", ["-cf", tarPath, "-C", "/", "--no-recursion", "-T", list]);
    const diff = await sha256File(tarPath);
    execFileSync("gzip", ["-1", "-n", "-f", tarPath]);
    const gz = `${tarPath}.gz`;
    const hex = await sha256File(gz);
    const size = (await stat(gz)).size;
    await rename(gz, join(blobsDir, hex));
    layerDescs.push({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${hex}`, size });
    diffIds.push(`sha256:${diff}`);
  }
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: diffIds }, config: { Cmd: ["/bin/sh"] } }));
  const configHex = createHash("sha256").update(config).digest("hex");
  await writeFile(join(blobsDir, configHex), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${configHex}`, size: config.length },
    layers: layerDescs,
  }));
  const manifestHex = createHash("sha256").update(manifest).digest("hex");
  await writeFile(join(blobsDir, manifestHex), manifest);
  await writeFile(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(join(layout, "index.json"), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${manifestHex}`, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "latest" } }],
  }));
  const image: BenchImage = {
    layout,
    layers: layerDescs.length,
    totalBytes: layerDescs.reduce((a, l) => a + l.size, 0),
    blobs: [...layerDescs.map((l) => l.digest), `sha256:${configHex}`],
  };
  await writeFile(done, JSON.stringify(image));
  return image;
}
