/**
 * Writing an OCI layout — as a directory, as a tar (OCI archive), or as a docker archive
 * (the same tar with docker's `manifest.json` and `repositories` beside the layout, as
 * docker 25+ writes it). Blobs are verified as they are written; manifests are kept in
 * memory for naming; metadata files are written last, at commit.
 * @module
 */
import type { FileIdentity } from "../util/file-identity.js";
import type { Descriptor } from "../model/descriptor.js";
import { ANNOTATION_REF_NAME } from "../model/descriptor.js";
import { isVerifiedStream } from "../util/verified-stream.js";
import { VerifyingStream } from "../model/digest.js";
import { UnsupportedMediaTypeError } from "../model/errors.js";
import {
  ANNOTATION_CONTAINERD_NAME,
  OCI_LAYOUT_CONTENT,
  blobPathInLayout,
  dockerArchiveNames,
  metadataFiles,
  type DockerSaveEntry,
  type LayoutEntry,
} from "./layout-files.js";
import { MAX_MANIFEST_BYTES, parseManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import { readAll } from "../util/stream.js";
import { referrerDescriptor } from "../registry/referrers.js";
import { readLayoutIndex } from "./layout-reader.js";
import { DirFs } from "./layout-fs.js";
import type { FileSink } from "./sinks.js";
import { withLayoutLock } from "./layout-lock.js";
import type { BlobIntake, BodyOpener, WritableTarget } from "./target.js";

/** The local formats. */
export type LayoutKind = "oci" | "oci-archive" | "docker-archive";

/** A writable OCI layout / OCI archive / docker archive. */
export class LayoutWriter implements WritableTarget {
  private readonly entries: LayoutEntry[] = [];
  /**
   * This writer's changes to the index, in order: replayed at commit onto the index as it is
   * then on disk (under the layout's lock), so that another writer's entries, added since this
   * one opened the layout, are kept.
   */
  private readonly changes: ((entries: LayoutEntry[]) => void)[] = [];
  private readonly save: DockerSaveEntry[] = [];
  private readonly manifests = new Map<string, Buffer>();
  /** Digests written by this writer (verified on the way in). */
  private readonly written = new Set<string>();
  private started = false;

  private constructor(
    readonly description: string,
    private readonly kind: LayoutKind,
    private readonly sink: FileSink,
    existing: LayoutEntry[],
    /** The existing directory layout updated in place, if this writer updates one. */
    private readonly existingRoot?: string,
  ) {
    this.entries.push(...existing);
    if (sink.plan) {
      const plan = sink.plan.bind(sink);
      this.plan = async (descs) => {
        await this.start();
        await plan(descs.filter((d) => d.size >= 0).map((d) => ({ path: blobPathInLayout(d.digest), size: d.size })));
      };
    }
  }

  /** Opens a writer on a sink; an existing directory layout's index.json entries are kept. */
  static async create(description: string, kind: LayoutKind, sink: FileSink, existingRoot?: string): Promise<LayoutWriter> {
    const existing = existingRoot ? (await readLayoutIndex(new DirFs(existingRoot))).map((d) => ({ descriptor: d })) : [];
    return new LayoutWriter(description, kind, sink, existing, existingRoot);
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!(await this.sink.has("oci-layout"))) await this.sink.writeSmall("oci-layout", Buffer.from(OCI_LAYOUT_CONTENT));
  }

  /** Lays out the blobs to come, the layout marker first: only for sinks with an order (tars). */
  readonly plan?: (descs: Descriptor[]) => Promise<void>;

  /**
   * True when the layout holds the blob: written by this writer, or found with its bytes
   * checked again. A manifest found in an existing layout is not reported present: below it a
   * blob may be damaged, so the copy walks it (and rewrites the manifest's verified bytes)
   * rather than trusting the subtree.
   */
  async exists(desc: Descriptor): Promise<boolean> {
    if (this.written.has(desc.digest)) return true;
    const path = blobPathInLayout(desc.digest);
    if (!this.sink.verify) return this.sink.has(path);
    if (isManifestMediaType(desc.mediaType)) return false;
    return this.sink.verify(path, desc.digest, desc.size);
  }

  async push(desc: Descriptor, open: BodyOpener): Promise<void> {
    await this.start();
    const path = blobPathInLayout(desc.digest);
    if (isManifestMediaType(desc.mediaType)) {
      const bytes = await readAll(await open(), MAX_MANIFEST_BYTES, `manifest ${desc.digest}`);
      this.manifests.set(desc.digest, bytes);
      const verifier = new VerifyingStream({ digest: desc.digest, size: desc.size, what: "manifest" });
      verifier.end(bytes);
      await this.sink.write(path, bytes.length, verifier);
      this.written.add(desc.digest);
      this.recordReferrer(desc, bytes);
      return;
    }
    const body = await open();
    if (isVerifiedStream(body)) {
      await this.sink.write(path, desc.size, body);
      this.written.add(desc.digest);
      return;
    }
    const verifier = new VerifyingStream({ digest: desc.digest, size: desc.size, what: "blob" });
    body.on("error", (err) => verifier.destroy(err));
    await this.sink.write(path, desc.size, body.pipe(verifier));
    this.written.add(desc.digest);
  }

  /**
   * A manifest with a `subject` (a signature, an SBOM) gets an index.json entry of its own,
   * unnamed and with its `artifactType`, as oras, regclient and zot write them, so that it
   * is found again when the layout is read (see `layout-referrers.ts`). Docker archives
   * hold images only.
   */
  private recordReferrer(desc: Descriptor, bytes: Buffer): void {
    if (this.kind === "docker-archive" || this.entries.some((e) => e.descriptor.digest === desc.digest)) return;
    const referrer = referrerDescriptor(desc, bytes);
    if (referrer) this.change((entries) => addReferrer(entries, referrer));
  }

  /** Applies an index change now, and keeps it for the replay at commit. */
  private change(fn: (entries: LayoutEntry[]) => void): void {
    fn(this.entries);
    this.changes.push(fn);
  }

  /** `"file"` for a directory layout, where a cached blob is hard-linked rather than written; `"stream"` for a tar. */
  get accepts(): BlobIntake {
    return this.sink.linksFiles ? "file" : "stream";
  }

  /** A blob that is a local file (the cache): hard-linked into a directory layout, streamed into a tar. */
  async pushFile(desc: Descriptor, path: string, _signal?: AbortSignal, identity?: FileIdentity): Promise<void> {
    await this.start();
    await this.sink.writeFile(blobPathInLayout(desc.digest), desc.size, path, identity);
    this.written.add(desc.digest);
  }

  async tag(desc: Descriptor, ref: string | undefined): Promise<void> {
    await this.start();
    const plain: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
    if (this.kind !== "docker-archive") return this.change((entries) => setName(entries, plain, ref));
    const bytes = this.manifests.get(desc.digest);
    const parsed = bytes ? parseManifest(bytes, desc.mediaType) : undefined;
    if (!parsed || parsed.kind !== "image") {
      throw new UnsupportedMediaTypeError(`a docker archive holds single-platform images; ${desc.digest} is ${parsed?.kind === "index" ? "an index: choose one with --platform" : "not an image manifest"}`);
    }
    const names = dockerArchiveNames(ref);
    this.entries.push({ descriptor: plain, ...(names ? { imageName: names.imageName, refName: names.refName } : {}) });
    const familiar = names?.familiar;
    const same = this.save.find((e) => e.config.digest === parsed.manifest.config.digest && e.layers.map((l) => l.digest).join() === parsed.manifest.layers.map((l) => l.digest).join());
    if (same) {
      if (familiar && !same.repoTags.includes(familiar)) same.repoTags.push(familiar);
    } else {
      this.save.push({ config: parsed.manifest.config, layers: parsed.manifest.layers, repoTags: familiar ? [familiar] : [] });
    }
  }

  async commit(): Promise<void> {
    await this.start();
    const root = this.existingRoot;
    if (root) {
      await withLayoutLock(root, async () => {
        const now: LayoutEntry[] = (await readLayoutIndex(new DirFs(root))).map((d) => ({ descriptor: d }));
        for (const fn of this.changes) fn(now);
        await this.writeMetadata(now);
      });
    } else {
      await this.writeMetadata(this.entries);
    }
    await this.sink.commit();
  }

  private async writeMetadata(entries: LayoutEntry[]): Promise<void> {
    for (const f of metadataFiles(this.kind, entries, this.save)) await this.sink.writeSmall(f.path, Buffer.from(f.content));
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }
}

