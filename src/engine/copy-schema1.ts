/**
 * Schema 1 in a copy with `convertSchema1`: the layers are completed in the blob cache (their
 * diff IDs are computed from the cached files), then a schema 2 config and manifest are made
 * from the schema 1 history, pushed, and named in place of the original.
 * @module
 */
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import { childDescriptors, type ParsedManifest } from "../model/manifest.js";
import type { ProgressListener } from "../progress/events.js";
import type { WritableTarget } from "../targets/target.js";
import type { BlobCache } from "./cache.js";
import { convertSchema1 } from "./schema1-convert.js";

/** The part of a graph walk a conversion goes through. */
export interface ConversionWalk {
  readonly dst: WritableTarget;
  readonly cache: BlobCache | undefined;
  readonly signal: AbortSignal;
  readonly options: { progress?: ProgressListener };
  copyBlob(desc: Descriptor): Promise<void>;
  pushManifest(desc: Descriptor, bytes: Buffer): Promise<void>;
}

/** Copies a schema 1 image as schema 2; returns the converted manifest's descriptor. */
export async function copyConverted(walk: ConversionWalk, desc: Descriptor, parsed: Extract<ParsedManifest, { kind: "schema1" }>): Promise<Descriptor> {
  if (!walk.cache) throw new OcidistError("converting a schema1 image needs the blob cache");
  await Promise.all(childDescriptors(parsed).map((b) => walk.copyBlob(b)));
  const converted = await convertSchema1(parsed.schema1, walk.cache);
  await walk.dst.push(converted.config, async () => Readable.from([converted.configBytes]), walk.signal);
  walk.options.progress?.note?.(`converted schema1 manifest ${desc.digest} to ${converted.manifest.digest}`);
  await walk.pushManifest(converted.manifest, converted.manifestBytes);
  return converted.manifest;
}
