/**
 * Small images built in a {@link MemoryTarget} for engine tests, and a source wrapper that
 * records (and can break) what is fetched.
 */
import { MemoryTarget, type Descriptor, type FetchOptions, type FetchResult, type ReadableTarget } from "../../src/index.js";

export const LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
export const CONFIG = "application/vnd.oci.image.config.v1+json";
export const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const INDEX = "application/vnd.oci.image.index.v1+json";

/** An image in `target`. */
export interface TestImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
}

/** Stores an image whose layers hold the given texts (a text used twice is one blob), tagged `tag` when given. */
export function imageOf(target: MemoryTarget, layerTexts: string[], tag?: string): TestImage {
  const layers = layerTexts.map((t) => target.put(`layer: ${t}`, LAYER));
  const config = target.put(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, layers: layerTexts }), CONFIG);
  const manifest = target.put(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config, layers }), MANIFEST, tag);
  return { manifest, config, layers };
}

/** Stores an index of `manifests`, tagged `tag` when given. */
export function indexOf(target: MemoryTarget, manifests: Descriptor[], tag?: string): Descriptor {
  const entries = manifests.map((m, i) => ({ ...m, platform: { os: "linux", architecture: i === 0 ? "amd64" : "arm64" } }));
  return target.put(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: entries }), INDEX, tag);
}

/** A view of `src` that records each fetch (digest, and offset when not 0) and lets a test replace one. */
export function countingSource(
  src: MemoryTarget,
  replace?: (desc: Descriptor, options: FetchOptions, n: number) => Promise<FetchResult> | undefined,
): { target: ReadableTarget; fetched: string[] } {
  const fetched: string[] = [];
  const seen = new Map<string, number>();
  const target: ReadableTarget = {
    description: src.description,
    resolve: (ref) => src.resolve(ref),
    exists: (desc) => src.exists(desc),
    blobSize: (desc) => src.blobSize(desc),
    async fetch(desc, options = {}) {
      fetched.push(options.offset ? `${desc.digest}@${options.offset}` : desc.digest);
      const n = (seen.get(desc.digest) ?? 0) + 1;
      seen.set(desc.digest, n);
      return (await replace?.(desc, options, n)) ?? src.fetch(desc, options);
    },
  };
  return { target, fetched };
}
