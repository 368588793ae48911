/**
 * A registry repository as a target: reads manifests and blobs, writes them (uploads,
 * mounts, manifest PUTs) and tags. Manifests fetched or pushed are kept in memory by digest
 * (they are small), so resolving then fetching costs one request.
 * @module
 */
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { httpStatusOf, InvalidReferenceError, NotFoundError } from "../model/errors.js";
import { MAX_MANIFEST_BYTES } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import { formatReference, type Reference } from "../model/reference.js";
import { blobExists, fetchBlob, headBlob } from "../registry/blobs.js";
import type { RegistryClient } from "../registry/client.js";
import { deleteManifest, getManifest, headManifest, putManifest, type FetchedManifest } from "../registry/manifests.js";
import { addToReferrersTag, listReferrers, referrerDescriptor } from "../registry/referrers.js";
import { listTags } from "../registry/tags.js";
import { uploadBlob } from "../registry/upload.js";
import { mountBlob } from "./registry-mount.js";
import { readAll } from "../util/stream.js";
import type { BodyOpener, FetchOptions, FetchResult, ReadableTarget, WritableTarget } from "./target.js";

/** Options of a {@link RegistryTarget} used as a destination. */
export interface RegistryTargetOptions {
  /** Upload chunk size in bytes (0: monolithic unless the registry asks for chunks). */
  chunkSize?: number;
}

/** One repository of one registry. */
export class RegistryTarget implements ReadableTarget, WritableTarget {
  readonly description: string;
  readonly accepts = "stream";
  /** Manifests seen, by digest. */
  private readonly manifests = new Map<string, FetchedManifest>();
  private readonly pushed = new Map<string, Buffer>();
  /** Manifests this target stored by digest that were not there before, in push order (undone by {@link abort}). */
  private readonly created: string[] = [];
  private readonly referrerUpdates = new Map<string, Promise<void>>();

  constructor(
    readonly client: RegistryClient,
    /** The repository; a tag or digest on it is ignored here. */
    readonly repo: Reference,
    private readonly options: RegistryTargetOptions = {},
  ) {
    this.description = `${repo.registry}/${repo.repository}`;
  }

  private at(ref: string | undefined): Reference {
    const base = { registry: this.repo.registry, repository: this.repo.repository };
    const r = ref ?? this.repo.digest ?? this.repo.tag;
    if (!r) throw new InvalidReferenceError(`${this.description}: a tag or digest is needed`);
    return r.includes(":") ? { ...base, digest: r } : { ...base, tag: r };
  }

  /** GETs the manifest named by a tag or digest (and keeps it for {@link fetch}). */
  async resolve(ref: string | undefined, signal?: AbortSignal): Promise<Descriptor> {
    return (await this.getManifest(ref, signal)).descriptor;
  }

  /** The manifest named by a tag or digest, as served and verified. */
  async getManifest(ref: string | undefined, signal?: AbortSignal): Promise<FetchedManifest> {
    const at = this.at(ref);
    const cached = at.digest ? this.manifests.get(at.digest) : undefined;
    if (cached) return cached;
    const got = await getManifest(this.client, at, signal);
    this.manifests.set(got.descriptor.digest, got);
    return got;
  }

  /** HEADs a manifest: its descriptor without its body. */
  async head(ref: string | undefined, signal?: AbortSignal): Promise<Descriptor> {
    return (await headManifest(this.client, this.at(ref), signal)).descriptor;
  }

  async fetch(desc: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
    if (isManifestMediaType(desc.mediaType)) {
      const got = await this.getManifest(desc.digest, options.signal);
      return { body: Readable.from([got.bytes]), offset: 0 };
    }
    return fetchBlob(this.client, this.repo, desc, options.offset ?? 0, options.signal);
  }

  /** Whether the repository has the content; asked as a destination would (pull,push scope). */
  async exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean> {
    if (isManifestMediaType(desc.mediaType)) {
      try {
        await headManifest(this.client, this.at(desc.digest), signal, "pull,push");
        return true;
      } catch (err) {
        if (err instanceof NotFoundError) return false;
        throw err;
      }
    }
    return blobExists(this.client, this.repo, desc.digest, signal, "pull,push");
  }

