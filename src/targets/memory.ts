/**
 * A target in memory, readable and writable: blobs, manifests and tags in maps. It checks
 * what is pushed as a registry does (the bytes hash to the digest and have the size; a
 * manifest's children are present before it), lists referrers from the manifests' `subject`,
 * and undoes an aborted copy. For library users who assemble or inspect images in a
 * process, and for fast tests of the copy engine.
 * @module
 */
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { digestOf, verifyBytes } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { maxBlobSize } from "../model/limits.js";
import { childDescriptors, MAX_MANIFEST_BYTES, parseManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import { referrerDescriptor } from "../registry/referrers.js";
import { readAll } from "../util/stream.js";
import type { BlobIntake, BodyOpener, FetchOptions, FetchResult, ReadableTarget, WritableTarget } from "./target.js";

/** Content stored by digest. */
interface Stored {
  bytes: Buffer;
  mediaType: string;
}

/** An in-memory content store with tags. */
export class MemoryTarget implements ReadableTarget, WritableTarget {
  readonly accepts: BlobIntake = "stream";
  /** Blobs and manifests, by digest. */
  readonly content = new Map<string, Stored>();
  /** Tags, by name. */
  readonly tagged = new Map<string, Descriptor>();
  /** What the copy in progress added (undone by {@link abort}). */
  private readonly added: string[] = [];
  private readonly retagged = new Map<string, Descriptor | undefined>();

  constructor(readonly description = "memory") {}

  /** Stores bytes as they are (no copy involved) and returns their descriptor; a manifest may be tagged. */
  put(bytes: Buffer | string, mediaType: string, tag?: string): Descriptor {
    const b = Buffer.from(bytes);
    const desc: Descriptor = { mediaType, digest: digestOf(b), size: b.length };
    this.content.set(desc.digest, { bytes: b, mediaType });
    if (tag !== undefined) this.tagged.set(tag, desc);
    return desc;
  }

  /** The stored bytes of a digest, if any. */
  get(digest: string): Buffer | undefined {
    return this.content.get(digest)?.bytes;
  }

  /** A tag, a digest, or (undefined) the only tag. @throws NotFoundError */
  async resolve(ref: string | undefined): Promise<Descriptor> {
    if (ref === undefined) {
      if (this.tagged.size !== 1) throw new NotFoundError(`${this.description}: ${this.tagged.size} tags; name the one to read`);
      return [...this.tagged.values()][0]!;
    }
    if (ref.includes(":")) {
      const hit = this.content.get(ref);
      if (!hit || !isManifestMediaType(hit.mediaType)) throw new NotFoundError(`${this.description}: manifest ${ref} not found`);
      return { mediaType: hit.mediaType, digest: ref, size: hit.bytes.length };
    }
    const desc = this.tagged.get(ref);
    if (!desc) throw new NotFoundError(`${this.description}: tag ${ref} not found`);
    return desc;
  }

  async fetch(desc: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
    const hit = this.content.get(desc.digest);
    if (!hit) throw new NotFoundError(`${this.description}: ${desc.digest} not found`);
    const offset = Math.min(options.offset ?? 0, hit.bytes.length);
    return { body: Readable.from([hit.bytes.subarray(offset)]), offset };
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return this.content.has(desc.digest);
  }

  async blobSize(desc: Descriptor): Promise<number | undefined> {
    return this.content.get(desc.digest)?.bytes.length;
  }

  async tags(): Promise<string[]> {
    return [...this.tagged.keys()].sort();
  }

  async referrers(desc: Descriptor, artifactType?: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const [digest, s] of this.content) {
      if (!isManifestMediaType(s.mediaType)) continue;
      const doc = JSON.parse(s.bytes.toString("utf8")) as { subject?: { digest?: string } };
      if (doc.subject?.digest !== desc.digest) continue;
      const r = referrerDescriptor({ mediaType: s.mediaType, digest, size: s.bytes.length }, s.bytes);
      if (r && (!artifactType || r.artifactType === artifactType)) out.push(r);
    }
    return out;
  }

  /** Stores what `open()` yields once it is known to hash to `desc.digest` with `desc.size`; a manifest only when its children are here. */
  async push(desc: Descriptor, open: BodyOpener): Promise<void> {
    const manifest = isManifestMediaType(desc.mediaType);
    const limit = manifest ? MAX_MANIFEST_BYTES : desc.size >= 0 ? desc.size : maxBlobSize();
    const bytes = await readAll(await open(), limit, `${manifest ? "manifest" : "blob"} ${desc.digest}`);
    verifyBytes(bytes, desc.digest, desc.size >= 0 ? desc.size : undefined, manifest ? "manifest" : "blob");
    if (manifest) {
      const missing = childDescriptors(parseManifest(bytes, desc.mediaType)).find((c) => !this.content.has(c.digest));
      if (missing) throw new OcidistError(`${this.description}: manifest ${desc.digest} references ${missing.digest}, which is not here`, { errors: [{ code: "MANIFEST_BLOB_UNKNOWN" }] });
    }
    if (this.content.has(desc.digest)) return;
    this.content.set(desc.digest, { bytes, mediaType: desc.mediaType });
    this.added.push(desc.digest);
  }

  /** Tags a manifest that is here; a digest reference (or none) names nothing new. */
  async tag(desc: Descriptor, ref: string | undefined): Promise<void> {
    if (!this.content.has(desc.digest)) throw new NotFoundError(`${this.description}: ${desc.digest} not found`);
    if (ref === undefined || ref.includes(":")) return;
    if (!this.retagged.has(ref)) this.retagged.set(ref, this.tagged.get(ref));
    this.tagged.set(ref, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size });
  }

  async commit(): Promise<void> {
    this.added.length = 0;
    this.retagged.clear();
  }

  /** Removes what the copy added and restores the tags it moved. */
  async abort(): Promise<void> {
    for (const digest of this.added.splice(0)) this.content.delete(digest);
    for (const [tag, before] of this.retagged) {
      if (before) this.tagged.set(tag, before);
      else this.tagged.delete(tag);
    }
    this.retagged.clear();
  }
}
