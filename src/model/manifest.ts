/**
 * Manifest, index and schema 1 documents: types, and parsing with validation at the
 * boundary (image-spec `manifest.md`, `image-index.md`; Docker "Image Manifest V2, Schema 2"
 * and "Schema 1"). A document that contradicts its media type is refused (CVE-2021-41190).
 * @module
 */
import type { Descriptor } from "./descriptor.js";
import { parseDigest } from "./digest.js";
import { InvalidManifestError, UnsupportedMediaTypeError } from "./errors.js";
import * as mt from "./media-types.js";
import { parseStrictJson } from "./json-strict.js";
import { MAX_MANIFEST_BYTES } from "./limits.js";

/** An OCI image manifest or a Docker schema 2 manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An OCI image index or a Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Docker schema 1 (signed or not); layers newest first. */
export interface Schema1Manifest {
  schemaVersion: 1;
  name?: string;
  tag?: string;
  architecture?: string;
  fsLayers: { blobSum: string }[];
  history: { v1Compatibility: string }[];
  signatures?: unknown[];
}

/** A parsed manifest document, tagged by kind, with its effective media type. */
export type ParsedManifest =
  | { kind: "index"; mediaType: string; index: ImageIndex }
  | { kind: "image"; mediaType: string; manifest: ImageManifest }
  | { kind: "schema1"; mediaType: string; schema1: Schema1Manifest };

export { MAX_MANIFEST_BYTES } from "./limits.js";

type Json = Record<string, unknown>;

function fail(msg: string): never {
  throw new InvalidManifestError(msg);
}

/** Validates a descriptor found inside a document. */
export function validateDescriptor(value: unknown, where: string): Descriptor {
  if (!value || typeof value !== "object" || Array.isArray(value)) fail(`${where}: not a descriptor object`);
  const d = value as Json;
  if (typeof d.mediaType !== "string" || d.mediaType === "") fail(`${where}: descriptor without mediaType`);
  if (typeof d.digest !== "string") fail(`${where}: descriptor without digest`);
  try {
    parseDigest(d.digest);
  } catch (err) {
    fail(`${where}: ${(err as Error).message}`);
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) fail(`${where}: descriptor size must be a non-negative integer`);
  if (d.urls !== undefined && (!Array.isArray(d.urls) || d.urls.some((u) => typeof u !== "string"))) fail(`${where}: urls must be strings`);
  if (d.annotations !== undefined) validateAnnotations(d.annotations, where);
  if (d.platform !== undefined) {
    const p = d.platform as Json;
    if (!p || typeof p !== "object" || typeof p.os !== "string" || typeof p.architecture !== "string") {
      fail(`${where}: platform needs os and architecture strings`);
    }
  }
  return d as unknown as Descriptor;
}

/**
 * Validates a descriptor listed in an index's `manifests` (an index document or a layout's
 * `index.json`): it must have a manifest or index media type this client reads (OCI or
 * Docker), so that what it points at is read, checked and pushed as a manifest and never
 * copied as an opaque blob. Registries refuse indexes whose entries are not manifests.
 */
export function validateIndexEntry(value: unknown, where: string): Descriptor {
  const d = validateDescriptor(value, where);
  // The image-index spec forbids erroring on an unknown type, so only types known to name
  // something else (descriptors, configs, layers) are refused.
  if (mt.isKnownNonManifestMediaType(d.mediaType)) fail(`${where}: ${d.digest} is typed ${d.mediaType}, not a manifest or index media type`);
  return d;
}

function validateAnnotations(value: unknown, where: string): void {
  if (!value || typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
    fail(`${where}: annotations must map strings to strings`);
  }
}

