/**
 * Reading an OCI image layout (image-spec `image-layout.md`) from a directory or a tar:
 * `index.json` names the manifests, `blobs/<alg>/<hex>` holds everything.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { ANNOTATION_REF_NAME } from "../model/descriptor.js";
import { isValidDigest } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES, parseManifest, validateIndexEntry } from "../model/manifest.js";
import { parseReference } from "../model/reference.js";
import { parseStrictJson } from "../model/json-strict.js";
import { ANNOTATION_CONTAINERD_NAME, blobPathInLayout } from "./layout-files.js";
import { DirFs, type LayoutFs } from "./layout-fs.js";
import { LayoutSubjects } from "./layout-referrers.js";
import type { FetchOptions, FetchResult, ReadableTarget } from "./target.js";

/** True when `name` (a stored ref name or image name) is what the user asked for with `ref`. */
export function refNameMatches(stored: string | undefined, ref: string): boolean {
  if (!stored) return false;
  if (stored === ref) return true;
  try {
    const a = parseReference(stored);
    const b = parseReference(ref);
    return a.registry === b.registry && a.repository === b.repository && a.tag === b.tag;
  } catch {
    return false;
  }
}

/** Reads the manifests of an index.json. */
export async function readLayoutIndex(fs: LayoutFs): Promise<Descriptor[]> {
  const bytes = await fs.read("index.json", MAX_MANIFEST_BYTES);
  let doc: { manifests?: unknown };
  try {
    doc = parseStrictJson(bytes).value as { manifests?: unknown };
  } catch (err) {
    throw new OcidistError(`${fs.description}: index.json is not strict JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc?.manifests)) throw new OcidistError(`${fs.description}: index.json has no manifests list`);
  return doc.manifests.map((d, i) => validateIndexEntry(d, `${fs.description}: index.json manifests[${i}]`));
}

/** An OCI layout as a readable target. */
export class LayoutReader implements ReadableTarget {
  readonly description: string;
  private readonly subjects: LayoutSubjects;
  /** The location prefix that names an image of it (`oci`, `oci-archive`; `docker-archive` for a docker archive holding a layout). */
  prefix: string;

  constructor(
    readonly fs: LayoutFs,
    /** The manifests index.json lists, in its order. */
    readonly entries: readonly Descriptor[],
  ) {
    this.description = fs.description;
    this.prefix = fs instanceof DirFs ? "oci" : "oci-archive";
    this.subjects = new LayoutSubjects(fs, entries);
  }

  /** The images of the layout: every index.json entry but the unnamed referrers (signatures, SBOMs) recorded beside them. */
  async images(): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const e of this.entries) if (e.annotations?.[ANNOTATION_REF_NAME] || !(await this.subjects.isReferrer(e))) out.push(e);
    return out;
  }

  /** Manifests of the layout whose `subject` is `desc`. */
  referrers(desc: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    return this.subjects.referrersOf(desc.digest, artifactType);
  }

  /** Opens a layout, checking `oci-layout` and reading `index.json`. */
  static async open(fs: LayoutFs): Promise<LayoutReader> {
    if (!(await fs.exists("oci-layout"))) throw new OcidistError(`${fs.description} is not an OCI layout (no oci-layout file)`);
    return new LayoutReader(fs, await readLayoutIndex(fs));
  }

  /** The names of the entries: the full image name where there is one (docker archives), else the ref name. */
  names(): string[] {
    return this.entries.map((e) => e.annotations?.[ANNOTATION_CONTAINERD_NAME] ?? e.annotations?.[ANNOTATION_REF_NAME]).filter((n): n is string => !!n);
  }

  async tags(): Promise<string[]> {
    return this.names();
  }

  async resolve(ref: string | undefined): Promise<Descriptor> {
    const strip = (d: Descriptor): Descriptor => {
      const { annotations: _a, ...rest } = d;
      return rest;
    };
    if (ref === undefined) {
      const images = await this.images();
      if (images.length === 1) return strip(images[0]!);
      const prefix = this.prefix;
      const ref = prefix === "docker-archive" ? "REF" : "TAG";
      const names = this.names();
      const how = names.length ? `${ref} (${ref}s: ${names.join(", ")})` : `DIGEST (they have no names; digests: ${images.map((d) => d.digest).join(", ")})`;
      throw new OcidistError(`${this.description} holds ${images.length} images; name one with ${prefix}:${this.description}:${how}`);
    }
    if (isValidDigest(ref)) {
      const e = this.entries.find((d) => d.digest === ref);
      if (e) return strip(e);
      if (!(await this.fs.exists(blobPathInLayout(ref)))) throw new NotFoundError(`${this.description}: no manifest ${ref}`);
      const bytes = await this.fs.read(blobPathInLayout(ref), MAX_MANIFEST_BYTES);
      return { mediaType: parseManifest(bytes).mediaType, digest: ref, size: bytes.length };
    }
    const e =
      this.entries.find((d) => d.annotations?.[ANNOTATION_REF_NAME] === ref) ??
      this.entries.find((d) => refNameMatches(d.annotations?.[ANNOTATION_CONTAINERD_NAME], ref) || refNameMatches(d.annotations?.[ANNOTATION_REF_NAME], ref));
    if (!e) {
      throw new NotFoundError(`${this.description}: no image named ${JSON.stringify(ref)} (it has: ${this.names().join(", ") || "no names"})`);
    }
    return strip(e);
  }

  async fetch(desc: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
    const offset = options.offset ?? 0;
    const path = blobPathInLayout(desc.digest);
    if (!(await this.fs.exists(path))) throw new NotFoundError(`${this.description}: no blob ${desc.digest}`);
    return { body: await this.fs.open(path, offset), offset };
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return this.fs.exists(blobPathInLayout(desc.digest));
  }

  async blobSize(desc: Descriptor): Promise<number | undefined> {
    const path = blobPathInLayout(desc.digest);
    return (await this.fs.exists(path)) ? this.fs.size(path) : undefined;
  }
}
