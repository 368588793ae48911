/**
 * A readable summary of what a reference names: an index's platforms, or an image's
 * platform, creation time, layers, environment, command and labels.
 * @module
 */
import { ANNOTATION_TITLE, type Descriptor, type Platform } from "../model/descriptor.js";
import { describeRef, fetchConfig, imageManifestOf, resolveImage, schema1Config, type ImageConfig } from "../engine/image.js";
import { uniqueBlobSums } from "../model/manifest.js";
import { formatPlatform, isAttestation } from "../model/platform.js";
import type { ReadableTarget } from "../targets/target.js";

/** One entry of an index, summarised. */
export interface InspectPlatformEntry {
  platform: string;
  digest: string;
  mediaType: string;
  size: number;
  /** True for BuildKit attestation manifests (`unknown/unknown`). */
  attestation: boolean;
}

/** One image, summarised. */
export interface InspectImage {
  digest: string;
  mediaType: string;
  platform: string;
  created?: string;
  artifactType?: string;
  config?: { digest: string; mediaType: string; size: number };
  layers: { digest: string; mediaType: string; size: number; title?: string }[];
  /** Sum of the layer sizes (compressed, as stored); -1 when unknown (schema 1). */
  totalSize: number;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
}

/** The result of {@link inspect}. */
export interface InspectResult {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  /** For an index: its entries. */
  platforms?: InspectPlatformEntry[];
  /** For an image (or the index's child chosen by platform). */
  image?: InspectImage;
  annotations?: Record<string, string>;
}

function platformOf(p: Platform | undefined): string {
  return p ? formatPlatform(p) : "unknown";
}

function configPlatform(c: ImageConfig): string {
  if (!c.os && !c.architecture) return "unknown";
  return formatPlatform({ os: c.os ?? "unknown", architecture: c.architecture ?? "unknown", ...(c.variant ? { variant: c.variant } : {}), ...(c["os.version"] ? { "os.version": c["os.version"] } : {}) });
}

function fromConfig(c: ImageConfig): Pick<InspectImage, "created" | "env" | "entrypoint" | "cmd" | "labels" | "workingDir" | "user"> {
  const cc = c.config ?? {};
  return {
    ...(c.created ? { created: c.created } : {}),
    env: cc.Env ?? [],
    entrypoint: cc.Entrypoint ?? [],
    cmd: cc.Cmd ?? [],
    labels: cc.Labels ?? {},
    ...(cc.WorkingDir ? { workingDir: cc.WorkingDir } : {}),
    ...(cc.User ? { user: cc.User } : {}),
  };
}

/**
 * Summarises the manifest a reference names in any target (registry, layout, archive); with
 * `platform`, an index is resolved to that image. `name` is what {@link InspectResult.reference}
 * says (default: the target's description and `ref`).
 */
export async function inspect(target: ReadableTarget, ref: string | undefined, platform: Platform | undefined, signal?: AbortSignal, name = describeRef(target, ref)): Promise<InspectResult> {
  const resolved = await resolveImage(target, ref, platform, signal);
  const top = resolved.index ?? resolved.manifest;
  const result: InspectResult = {
    reference: name,
    digest: top.descriptor.digest,
    mediaType: top.descriptor.mediaType,
    size: top.descriptor.size,
  };
  if (top.parsed.kind === "index") {
    result.platforms = top.parsed.index.manifests.map((d: Descriptor) => ({
      platform: platformOf(d.platform),
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      attestation: isAttestation(d),
    }));
    if (top.parsed.index.annotations) result.annotations = top.parsed.index.annotations;
  }
  const m = resolved.manifest;
  if (m.parsed.kind === "schema1") {
    const config = schema1Config(m.parsed.schema1);
    result.image = {
      digest: m.descriptor.digest,
      mediaType: m.descriptor.mediaType,
      platform: configPlatform({ os: config.os ?? "linux", architecture: m.parsed.schema1.architecture ?? config.architecture }),
      layers: uniqueBlobSums(m.parsed.schema1).map((digest) => ({ digest, mediaType: "", size: -1 })),
      totalSize: -1,
      ...fromConfig(config),
    };
  } else if (m.parsed.kind === "image") {
    const manifest = imageManifestOf(m.parsed, result.reference);
    const { config } = await fetchConfig(target, manifest, signal);
    result.image = {
      digest: m.descriptor.digest,
      mediaType: m.descriptor.mediaType,
      platform: configPlatform(config),
      ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
      config: { digest: manifest.config.digest, mediaType: manifest.config.mediaType, size: manifest.config.size },
      layers: manifest.layers.map((l) => ({
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        ...(l.annotations?.[ANNOTATION_TITLE] ? { title: l.annotations[ANNOTATION_TITLE] } : {}),
      })),
      totalSize: manifest.layers.reduce((a, l) => a + l.size, 0),
      ...fromConfig(config),
    };
    if (!result.annotations && manifest.annotations) result.annotations = manifest.annotations;
  }
  return result;
}
