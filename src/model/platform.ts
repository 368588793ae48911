/**
 * Platforms (image-spec image-index `platform`): parse, normalise, match, host default.
 * No fallbacks: amd64 does not match 386, arm/v7 does not match v6.
 * @module
 */
import type { Descriptor, Platform } from "./descriptor.js";
import { ANNOTATION_DOCKER_REFERENCE_TYPE } from "./descriptor.js";
import { UsageError } from "./errors.js";

const ARCH: Record<string, [string, string?]> = {
  x86_64: ["amd64"], "x86-64": ["amd64"], amd64: ["amd64"], aarch64: ["arm64"], arm64: ["arm64"],
  armhf: ["arm", "v7"], armel: ["arm", "v6"], i386: ["386"], i686: ["386"], "386": ["386"],
};
const OS: Record<string, string> = { macos: "darwin", osx: "darwin" };

/** Normalises os/arch/variant. */
export function normalizePlatform(p: Platform): Platform {
  const os = OS[p.os.toLowerCase()] ?? p.os.toLowerCase();
  const a = ARCH[p.architecture.toLowerCase()] ?? [p.architecture.toLowerCase()];
  const architecture = a[0];
  let variant = (p.variant ?? a[1] ?? "").toLowerCase() || undefined;
  if (architecture === "arm64" && variant === "v8") variant = undefined;
  if (architecture === "arm" && !variant) variant = "v7";
  return { ...p, os, architecture, ...(variant ? { variant } : { variant: undefined }) };
}

function clean(p: Platform): Platform {
  const out: Platform = { os: p.os, architecture: p.architecture };
  if (p.variant) out.variant = p.variant;
  if (p["os.version"]) out["os.version"] = p["os.version"];
  return out;
}

/** Parses `os/arch[/variant][:os.version]`. */
export function parsePlatform(text: string): Platform {
  const m = /^([^/:]+)\/([^/:]+)(?:\/([^/:]+))?(?::(.+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid platform ${JSON.stringify(text)}: want os/arch[/variant][:os.version]`);
  return clean(normalizePlatform({ os: m[1]!, architecture: m[2]!, ...(m[3] ? { variant: m[3] } : {}), ...(m[4] ? { "os.version": m[4] } : {}) }));
}

/** Whether `have` satisfies `want`. */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture || (w.variant ?? "") !== (h.variant ?? "")) return false;
  if (w["os.version"] && !(h["os.version"] ?? "").startsWith(w["os.version"])) return false;
  return true;
}

/** BuildKit attestation entries. */
export function isAttestation(desc: Descriptor): boolean {
  if (desc.annotations?.[ANNOTATION_DOCKER_REFERENCE_TYPE] === "attestation-manifest") return true;
  return desc.platform?.os === "unknown" && desc.platform?.architecture === "unknown";
}

/** First non-attestation match. */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor | undefined {
  return manifests.find((d) => d.platform && !isAttestation(d) && platformMatches(want, d.platform));
}

/** linux/<this machine's arch>. */
export function hostPlatform(): Platform {
  const map: Record<string, Platform> = {
    x64: { os: "linux", architecture: "amd64" },
    arm64: { os: "linux", architecture: "arm64" },
    arm: { os: "linux", architecture: "arm", variant: "v7" },
    ia32: { os: "linux", architecture: "386" },
  };
  return map[process.arch] ?? { os: "linux", architecture: process.arch };
}

/** `linux/arm/v7[:os.version]`. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}${p["os.version"] ? `:${p["os.version"]}` : ""}`;
}
