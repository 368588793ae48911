/**
 * Opening LOCATIONs (CLI.md): a registry reference, `docker://REF`, `oci:DIR[:TAG]`,
 * `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:REF]`, or (for push) a bare path whose
 * format is detected by content.
 * @module
 */
import { stat } from "node:fs/promises";
import { OcidistError, UsageError } from "../model/errors.js";
import { parseReference, type Reference } from "../model/reference.js";
import { RegistryTarget, type RegistryTargetOptions } from "../targets/registry.js";
import { detectLocalFormat, openLocalSink, openLocalSource, parseLocation, type LocalKind } from "../targets/local.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import type { DockerArchiveOptions } from "../targets/docker-archive-reader.js";
import type { CliContext } from "./context.js";

/** A parsed location. */
export interface Location {
  kind: LocalKind | "registry";
  /** For local kinds. */
  path?: string;
  /** Tag or reference inside the location (local kinds), or the tag/digest to resolve (registries). */
  ref?: string;
  /** For registries. */
  reference?: Reference;
}

/** Parses a LOCATION. With `detect`, a bare existing path is a local location of the kind its content shows. */
export async function parseCliLocation(text: string, detect = false): Promise<Location> {
  if (detect && !/^[a-z-]+:/.test(text) && !text.startsWith("docker://")) {
    const exists = await stat(text).then(() => true, () => false);
    if (exists) return { kind: await detectLocalFormat(text), path: text };
  }
  const loc = parseLocation(text);
  if (loc.kind === "registry") {
    const reference = parseReference(loc.ref ?? text.replace(/^docker:\/\//, ""));
    return { kind: "registry", reference, ref: reference.digest ?? reference.tag };
  }
  return { kind: loc.kind, path: loc.path, ref: loc.ref };
}

/**
 * Parses a LOCATION that must be local (what `verify` and `push` read): a bare path is
 * detected by content, and one that does not exist is named as missing rather than taken
 * for a registry reference. `use` says what to do instead with a registry reference.
 */
export async function parseLocalLocation(text: string, command: string, use = ""): Promise<Location> {
  const bare = !/^[a-z-]+:/.test(text) && !text.startsWith("docker://");
  if (bare && !(await stat(text).then(() => true, () => false))) {
    let isReference = true;
    try {
      parseReference(text);
    } catch {
      isReference = false;
    }
    throw new OcidistError(`${text}: no such file or directory${isReference ? `; ${command} takes a local archive or layout${use}` : ""}`);
  }
  const loc = await parseCliLocation(text, true);
  if (loc.kind === "registry") throw new UsageError(`${command} takes a local archive or layout; ${JSON.stringify(text)} is a registry reference${use}`);
  return loc;
}

/** Opens a location to read from. */
export async function openSource(ctx: CliContext, loc: Location, options: DockerArchiveOptions = {}): Promise<ReadableTarget> {
  if (loc.kind === "registry") return new RegistryTarget(await ctx.client([loc.reference!.registry]), loc.reference!);
  return openLocalSource({ kind: loc.kind, path: loc.path!, ref: loc.ref }, options);
}

/** Opens a location to write to. */
export async function openSink(ctx: CliContext, loc: Location, options?: RegistryTargetOptions & { force?: boolean }): Promise<WritableTarget> {
  if (loc.kind === "registry") return new RegistryTarget(await ctx.client([loc.reference!.registry]), loc.reference!, options);
  return openLocalSink({ kind: loc.kind, path: loc.path!, ref: loc.ref, force: options?.force });
}

/** Registries a set of locations name (the ones `-u/-p` apply to). */
export function registriesOf(...locs: Location[]): string[] {
  return locs.filter((l) => l.kind === "registry").map((l) => l.reference!.registry);
}