/** Names `desc` `ref` in the index (the name moves off whatever it named), or adds it unnamed once. */
function setName(entries: LayoutEntry[], desc: Descriptor, ref: string | undefined): void {
  if (ref !== undefined) {
    const i = entries.findIndex((e) => entryRefName(e) === ref);
    if (i >= 0) entries.splice(i, 1);
  } else if (entries.some((e) => e.descriptor.digest === desc.digest && !entryRefName(e))) {
    return;
  }
  entries.push({ descriptor: desc, ...(ref !== undefined ? { refName: ref } : {}) });
}

/** Adds a referrer's unnamed entry unless the manifest has one. */
function addReferrer(entries: LayoutEntry[], referrer: Descriptor): void {
  if (!entries.some((e) => e.descriptor.digest === referrer.digest)) entries.push({ descriptor: referrer });
}

function entryRefName(e: LayoutEntry): string | undefined {
  return e.refName ?? e.descriptor.annotations?.[ANNOTATION_REF_NAME];
}

/** The name stored for an existing entry (for tests and listings). */
export function entryName(e: LayoutEntry): string | undefined {
  return e.refName ?? e.descriptor.annotations?.[ANNOTATION_REF_NAME] ?? e.imageName ?? e.descriptor.annotations?.[ANNOTATION_CONTAINERD_NAME];
}
