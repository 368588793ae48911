/**
 * Opening LOCATIONs (CLI.md): a registry reference, `docker://REF`, `oci:DIR[:TAG|@DIGEST]`,
 * `oci-archive:FILE[:TAG|@DIGEST]`, `docker-archive:FILE[:REF|@DIGEST]`, or (for push and
 * verify) a bare path whose format is detected by content. Every command that reads opens
 * its location with {@link withSource}; registry-only commands use {@link openRegistry}.
 * @module
 */
import { stat } from "node:fs/promises";
import { OcidistError, UsageError } from "../model/errors.js";
import { formatReference, parseReference, type Reference } from "../model/reference.js";
import { RegistryTarget, type RegistryTargetOptions } from "../targets/registry.js";
import { detectLocalFormat, openLocalSink, openLocalSource, parseLocation, type LocalKind } from "../targets/local.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import type { DockerArchiveOptions } from "../targets/docker-archive-reader.js";
import type { CliContext } from "./context.js";
import { crossCheckLocation, crossCheckReference } from "./cross-check.js";

/** A parsed location. */
export interface Location {
  kind: LocalKind | "registry";
  /** For local kinds. */
  path?: string;
  /** What to resolve: the digest when one was given, else the tag (or, in a docker archive, the reference). */
  ref?: string;
  /** The digest given, when one was. */
  digest?: string;
  /** For registries. */
  reference?: Reference;
}

/** True for text without a `kind:` prefix or `docker://`: a path, or a plain registry reference. */
function isBare(text: string): boolean {
  return !/^[a-z-]+:/.test(text) && !text.startsWith("docker://");
}

function pathExists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** The help text of a LOCATION argument of a read command. */
export const LOCATION_HELP = "REF (a registry; also docker://REF), oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG|@DIGEST] or docker-archive:FILE[:REF|@DIGEST]";

/** Parses a LOCATION. With `detect`, a bare existing path is a local location of the kind its content shows. */
export async function parseCliLocation(text: string, detect = false): Promise<Location> {
  if (detect && isBare(text) && (await pathExists(text))) return { kind: await detectLocalFormat(text), path: text };
  const loc = parseLocation(text);
  if (loc.kind === "registry") {
    const reference = parseReference(loc.ref ?? text.replace(/^docker:\/\//, ""));
    return { kind: "registry", reference, ref: reference.digest ?? reference.tag, ...(reference.digest ? { digest: reference.digest } : {}) };
  }
  return { kind: loc.kind, path: loc.path, ref: loc.ref, ...(loc.digest ? { digest: loc.digest } : {}) };
}

/**
 * Parses a LOCATION that must be local (what `verify` and `push` read): a bare path is
 * detected by content, and one that does not exist is named as missing rather than taken
 * for a registry reference. `use` says what to do instead with a registry reference.
 */
export async function parseLocalLocation(text: string, command: string, use = ""): Promise<Location> {
  if (isBare(text)) {
    if (await pathExists(text)) return { kind: await detectLocalFormat(text), path: text };
    let isReference = true;
    try {
      parseReference(text);
    } catch {
      isReference = false;
    }
    throw new OcidistError(`${text}: no such file or directory${isReference ? `; ${command} takes a local archive or layout${use}` : ""}`);
  }
  const loc = await parseCliLocation(text);
  if (loc.kind === "registry") throw new UsageError(`${command} takes a local archive or layout; ${JSON.stringify(text)} is a registry reference${use}`);
  return loc;
}

/** A location as the user would write it, for messages and `--json` (`oci:dir:v1`, `host/repo@sha256:…`). */
export function describeLocation(loc: Location): string {
  if (loc.kind === "registry") return formatReference(loc.reference!);
  return `${loc.kind}:${loc.path}${loc.digest ? `@${loc.digest}` : loc.ref ? `:${loc.ref}` : ""}`;
}

/** A parsed reference and the registry target of its repository. */
export interface CliTarget {
  ref: Reference;
  target: RegistryTarget;
  /** The tag or digest to resolve (the digest wins when both are given). */
  at: string | undefined;
}

/** Parses `REF` (cross-checked and pinned when `--cross-check` asks) and opens its repository, for the commands that need a registry (`tag`, `delete`, `script`). */
export async function openRegistry(ctx: CliContext, text: string, options?: RegistryTargetOptions): Promise<CliTarget> {
  const ref = await crossCheckReference(ctx, parseReference(text));
  return { ref, target: await registryTarget(ctx, ref, options), at: ref.digest ?? ref.tag };
}

async function registryTarget(ctx: CliContext, ref: Reference, options?: RegistryTargetOptions): Promise<RegistryTarget> {
  return new RegistryTarget(await ctx.client([ref.registry]), ref, options);
}

/** Opens a location to read from. */
export async function openSource(ctx: CliContext, loc: Location, options: DockerArchiveOptions = {}): Promise<ReadableTarget> {
  if (loc.kind === "registry") return registryTarget(ctx, loc.reference!);
  return openLocalSource({ kind: loc.kind, path: loc.path!, ref: loc.ref }, options);
}

/** A read location, opened. */
export interface OpenedSource {
  loc: Location;
  target: ReadableTarget;
  /** The tag, reference or digest to resolve in it (undefined: its only image). */
  ref: string | undefined;
  /** How to name what was asked for in messages and `--json` (`host/repo:tag`, `oci:dir:v1`). */
  name: string;
}

/**
 * Parses and opens the LOCATION a read command names (a registry tag cross-checked and pinned
 * to its digest when `--cross-check` asks), runs `fn` on it and closes it (a docker archive's
 * temporary gzipped layers go). Every reading command opens its location here.
 */
export async function withSource<T>(ctx: CliContext, text: string, fn: (source: OpenedSource) => Promise<T>, options: DockerArchiveOptions = {}): Promise<T> {
  const loc = await crossCheckLocation(ctx, await parseCliLocation(text));
  const target = await openSource(ctx, loc, options);
  try {
    const name = target instanceof RegistryTarget ? target.refString(loc.ref) : describeLocation(loc);
    return await fn({ loc, target, ref: loc.ref, name });
  } finally {
    await target.close?.();
  }
}

/** Opens a location to write to. A local destination is named by a tag (or reference), never a digest. */
export async function openSink(ctx: CliContext, loc: Location, options?: RegistryTargetOptions & { force?: boolean }): Promise<WritableTarget> {
  if (loc.kind === "registry") return registryTarget(ctx, loc.reference!, options);
  if (loc.digest) throw new UsageError(`${describeLocation(loc)}: a destination is named by a tag, not a digest`);
  return openLocalSink({ kind: loc.kind, path: loc.path!, ref: loc.ref, force: options?.force });
}

/** Registries a set of locations name (the ones `-u/-p` apply to). */
export function registriesOf(...locs: Location[]): string[] {
  return locs.filter((l) => l.kind === "registry").map((l) => l.reference!.registry);
}
