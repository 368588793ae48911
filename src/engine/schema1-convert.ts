/**
 * Converting Docker schema 1 manifests to schema 2 with an image config, so that archives
 * and exports of old images load and unpack (docker does the same when it pulls schema 1):
 * `fsLayers` and `history` are walked oldest first, `throwaway` entries become empty-layer
 * history, repeated empty blobs are kept once per history entry, and diff IDs are computed
 * by decompressing each layer. The signatures prove nothing and are dropped.
 * @module
 */
import { createReadStream } from "node:fs";
import type * as Zlib from "node:zlib";
import { builtin } from "../util/lazy-builtin.js";
import type { Descriptor } from "../model/descriptor.js";
import { createDigester, digestOf } from "../model/digest.js";
import { OcidistError } from "../model/errors.js";
import type { ImageConfig } from "./image.js";
import type { Schema1Manifest } from "../model/manifest.js";
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST } from "../model/media-types.js";
import type { BlobCache } from "./cache.js";
import { stat } from "node:fs/promises";

/** The result of {@link convertSchema1}. */
export interface ConvertedSchema1 {
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  configBytes: Buffer;
}

interface V1Compat {
  id?: string;
  parent?: string;
  created?: string;
  author?: string;
  comment?: string;
  throwaway?: boolean;
  container_config?: { Cmd?: string[] };
  [key: string]: unknown;
}

/** The diff ID of a gzip (or plain) layer in the cache: sha256 of its uncompressed bytes. */
async function diffIdOf(cache: BlobCache, digest: string): Promise<string> {
  const path = cache.path(digest);
  const head = await new Promise<Buffer>((resolve, reject) => {
    const s = createReadStream(path, { start: 0, end: 1 });
    const chunks: Buffer[] = [];
    s.on("data", (c) => chunks.push(c as Buffer));
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
  const hash = createDigester("sha256");
  const input = createReadStream(path, { highWaterMark: 1 << 18 });
  const stream = head[0] === 0x1f && head[1] === 0x8b ? input.pipe(builtin<typeof Zlib>("node:zlib").createGunzip()) : input;
  input.on("error", (e) => stream.destroy(e));
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

/** Builds a schema 2 manifest and config from a schema 1 manifest whose layers are in `cache`. */
export async function convertSchema1(s: Schema1Manifest, cache: BlobCache): Promise<ConvertedSchema1> {
  const n = s.fsLayers.length;
  if (n === 0) throw new OcidistError("schema1 manifest without layers");
  const compat: V1Compat[] = s.history.map((h, i) => {
    try {
      return JSON.parse(h.v1Compatibility) as V1Compat;
    } catch {
      throw new OcidistError(`schema1 manifest: history[${i}].v1Compatibility is not JSON`);
    }
  });
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  const history: NonNullable<ImageConfig["history"]> = [];
  for (let i = n - 1; i >= 0; i--) {
    const v1 = compat[i]!;
    const digest = s.fsLayers[i]!.blobSum;
    const entry = {
      ...(v1.created ? { created: v1.created } : {}),
      ...(v1.author ? { author: v1.author } : {}),
      ...(v1.comment ? { comment: v1.comment } : {}),
      ...(v1.container_config?.Cmd ? { created_by: v1.container_config.Cmd.join(" ") } : {}),
    };
    if (v1.throwaway) {
      history.push({ ...entry, empty_layer: true });
      continue;
    }
    history.push(entry);
    const size = (await stat(cache.path(digest))).size;
    layers.push({ mediaType: DOCKER_LAYER_GZIP, digest, size });
    diffIds.push(await diffIdOf(cache, digest));
  }
  const top = { ...compat[0]! };
  for (const k of ["id", "parent", "Size", "parent_id", "layer_id", "throwaway"]) delete top[k];
  const config = { ...top, rootfs: { type: "layers", diff_ids: diffIds }, history };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDesc: Descriptor = { mediaType: DOCKER_CONFIG, digest: digestOf(configBytes), size: configBytes.length };
  const manifest = { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: configDesc, layers };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 3));
  return {
    manifest: { mediaType: DOCKER_MANIFEST, digest: digestOf(manifestBytes), size: manifestBytes.length },
    manifestBytes,
    config: configDesc,
    configBytes,
  };
}