  async blobSize(desc: Descriptor, signal?: AbortSignal): Promise<number | undefined> {
    return (await headBlob(this.client, this.repo, desc.digest, signal))?.size;
  }

  tags(signal?: AbortSignal): Promise<string[]> {
    return listTags(this.client, this.repo, signal);
  }

  async referrers(desc: Descriptor, artifactType?: string, signal?: AbortSignal): Promise<Descriptor[]> {
    return (await listReferrers(this.client, this.repo, desc.digest, artifactType, signal)).referrers;
  }

  async push(desc: Descriptor, open: BodyOpener, signal?: AbortSignal): Promise<void> {
    if (isManifestMediaType(desc.mediaType)) {
      const bytes = await readAll(await open(), MAX_MANIFEST_BYTES, `manifest ${desc.digest}`);
      const { subjectProcessed } = await putManifest(this.client, this.at(desc.digest), bytes, desc.mediaType, signal);
      this.pushed.set(desc.digest, bytes);
      this.created.push(desc.digest);
      const referrer = subjectProcessed ? undefined : referrerDescriptor(desc, bytes);
      if (referrer) {
        const subject = (JSON.parse(bytes.toString("utf8")) as { subject: Descriptor }).subject;
        // Read-modify-write of one tag: updates for the same subject go one at a time.
        const prior = this.referrerUpdates.get(subject.digest) ?? Promise.resolve();
        const update = prior.catch(() => undefined).then(() => addToReferrersTag(this.client, this.repo, subject.digest, referrer, signal));
        this.referrerUpdates.set(subject.digest, update);
        await update;
      }
      return;
    }
    await uploadBlob(this.client, this.repo, desc, open, { chunkSize: this.options.chunkSize, signal });
  }

  /** Mounts a blob from another repository of this registry; false when the registry declined. */
  mount(desc: Descriptor, fromRepository: string, signal?: AbortSignal): Promise<boolean> {
    return mountBlob(this.client, this.repo, desc, fromRepository, signal);
  }

  /**
   * The repository of `src` blobs can be mounted from into this one: set when `src` is
   * another repository of the same registry reached through the same client (so the same
   * credentials), else undefined.
   */
  mountableFrom(src: ReadableTarget): string | undefined {
    if (!(src instanceof RegistryTarget) || src.client !== this.client) return undefined;
    if (src.repo.registry !== this.repo.registry || src.repo.repository === this.repo.repository) return undefined;
    return src.repo.repository;
  }

  /** Puts the manifest's bytes under a tag (no blob moves). Without a tag, nothing to do: it is stored by digest. */
  async tag(desc: Descriptor, ref: string | undefined, signal?: AbortSignal): Promise<void> {
    if (!ref || ref.includes(":")) return;
    let bytes = this.pushed.get(desc.digest) ?? this.manifests.get(desc.digest)?.bytes;
    if (!bytes) bytes = (await this.getManifest(desc.digest, signal)).bytes;
    await putManifest(this.client, this.at(ref), bytes, desc.mediaType, signal);
  }

  async commit(): Promise<void> {
    this.created.length = 0;
  }

  /**
   * Undoes what a failed copy stored: every manifest it pushed is deleted by digest, newest
   * first (an index before its children), so no untagged manifest is left behind. Where the
   * registry does not allow deletes (405, 401, 403) the rest is left as it is; blobs stay
   * (the registry's garbage collection takes them), and so does the repository's name in
   * the catalog, which no API call removes.
   */
  async abort(): Promise<void> {
    const digests = this.created.splice(0).reverse();
    for (const digest of digests) {
      try {
        await deleteManifest(this.client, this.repo, digest);
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === 405 || status === 401 || status === 403) return;
      }
    }
  }

  /** The full reference of something in this repository, for messages. */
  refString(ref?: string): string {
    return formatReference(this.at(ref));
  }
}
