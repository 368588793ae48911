/**
 * Local locations: parsing `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`,
 * `docker-archive:FILE[:REF]` and `docker://REF`, telling a bare path's format by its
 * content, and opening sources and sinks for them.
 * @module
 */
import { lstat } from "node:fs/promises";
import { parseDigest } from "../model/digest.js";
import { OcidistError, UsageError } from "../model/errors.js";
import { DockerArchiveReader, type DockerArchiveOptions } from "./docker-archive-reader.js";
import { DirFs, TarFs, type LayoutFs } from "./layout-fs.js";
import { LayoutReader } from "./layout-reader.js";
import { LayoutWriter } from "./layout-writer.js";
import { DirSink } from "./sinks.js";
import { RegionTarSink } from "./tar-regions.js";
import type { ReadableTarget, WritableTarget } from "./target.js";

/** The kinds of local location. */
export type LocalKind = "oci" | "oci-archive" | "docker-archive";

/** A parsed location. */
export interface ParsedLocation {
  kind: LocalKind | "registry";
  path?: string;
  /** What to resolve inside the location: the digest when one was given (it wins over a tag), else the tag or reference. */
  ref?: string;
  /** The `@DIGEST` part, when one was given. */
  digest?: string;
}

const PREFIXES: LocalKind[] = ["oci-archive", "docker-archive", "oci"];

/**
 * Parses a location. For local kinds a trailing `@algorithm:encoded` is the digest; of what
 * is left, the part after the path is split at the first colon after it
 * (`docker-archive:out.tar:localhost:5000/a:b` → path `out.tar`, ref `localhost:5000/a:b`;
 * `oci:dir@sha256:…` → path `dir`, digest `sha256:…`). A digest given with a tag wins.
 * @throws UsageError for a missing path; InvalidDigestError for a malformed digest
 */
export function parseLocation(text: string): ParsedLocation {
  if (text.startsWith("docker://")) return { kind: "registry", ref: text.slice("docker://".length) };
  for (const kind of PREFIXES) {
    if (!text.startsWith(`${kind}:`)) continue;
    let rest = text.slice(kind.length + 1);
    let digest: string | undefined;
    const at = /@([a-z0-9]+(?:[+._-][a-z0-9]+)*:[^@:/]*)$/.exec(rest);
    if (at) {
      digest = at[1]!;
      parseDigest(digest);
      rest = rest.slice(0, at.index);
    }
    const colon = rest.indexOf(":");
    const path = colon >= 0 ? rest.slice(0, colon) : rest;
    const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
    if (!path) throw new UsageError(`${kind}: needs a path`);
    const ref = digest ?? (tag || undefined);
    return { kind, path, ...(ref ? { ref } : {}), ...(digest ? { digest } : {}) };
  }
  return { kind: "registry", ref: text };
}

/** Tells a local path's format: a directory with `oci-layout` → oci; a tar with manifest.json → docker-archive; a tar with only a layout → oci-archive. */
export async function detectLocalFormat(path: string): Promise<LocalKind> {
  const s = await lstat(path).catch(() => undefined);
  if (!s) throw new OcidistError(`${path} does not exist`);
  if (s.isDirectory()) {
    if (await new DirFs(path).exists("oci-layout")) return "oci";
    throw new OcidistError(`${path} is a directory but not an OCI layout`);
  }
  let fs: TarFs;
  try {
    fs = await TarFs.open(path);
  } catch (err) {
    throw new OcidistError(`${path} is not a tar archive: ${(err as Error).message}`);
  }
  if (await fs.exists("manifest.json")) return "docker-archive";
  if (await fs.exists("oci-layout")) return "oci-archive";
  throw new OcidistError(`${path} is neither a docker archive nor an OCI archive`);
}

async function fsFor(kind: LocalKind, path: string): Promise<LayoutFs> {
  const s = await lstat(path).catch(() => undefined);
  if (!s) throw new OcidistError(`${path} does not exist`);
  return kind === "oci" ? new DirFs(path) : TarFs.open(path);
}

/** Opens a local location to read. A docker archive with an OCI layout inside is read as the layout. */
export async function openLocalSource(loc: { kind: LocalKind; path: string; ref?: string }, options: DockerArchiveOptions = {}): Promise<ReadableTarget> {
  const fs = await fsFor(loc.kind, loc.path);
  if (loc.kind === "docker-archive") {
    const hasLayout = (await fs.exists("oci-layout")) && (await fs.exists("index.json"));
    if (hasLayout && !(await LayoutReader.open(fs).then((r) => r.names().length === 0, () => true))) {
      const reader = await LayoutReader.open(fs);
      reader.prefix = "docker-archive";
      return reader;
    }
    return DockerArchiveReader.open(fs, options);
  }
  return LayoutReader.open(fs);
}

/** Opens a local location to write; an existing archive is replaced only with `force` (an existing layout is added to). */
export async function openLocalSink(loc: { kind: LocalKind; path: string; ref?: string; force?: boolean }): Promise<WritableTarget> {
  const description = `${loc.kind}:${loc.path}`;
  if (loc.kind === "oci") {
    const sink = await DirSink.create(loc.path);
    return LayoutWriter.create(description, "oci", sink, sink.updating ? loc.path : undefined);
  }
  return LayoutWriter.create(description, loc.kind, await RegionTarSink.create(loc.path, loc.force));
}
