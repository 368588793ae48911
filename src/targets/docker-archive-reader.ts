/**
 * Reading a docker archive that has no OCI layout inside (what `docker save` wrote before
 * docker 25, and what podman and skopeo write): `manifest.json` names each image's config
 * and layer files; a Docker schema 2 manifest is synthesized from them, with each file
 * hashed for its digest and each layer's media type told by its bytes. Uncompressed layers
 * are gzipped (as crane and skopeo push them) unless the reader is told to keep them.
 * @module
 */
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { MAX_ARCHIVE_METADATA_BYTES } from "../model/limits.js";
import { createDigester, digestOf, isValidDigest } from "../model/digest.js";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_LAYER_ZSTD, DOCKER_MANIFEST, OCI_CONFIG, OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD, OCI_MANIFEST, OCTET_STREAM, sniffCompression } from "../model/media-types.js";
import { refNameMatches } from "./layout-reader.js";
import type { LayoutFs } from "./layout-fs.js";
import { LayerGzipper } from "./layer-gzip.js";
import type { FetchOptions, FetchResult, ReadableTarget } from "./target.js";

/** One entry of manifest.json. */
interface SaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}


/** The OCI layer type for each Docker layer type a file is told to be. */
const OCI_LAYER_OF: Record<string, string> = { [DOCKER_LAYER]: OCI_LAYER, [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP, [DOCKER_LAYER_ZSTD]: OCI_LAYER_ZSTD };

/** Reads manifest.json. */
export async function readSaveManifest(fs: LayoutFs): Promise<SaveEntry[]> {
  let doc: unknown;
  try {
    doc = JSON.parse((await fs.read("manifest.json", MAX_ARCHIVE_METADATA_BYTES)).toString("utf8"));
  } catch (err) {
    if (err instanceof NotFoundError) throw new OcidistError(`${fs.description} is not a docker archive (no manifest.json)`);
    throw new OcidistError(`${fs.description}: manifest.json is not JSON`);
  }
  if (!Array.isArray(doc) || doc.some((e) => !e || typeof (e as SaveEntry).Config !== "string" || !Array.isArray((e as SaveEntry).Layers))) {
    throw new OcidistError(`${fs.description}: manifest.json is not a list of {Config, RepoTags, Layers}`);
  }
  return doc as SaveEntry[];
}

/** Options of {@link DockerArchiveReader.open}. */
export interface DockerArchiveOptions {
  /** Keep uncompressed layers as they are (default: gzip them, the config's diff_ids unchanged). */
  keepUncompressed?: boolean;
}

/** A docker archive as a readable target. */
export class DockerArchiveReader implements ReadableTarget {
  readonly description: string;
  /** Synthesized manifests by digest, and file paths by digest (gzipped layers: temporary files). */
  private readonly manifests = new Map<string, { desc: Descriptor; bytes: Buffer }>();
  private readonly paths = new Map<string, string>();
  /** The size of every blob learnt, by digest. */
  private readonly sizes = new Map<string, number>();
  private indexing?: Promise<void>;
  private readonly gzipped = new Map<string, string>();
  private readonly gzipper = new LayerGzipper();

  constructor(
    private readonly fs: LayoutFs,
    private readonly entries: SaveEntry[],
    private readonly options: DockerArchiveOptions = {},
  ) {
    this.description = fs.description;
  }

  static async open(fs: LayoutFs, options: DockerArchiveOptions = {}): Promise<DockerArchiveReader> {
    return new DockerArchiveReader(fs, await readSaveManifest(fs), options);
  }

  /** Removes the temporary gzipped layers. */
  async close(): Promise<void> {
    this.gzipped.clear();
    await this.gzipper.close();
  }

  async tags(): Promise<string[]> {
    return this.entries.flatMap((e) => e.RepoTags ?? []);
  }

  private async describeFile(path: string, mediaType: string | undefined): Promise<Descriptor> {
    const hash = createDigester("sha256");
    let size = 0;
    let head: Buffer | undefined;
    for await (const chunk of await this.fs.open(path)) {
      const c = chunk as Buffer;
      head ??= c.subarray(0, 4);
      hash.update(c);
      size += c.length;
    }
    const digest = `sha256:${hash.digest("hex")}`;
    this.paths.set(digest, path);
    this.sizes.set(digest, size);
    const compression = sniffCompression(head ?? Buffer.alloc(0));
    const mt = mediaType ?? (compression === "gzip" ? DOCKER_LAYER_GZIP : compression === "zstd" ? DOCKER_LAYER_ZSTD : DOCKER_LAYER);
    return { mediaType: mt, digest, size };
  }

  /** A layer file's descriptor; an uncompressed one gzipped first unless told to keep it. */
  private async describeLayer(path: string): Promise<Descriptor> {
    const plain = await this.describeFile(path, undefined);
    if (plain.mediaType !== DOCKER_LAYER || this.options.keepUncompressed) return plain;
    const gz = await this.gzipper.gzip(await this.fs.open(path));
    this.gzipped.set(gz.digest, gz.path);
    this.sizes.set(gz.digest, gz.size);
    return { mediaType: DOCKER_LAYER_GZIP, digest: gz.digest, size: gz.size };
  }

  async resolve(ref: string | undefined): Promise<Descriptor> {
    if (ref !== undefined && isValidDigest(ref)) {
      // A digest names one of the manifests synthesized from the entries.
      const desc = await this.lookup(ref, true);
      if (!desc) throw new NotFoundError(`${this.description}: no image with manifest ${ref}`);
      return desc;
    }
    let entry: SaveEntry | undefined;
    if (ref === undefined) {
      if (this.entries.length !== 1) throw new OcidistError(`${this.description} holds ${this.entries.length} images; name one with docker-archive:${this.description}:REF (REFs: ${(await this.tags()).join(", ") || "none"})`);
      entry = this.entries[0];
    } else {
      entry = this.entries.find((e) => (e.RepoTags ?? []).some((t) => refNameMatches(t, ref)));
    }
    if (!entry) throw new NotFoundError(`${this.description}: no image named ${JSON.stringify(ref)} (it has: ${(await this.tags()).join(", ") || "no names"})`);
    return this.describeEntry(entry);
  }

  /** Synthesizes the manifest of one entry, learning its config's and layers' digests. */
  private async describeEntry(entry: SaveEntry): Promise<Descriptor> {
    const config = await this.describeFile(entry.Config, DOCKER_CONFIG);
    const layers: Descriptor[] = [];
    for (const l of entry.Layers) layers.push(await this.describeLayer(l));
    // Docker's schema 2 has no zstd layer type that other tools read (podman and skopeo refuse
    // `…rootfs.diff.tar.zstd`): an image with a zstd layer becomes an OCI manifest, as podman
    // and buildah write one.
    const oci = layers.some((l) => l.mediaType === DOCKER_LAYER_ZSTD);
    const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
    const doc = oci
      ? { schemaVersion: 2, mediaType, config: { ...config, mediaType: OCI_CONFIG }, layers: layers.map((l) => ({ ...l, mediaType: OCI_LAYER_OF[l.mediaType]! })) }
      : { schemaVersion: 2, mediaType, config, layers };
    const bytes = Buffer.from(JSON.stringify(doc, null, 3));
    const desc = { mediaType, digest: digestOf(bytes), size: bytes.length };
    this.manifests.set(desc.digest, { desc, bytes });
    return desc;
  }

  /** Learns every entry's digests (once), so that a blob or manifest can be asked for by digest alone. */
  private indexAll(): Promise<void> {
    this.indexing ??= (async () => {
      for (const e of this.entries) await this.describeEntry(e);
    })();
    return this.indexing;
  }

  /** What is known of a digest: a synthesized manifest's descriptor, or a blob's size. */
  private known(digest: string, manifestOnly = false): Descriptor | undefined {
    const m = this.manifests.get(digest);
    if (m || manifestOnly) return m?.desc;
    const size = this.sizes.get(digest);
    return size === undefined ? undefined : { mediaType: OCTET_STREAM, digest, size };
  }

  /** A digest's descriptor, learning every entry's digests first when it is not yet known. */
  private async lookup(digest: string, manifestOnly = false): Promise<Descriptor | undefined> {
    if (!this.known(digest, manifestOnly)) await this.indexAll();
    return this.known(digest, manifestOnly);
  }

  async fetch(desc: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
    if (!(await this.lookup(desc.digest))) throw new NotFoundError(`${this.description}: no blob ${desc.digest}`);
    const m = this.manifests.get(desc.digest);
    if (m) return { body: Readable.from([m.bytes]), offset: 0 };
    const offset = options.offset ?? 0;
    const gz = this.gzipped.get(desc.digest);
    if (gz) return { body: this.gzipper.open(gz, offset), offset };
    return { body: await this.fs.open(this.paths.get(desc.digest)!, offset), offset };
  }

  async exists(desc: Descriptor): Promise<boolean> {
    return (await this.lookup(desc.digest)) !== undefined;
  }

  async blobSize(desc: Descriptor): Promise<number | undefined> {
    return (await this.lookup(desc.digest))?.size;
  }
}
