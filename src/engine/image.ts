/**
 * Resolving a reference to one image: an index is narrowed to the manifest of a platform
 * (attestation entries never chosen), and the image's config is fetched and verified.
 * @module
 */
import type { Descriptor, Platform } from "../model/descriptor.js";
import { isValidDigest, verifyBytes } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES, parseManifest, type ImageManifest, type ParsedManifest, type Schema1Manifest } from "../model/manifest.js";
import { verifyManifest } from "../model/manifest-digest.js";
import { MAX_CONFIG_BYTES } from "../model/limits.js";
import { formatPlatform, isAttestation, selectPlatform } from "../model/platform.js";
import type { ReadableTarget } from "../targets/target.js";
import { readAll } from "../util/stream.js";

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

/** A manifest or index read from a target: its descriptor, its bytes (verified against it) and their parse. */
export interface ReadManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** A reference resolved to one manifest. */
export interface ResolvedImage {
  /** The index the reference named, when it named one and a platform was chosen from it. */
  index?: ReadManifest;
  /** The manifest chosen: the one named, or the index's child for the platform (its descriptor then plain: media type, digest, size). */
  manifest: ReadManifest;
  /** The index's entry for the child chosen, as the index lists it (with `platform` and `annotations`). */
  entry?: Descriptor;
  /** The platform of the child chosen from an index, when one was. */
  platform?: Platform;
}

/** Names a tag or digest of a target, for messages: `host/repo:tag`, `dir@sha256:…`. */
export function describeRef(target: ReadableTarget, ref: string | undefined): string {
  if (!ref) return target.description;
  return `${target.description}${isValidDigest(ref) ? "@" : ":"}${ref}`;
}

/** Names the platforms of an index, for an error message. */
export function describePlatforms(manifests: Descriptor[]): string {
  const names = manifests.filter((d) => d.platform && !isAttestation(d)).map((d) => formatPlatform(d.platform!));
  return names.length ? names.join(", ") : "none";
}

/**
 * Picks the child of an index for a platform (attestation entries never chosen). The one
 * platform resolution of ocidist: every command and `copy()` narrow an index here.
 * @throws NotFoundError listing what the index has
 */
export function choosePlatform(manifests: Descriptor[], platform: Platform, what: string): Descriptor {
  const chosen = selectPlatform(manifests, platform);
  if (!chosen) {
    throw new NotFoundError(`${what}: no image for platform ${formatPlatform(platform)} (the index has: ${describePlatforms(manifests)})`, {
      errors: [{ code: "MANIFEST_UNKNOWN", message: "no matching platform" }],
    });
  }
  return chosen;
}

/**
 * Reads a manifest or index a descriptor names and verifies its bytes against it (digest,
 * size, media type), within the manifest size limit.
 */
export async function readManifest(target: ReadableTarget, desc: Descriptor, signal?: AbortSignal): Promise<ReadManifest> {
  const bytes = await fetchManifestBytes(target, desc, signal);
  return { descriptor: desc, bytes, parsed: parseManifest(bytes, desc.mediaType) };
}

/** Reads a manifest's bytes from a target and verifies them against its descriptor (size bound, digest, media type). */
export async function fetchManifestBytes(target: ReadableTarget, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (desc.size > MAX_MANIFEST_BYTES) throw new OcidistError(`manifest ${desc.digest} is ${desc.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  const { body } = await target.fetch(desc, { signal });
  const bytes = await readAll(body, MAX_MANIFEST_BYTES, `manifest ${desc.digest}`);
  verifyManifest(bytes, desc.digest, desc.mediaType, desc.size);
  return bytes;
}

/**
 * Resolves a tag or digest of any target (registry, layout, archive) to one manifest: an
 * index is narrowed to `platform`'s manifest; with `platform` undefined an index is
 * returned as is. `ref` undefined means the location's only image.
 * @throws NotFoundError when nothing has that name, or the index has no such platform
 */
export async function resolveImage(target: ReadableTarget, ref: string | undefined, platform: Platform | undefined, signal?: AbortSignal): Promise<ResolvedImage> {
  const top = await readManifest(target, await target.resolve(ref, signal), signal);
  if (top.parsed.kind !== "index" || !platform) return { manifest: top };
  const chosen = choosePlatform(top.parsed.index.manifests, platform, describeRef(target, ref));
  const manifest = await readManifest(target, chosen, signal);
  const descriptor = { mediaType: chosen.mediaType, digest: chosen.digest, size: chosen.size };
  return { index: top, entry: chosen, manifest: { ...manifest, descriptor }, ...(chosen.platform ? { platform: chosen.platform } : {}) };
}

/**
 * The descriptor (media type, digest, size) of what a reference names; with `platform`, of
 * the index's child for it. Without a platform nothing but the name is resolved (a
 * registry answers a `HEAD`, which Docker Hub does not count as a pull).
 */
export async function resolveDigest(target: ReadableTarget, ref: string | undefined, platform: Platform | undefined, signal?: AbortSignal): Promise<Descriptor> {
  const d = platform ? (await resolveImage(target, ref, platform, signal)).manifest.descriptor : target.head ? await target.head(ref, signal) : await target.resolve(ref, signal);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
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