/**
 * Parses manifest bytes. The kind (index, image manifest, schema 1) is decided by the
 * document itself: `schemaVersion`, its `mediaType` and the fields present must agree, and
 * JSON with duplicate keys (which other readers may see differently) is refused. The type
 * the document was asked for or served as (`contentType`: a descriptor's media type or a
 * server's `Content-Type`) never decides it: when it is a manifest type it must agree with
 * the document, and it names the media type only when the document has no `mediaType`.
 * @throws InvalidManifestError, UnsupportedMediaTypeError
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) fail(`manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes).value;
  } catch (err) {
    fail(`manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) fail("manifest is not a JSON object");
  const m = doc as Json;
  const declared = mt.baseMediaType(contentType);
  if (m.mediaType !== undefined && typeof m.mediaType !== "string") fail("mediaType must be a string");
  const inner = m.mediaType as string | undefined;
  if (inner !== undefined && declared && isKnown(declared) && inner !== declared && !schema1Pair(inner, declared)) {
    fail(`manifest declares mediaType ${inner} but was served as ${declared}`);
  }
  if (inner !== undefined && !isKnown(inner)) throw new UnsupportedMediaTypeError(`unsupported manifest media type ${JSON.stringify(inner)}`);
  const kind = kindOf(m);
  const effective = inner ?? (isKnown(declared) ? declared : defaultMediaType(kind, m));
  if (declared && isKnown(declared) && kindOfMediaType(declared) !== kind) fail(`a document with the fields of ${KIND_NAMES[kind]} was served as ${declared}`);
  if (isKnown(effective) && kindOfMediaType(effective) !== kind) fail(`a document with the fields of ${KIND_NAMES[kind]} cannot be ${effective}`);
  if (kind === "schema1") return { kind, mediaType: effective, schema1: validateSchema1(m) };
  if (kind === "index" && mt.isIndexMediaType(effective)) {
    if (!Array.isArray(m.manifests)) fail(`${effective}: manifests must be an array`);
    m.manifests.forEach((d, i) => validateIndexEntry(d, `manifests[${i}]`));
    if (m.subject !== undefined) validateDescriptor(m.subject, "subject");
    if (m.annotations !== undefined) validateAnnotations(m.annotations, "index");
    return { kind: "index", mediaType: effective, index: m as unknown as ImageIndex };
  }
  if (kind === "image" && mt.isImageManifestMediaType(effective)) {
    validateDescriptor(m.config, "config");
    if (!Array.isArray(m.layers)) fail(`${effective}: layers must be an array`);
    m.layers.forEach((d, i) => validateDescriptor(d, `layers[${i}]`));
    if (m.subject !== undefined) validateDescriptor(m.subject, "subject");
    if (m.annotations !== undefined) validateAnnotations(m.annotations, "manifest");
    return { kind: "image", mediaType: effective, manifest: m as unknown as ImageManifest };
  }
  throw new UnsupportedMediaTypeError(`unsupported manifest media type ${JSON.stringify(effective || "(none)")}`);
}

const KIND_NAMES: Record<ParsedManifest["kind"], string> = { index: "an index", image: "an image manifest", schema1: "a schema 1 manifest" };

/** The kind a document's own fields make it; contradictory fields are refused. */
function kindOf(m: Json): ParsedManifest["kind"] {
  const has = (...keys: string[]) => keys.some((k) => k in m);
  if (m.schemaVersion === 1) {
    if (has("manifests", "config", "layers")) fail("schemaVersion 1 document has schema 2 fields (manifests/config/layers)");
    return "schema1";
  }
  if (m.schemaVersion !== 2) fail(`unsupported schemaVersion ${JSON.stringify(m.schemaVersion)}`);
  if (has("fsLayers", "history", "signatures")) fail("schemaVersion 2 document has schema 1 fields (fsLayers/history/signatures)");
  if (has("manifests") && has("layers", "config")) fail("document has both manifests and layers/config: ambiguous, refused (CVE-2021-41190)");
  if (has("manifests")) return "index";
  if (has("config", "layers")) return "image";
  fail("schemaVersion 2 document has neither manifests nor config and layers");
}

/** The kind a known manifest media type names. */
function kindOfMediaType(t: string): ParsedManifest["kind"] {
  return mt.isSchema1MediaType(t) ? "schema1" : mt.isIndexMediaType(t) ? "index" : "image";
}

function isKnown(t: string): boolean {
  return mt.isManifestMediaType(t);
}

/** Registries serve schema 1 as either type whatever the body claims; both mean schema 1. */
function schema1Pair(a: string, b: string): boolean {
  return mt.isSchema1MediaType(a) && mt.isSchema1MediaType(b);
}

/** The media type of a document that names none and was served without a usable one (OCI allows omitting it). */
function defaultMediaType(kind: ParsedManifest["kind"], m: Json): string {
  if (kind === "schema1") return Array.isArray(m.signatures) ? mt.DOCKER_SCHEMA1_SIGNED : mt.DOCKER_SCHEMA1;
  return kind === "index" ? mt.OCI_INDEX : mt.OCI_MANIFEST;
}

function validateSchema1(m: Json): Schema1Manifest {
  if (!Array.isArray(m.fsLayers) || !Array.isArray(m.history)) fail("schema1 manifest needs fsLayers and history arrays");
  if (m.fsLayers.length !== m.history.length) fail("schema1 manifest: fsLayers and history differ in length");
  m.fsLayers.forEach((l, i) => {
    const sum = (l as Json)?.blobSum;
    if (typeof sum !== "string") fail(`fsLayers[${i}]: blobSum missing`);
    try {
      parseDigest(sum);
    } catch (err) {
      fail(`fsLayers[${i}]: ${(err as Error).message}`);
    }
  });
  m.history.forEach((h, i) => {
    if (typeof (h as Json)?.v1Compatibility !== "string") fail(`history[${i}]: v1Compatibility missing`);
  });
  return m as unknown as Schema1Manifest;
}

/** The descriptors a parsed manifest points at (children first in the order a copy needs them). */
export function childDescriptors(p: ParsedManifest): Descriptor[] {
  switch (p.kind) {
    case "index":
      return p.index.manifests;
    case "image":
      return [p.manifest.config, ...p.manifest.layers];
    case "schema1":
      return uniqueBlobSums(p.schema1).map((digest) => ({ mediaType: mt.DOCKER_LAYER_GZIP, digest, size: -1 }));
  }
}

/** Schema 1 blob sums, deduplicated, oldest layer first. */
export function uniqueBlobSums(s: Schema1Manifest): string[] {
  const out: string[] = [];
  for (let i = s.fsLayers.length - 1; i >= 0; i--) {
    const d = s.fsLayers[i]!.blobSum;
    if (!out.includes(d)) out.push(d);
  }
  return out;
}
