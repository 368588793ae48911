/**
 * An image's config: the JSON document a manifest's `config` names, verified; for Docker
 * schema 1, the newest `v1Compatibility` entry.
 * @module
 */
import type { Platform } from "../model/descriptor.js";
import { describeRef, fetchConfig, imageManifestOf, resolveImage, schema1Config, type ImageConfig } from "../engine/image.js";
import type { ReadableTarget } from "../targets/target.js";

/**
 * The config bytes of the image a reference names in any target, an index resolved to
 * `platform`: exactly the stored blob, or for schema 1 the config its history holds (a
 * document, for the caller to print).
 * @throws NotFoundError when nothing has that name or the index has no such platform
 */
export async function imageConfig(target: ReadableTarget, ref: string | undefined, platform: Platform, signal?: AbortSignal): Promise<{ bytes: Buffer } | { schema1: ImageConfig }> {
  const { manifest } = await resolveImage(target, ref, platform, signal);
  const p = manifest.parsed;
  if (p.kind === "schema1") return { schema1: schema1Config(p.schema1) };
  return { bytes: (await fetchConfig(target, imageManifestOf(p, describeRef(target, ref)), signal)).bytes };
}
