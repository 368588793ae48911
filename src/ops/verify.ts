/**
 * Re-checking a local copy of images (docker archive, OCI layout, OCI archive) by running
 * the copy engine into a sink that keeps nothing: every blob is read through the verifying
 * stream (digest and size), every manifest parsed, and each image's config `rootfs.diff_ids`
 * compared with the digests of its decompressed layers.
 * @module
 */
import type { Readable } from "node:stream";
import { copyInto } from "../engine/copy.js";
import type { Descriptor } from "../model/descriptor.js";
import { createDigester } from "../model/digest.js";
import { OcidistError } from "../model/errors.js";
import { decompressLayer } from "../export/decompress.js";
import type { ImageConfig } from "../engine/image.js";
import { parseManifest } from "../model/manifest.js";
import { DOCKER_CONFIG, isManifestMediaType, layerCompression, OCI_CONFIG } from "../model/media-types.js";
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from "../model/limits.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { LayoutReader } from "../targets/layout-reader.js";
import { ANNOTATION_REF_NAME } from "../model/descriptor.js";
import { ANNOTATION_CONTAINERD_NAME } from "../targets/layout-files.js";
import { readAll } from "../util/stream.js";

/** The outcome for one image of a location. */
export interface VerifiedImage {
  /** The name it has in the location (a tag, a RepoTag), if any. */
  name?: string;
  digest?: string;
  ok: boolean;
  /** What is wrong, one line each. */
  problems: string[];
}

/** The report of {@link verifyLocation}. */
export interface VerifyReport {
  images: VerifiedImage[];
  /** Blobs (configs and layers; manifests are not counted) read and found right. */
  blobs: number;
  bytes: number;
  ok: boolean;
}


/** A decompressor's failure (zlib's `Z_…` errors, zstd's) as one line naming the layer; other errors as they are. */
function undecompressable(desc: Descriptor, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  const format = e.code?.startsWith("Z_") ? "gzip" : e.message?.startsWith("zstd: ") ? "zstd" : undefined;
  if (!format) return err;
  return new OcidistError(`layer ${desc.digest} is not valid ${format}: ${e.message.replace(/^zstd: /, "")}`, { cause: err });
}

/** A sink that reads everything it is given and remembers what it needs for the diff ID check. */
class VerifySink implements WritableTarget {
  readonly description = "verify";
  readonly diffIds = new Map<string, string>();
  readonly configs = new Map<string, ImageConfig>();
  readonly manifests = new Map<string, Buffer>();
  blobs = 0;
  bytes = 0;

  constructor(private readonly maxRatio?: number) {}

  async exists(): Promise<boolean> {
    return false;
  }

  async push(desc: Descriptor, open: () => Promise<Readable>): Promise<void> {
    const body = await open();
    if (isManifestMediaType(desc.mediaType)) {
      const bytes = await readAll(body, MAX_MANIFEST_BYTES, `manifest ${desc.digest}`);
      this.bytes += bytes.length;
      this.manifests.set(desc.digest, bytes);
      return;
    }
    if (desc.mediaType === DOCKER_CONFIG || desc.mediaType === OCI_CONFIG) {
      const bytes = await readAll(body, MAX_CONFIG_BYTES, `config ${desc.digest}`);
      this.bytes += bytes.length;
      try {
        this.configs.set(desc.digest, JSON.parse(bytes.toString("utf8")) as ImageConfig);
      } catch {
        throw new OcidistError(`config ${desc.digest} is not JSON`);
      }
      this.blobs++;
      return;
    }
    const compression = layerCompression(desc.mediaType);
    if (compression === undefined) {
      for await (const c of body) this.bytes += (c as Buffer).length;
      this.blobs++;
      return;
    }
    // Count the stored bytes as they pass, hash the decompressed ones.
    const hash = createDigester("sha256");
    body.on("data", (c: Buffer) => (this.bytes += c.length));
    try {
      for await (const c of decompressLayer(body, undefined, { maxRatio: this.maxRatio })) hash.update(c as Buffer);
    } catch (err) {
      throw undecompressable(desc, err);
    }
    this.diffIds.set(desc.digest, `sha256:${hash.digest("hex")}`);
    this.blobs++;
  }

  async tag(): Promise<void> {}
  async commit(): Promise<void> {}
  async abort(): Promise<void> {}

  /** Problems with diff IDs in every image manifest seen. */
  diffIdProblems(): string[] {
    const problems: string[] = [];
    for (const [digest, bytes] of this.manifests) {
      const parsed = parseManifest(bytes);
      if (parsed.kind !== "image") continue;
      const config = this.configs.get(parsed.manifest.config.digest);
      const want = config?.rootfs?.diff_ids;
      if (!want) continue;
      const have = parsed.manifest.layers.map((l) => this.diffIds.get(l.digest));
      if (want.length !== have.length) {
        problems.push(`image ${digest}: config lists ${want.length} diff IDs for ${have.length} layers`);
        continue;
      }
      want.forEach((w, i) => {
        const h = have[i];
        if (h && h !== w) problems.push(`image ${digest}: layer ${i} (${parsed.manifest.layers[i]!.digest}) decompresses to ${h}, config says ${w}`);
      });
    }
    return problems;
  }
}

/** What to verify by default: every index.json entry of a layout (by digest, so entries sharing a name or having none are each checked), else each name the location lists, else its only image. */
async function everyImage(src: ReadableTarget, signal?: AbortSignal): Promise<{ name?: string; ref?: string }[]> {
  if (src instanceof LayoutReader) {
    return src.entries.map((e) => {
      const name = e.annotations?.[ANNOTATION_CONTAINERD_NAME] ?? e.annotations?.[ANNOTATION_REF_NAME];
      return { ...(name ? { name } : {}), ref: e.digest };
    });
  }
  const tags = (await src.tags?.(signal)) ?? [];
  return tags.length ? tags.map((t) => ({ name: t, ref: t })) : [{}];
}

/** Verifies every image a location holds (see {@link everyImage}), or the ones named. */
export async function verifyLocation(src: ReadableTarget, names?: (string | undefined)[], signal?: AbortSignal, maxRatio?: number): Promise<VerifyReport> {
  const list = names ? names.map((n) => ({ ...(n ? { name: n } : {}), ref: n })) : await everyImage(src, signal);
  const report: VerifyReport = { images: [], blobs: 0, bytes: 0, ok: true };
  for (const { name, ref } of list) {
    const sink = new VerifySink(maxRatio);
    const image: VerifiedImage = { ...(name ? { name } : {}), ...(ref?.startsWith("sha256:") ? { digest: ref } : {}), ok: true, problems: [] };
    try {
      const result = await copyInto(src, ref, sink, undefined, { jobs: 2, signal });
      image.digest = result.source.digest;
      image.problems.push(...sink.diffIdProblems());
    } catch (err) {
      image.problems.push((err as Error).message.replace(/\s+/g, " "));
    }
    image.ok = image.problems.length === 0;
    report.ok &&= image.ok;
    report.blobs += sink.blobs;
    report.bytes += sink.bytes;
    report.images.push(image);
  }
  return report;
}
