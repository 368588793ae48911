/**
 * Pulling several images into one local output (a docker archive, an OCI layout, an OCI
 * archive): each reference is copied from its registry into the same destination under
 * the name it gets there, and the output is committed once, or left absent when any image
 * fails.
 * @module
 */
import { copyInto, type CopyOptions, type CopyResult } from "../engine/copy.js";
import { formatReference, type Reference } from "../model/reference.js";
import type { RegistryClient } from "../registry/client.js";
import { openLocalSink, type LocalKind } from "../targets/local.js";
import { RegistryTarget } from "../targets/registry.js";
import { fileDigest } from "../util/file-digest.js";

/** Where a pull writes. */
export interface PullOutput {
  kind: LocalKind;
  path: string;
  /** Replace an existing archive file. */
  force?: boolean;
  /** Hash the archive written (a second pass over every byte) for {@link PullReport.archiveDigest}; default true. */
  digestArchive?: boolean;
}

/** One image pulled. */
export interface PulledImage {
  /** The reference as pulled (registry, repository, tag or digest). */
  reference: string;
  result: CopyResult;
}

/** What {@link pullImages} did. */
export interface PullReport {
  images: PulledImage[];
  /** The sha256 of the archive file (archives are byte-for-byte reproducible); none for a directory layout, or when `digestArchive` was false. */
  archiveDigest?: string;
}

/** The name an image gets inside the output: the full reference in a docker archive or beside other images, else its tag. */
export function nameInOutput(kind: LocalKind, ref: Reference, several: boolean): string | undefined {
  if (!ref.tag) return undefined;
  return kind === "docker-archive" || several ? formatReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag }) : ref.tag;
}

/**
 * Copies each reference (a reference given twice is pulled once) from its registry into
 * one output and commits it. On failure the output is aborted: nothing is left at its path.
 */
export async function pullImages(client: RegistryClient, refs: Reference[], output: PullOutput, options: CopyOptions = {}): Promise<PullReport> {
  const unique = [...new Map(refs.map((r) => [formatReference(r), r] as const)).values()];
  const sink = await openLocalSink({ kind: output.kind, path: output.path, force: output.force });
  const images: PulledImage[] = [];
  try {
    for (const ref of unique) {
      const src = new RegistryTarget(client, ref);
      const result = await copyInto(src, ref.digest ?? ref.tag, sink, nameInOutput(output.kind, ref, unique.length > 1), options);
      images.push({ reference: formatReference(ref), result });
    }
    await sink.commit();
  } catch (err) {
    await sink.abort().catch(() => undefined);
    throw err;
  }
  const digest = output.kind !== "oci" && output.digestArchive !== false;
  return { images, ...(digest ? { archiveDigest: await fileDigest(output.path) } : {}) };
}
