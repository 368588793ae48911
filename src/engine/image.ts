/**
 * Resolving a reference to one image: an index is narrowed to the manifest of a platform
 * (attestation entries never chosen), and the image's config is fetched and verified.
 * @module
 */
import type { Descriptor, Platform } from "../model/descriptor.js";
import { verifyBytes } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { parseManifest, type ImageManifest, type ParsedManifest, type Schema1Manifest } from "../model/manifest.js";
import { verifyManifest } from "../model/manifest-digest.js";
import { formatPlatform, isAttestation, selectPlatform } from "../model/platform.js";
import type { FetchedManifest } from "../registry/manifests.js";
import type { RegistryTarget } from "../targets/registry.js";
import type { ReadableTarget } from "../targets/target.js";
import { readAll } from "../util/stream.js";

/** The largest image config read into memory. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** An image config (image-spec `config.md`), the fields this client reads. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  "os.version"?: string;
  variant?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    StopSignal?: string;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string; author?: string }[];
}

/** A reference resolved to one manifest. */
export interface ResolvedImage {
  /** The index the reference named, when it named one. */
  index?: FetchedManifest;
  /** The manifest chosen (the one named, or the index's child for the platform). */
  manifest: FetchedManifest;
}

/** Names the platforms of an index, for an error message. */
export function describePlatforms(manifests: Descriptor[]): string {
  const names = manifests.filter((d) => d.platform && !isAttestation(d)).map((d) => formatPlatform(d.platform!));
  return names.length ? names.join(", ") : "none";
}

/** Picks the child of an index for a platform. @throws NotFoundError listing what the index has */
export function choosePlatform(index: FetchedManifest, platform: Platform, what: string): Descriptor {
  if (index.parsed.kind !== "index") throw new OcidistError(`${what} is not an index`);
  const chosen = selectPlatform(index.parsed.index.manifests, platform);
  if (!chosen) {
    throw new NotFoundError(`${what}: no image for platform ${formatPlatform(platform)} (the index has: ${describePlatforms(index.parsed.index.manifests)})`, {
      errors: [{ code: "MANIFEST_UNKNOWN", message: "no matching platform" }],
    });
  }
  return chosen;
}

/**
 * Resolves a tag or digest of a registry repository to one manifest: an index is narrowed
 * to `platform`'s manifest; with `platform` undefined an index is returned as is.
 */
export async function resolveImage(target: RegistryTarget, ref: string | undefined, platform: Platform | undefined, signal?: AbortSignal): Promise<ResolvedImage> {
  const top = await target.getManifest(ref, signal);
  if (top.parsed.kind !== "index" || !platform) return { manifest: top };
  const chosen = choosePlatform(top, platform, target.refString(ref));
  const manifest = await target.getManifest(chosen.digest, signal);
  // What the index says the child is (size, media type) must be what was served.
  verifyManifest(manifest.bytes, chosen.digest, chosen.mediaType, chosen.size);
  parseManifest(manifest.bytes, chosen.mediaType);
  return { index: top, manifest };
}

/** Reads and verifies an image's config blob. */
export async function fetchConfig(target: ReadableTarget, manifest: ImageManifest, signal?: AbortSignal): Promise<{ bytes: Buffer; config: ImageConfig }> {
  const desc = manifest.config;
  if (desc.size > MAX_CONFIG_BYTES) throw new OcidistError(`config ${desc.digest} is ${desc.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`);
  const { body } = await target.fetch(desc, { signal });
  const bytes = await readAll(body, MAX_CONFIG_BYTES, `config ${desc.digest}`);
  verifyBytes(bytes, desc.digest, desc.size, "config");
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString("utf8")) as ImageConfig;
  } catch {
    config = {};
  }
  return { bytes, config };
}

/** The config of a schema 1 manifest: its newest `v1Compatibility` entry. */
export function schema1Config(s: Schema1Manifest): ImageConfig {
  const top = s.history[0]?.v1Compatibility;
  if (!top) return {};
  try {
    return JSON.parse(top) as ImageConfig;
  } catch {
    throw new OcidistError("schema1 manifest: history[0].v1Compatibility is not JSON");
  }
}

/** The parsed image manifest of a resolved image, or an error naming what was found instead. */
export function imageManifestOf(parsed: ParsedManifest, what: string): ImageManifest {
  if (parsed.kind === "image") return parsed.manifest;
  throw new OcidistError(`${what} is ${parsed.kind === "index" ? "an index" : "a schema1 manifest"}, not an image manifest`);
}
