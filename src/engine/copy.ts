/**
 * The graph copy engine. Pull, push, copy and save are one operation: walk the content graph
 * (index → manifests → config + layers) from a source target and write it to a destination
 * target, children before parents, each blob once, verified on the way, at most `jobs`
 * blob transfers at once. Blobs stream straight from source to destination, or through the
 * blob cache (resumable, and required by destinations that write one tar sequentially).
 * @module
 */
import { setMaxListeners } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { openVerifiedBlob } from "./blob-reader.js";
import { BlobCache, type CacheOutcome } from "./cache.js";
import type { Descriptor, Platform } from "../model/descriptor.js";
import { verifyManifest } from "../model/manifest-digest.js";
import { AbortedError, OcidistError } from "../model/errors.js";
import { resolveImage } from "./image.js";
import { MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import { formatPlatform } from "../model/platform.js";
import { cacheOutcome, type ProgressListener } from "../progress/events.js";
import { convertSchema1 } from "./schema1-convert.js";
import { planCopy } from "./copy-plan.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { limiter } from "../util/limit.js";
import { WalkGuard } from "./graph-guard.js";
import { discard } from "../http/discard.js";
import { readAll } from "../util/stream.js";

/** Options of {@link copy} and {@link copyInto}. */
export interface CopyOptions {
  /** Copy only this platform's image of an index (default: the whole index). */
  platform?: Platform;
  /** Parallel blob transfers (default 4). */
  jobs?: number;
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** Route blobs through this cache (resumable downloads). Destinations that write sequentially get a temporary one when absent. */
  cache?: BlobCache;
  /** Convert Docker schema 1 to schema 2 (for destinations that cannot hold schema 1). */
  convertSchema1?: boolean;
  /** Also copy manifests whose `subject` is a copied manifest (signatures, SBOMs). */
  referrers?: boolean;
  /** Whole-blob attempts when a destination write fails mid-way (default 3). */
  attempts?: number;
}

/** What a copy did. */
export interface CopyResult {
  /** What the source reference resolved to (an index, when it named one). */
  source: Descriptor;
  /** What was written and named at the destination: the platform's manifest when narrowed, the converted manifest for schema 1. */
  root: Descriptor;
  /** The platform chosen from an index, when one was. */
  platform?: Platform;
  /** With `referrers`: how many referrer manifests were copied. */
  referrers?: number;
}

/** Reads a manifest's bytes from a target and verifies them against its descriptor. */
export async function fetchManifestBytes(src: ReadableTarget, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (desc.size > MAX_MANIFEST_BYTES) throw new OcidistError(`manifest ${desc.digest} is ${desc.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  const { body } = await src.fetch(desc, { signal });
  const bytes = await readAll(body, MAX_MANIFEST_BYTES, `manifest ${desc.digest}`);
  verifyManifest(bytes, desc.digest, desc.mediaType, desc.size);
  return bytes;
}

/** One walk of a graph into a destination. */
class GraphCopy {
  private readonly blobs = new Map<string, Promise<void>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly schedule: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly pushSlot: <T>(task: () => Promise<T>) => Promise<T>;
  /** The caller's options, with a signal that also fires when this copy fails. */
  private readonly options: CopyOptions;
  /** Stops every transfer of this copy: the caller cancelled, or one transfer failed. */
  private readonly controller = new AbortController();
  /** Manifests already read and verified (by a planning walk), by digest. */
  read = new Map<string, Buffer>();
  /** Referrer manifests found and copied (with `referrers`). */
  referrers = 0;
  /** Refuses loops and graphs too deep or too large. */
  private readonly guard = new WalkGuard();

  constructor(
    private readonly src: ReadableTarget,
    private readonly dst: WritableTarget,
    options: CopyOptions,
    private readonly cache: BlobCache | undefined,
  ) {
    setMaxListeners(0, this.controller.signal);
    this.options = { ...options, signal: this.controller.signal };
    this.schedule = limiter(Math.max(1, options.jobs ?? 4));
    this.pushSlot = dst.sequential ? limiter(1) : (task) => task();
  }

  /**
   * Copies the graph under `top`. When any part fails, the rest is cancelled and waited
   * for before the first failure is thrown, so nothing still writes into a destination
   * that the caller is about to abort.
   */
  async run(top: Descriptor, bytes: Buffer, parsed: ParsedManifest, outer?: AbortSignal): Promise<Descriptor> {
    const cancel = () => this.controller.abort(outer?.reason);
    if (outer?.aborted) cancel();
    outer?.addEventListener("abort", cancel, { once: true });
    try {
      this.guard.visit(top.digest, 0);
      const root = this.copyManifest(top, bytes, parsed);
      this.manifests.set(top.digest, root.then(() => this.guard.done(top.digest)));
      return await root;
    } catch (err) {
      this.controller.abort(err);
      await this.settle();
      throw err;
    } finally {
      outer?.removeEventListener("abort", cancel);
    }
  }

  /** Waits until every transfer started so far (and any it starts meanwhile) has ended. */
  private async settle(): Promise<void> {
    for (let count = -1; count !== this.blobs.size + this.manifests.size; ) {
      count = this.blobs.size + this.manifests.size;
      await Promise.allSettled([...this.blobs.values(), ...this.manifests.values()]);
    }
  }

  private check(): void {
    if (this.options.signal?.aborted) throw new AbortedError("cancelled");
  }

  /** Copies one blob, once. */
  copyBlob(desc: Descriptor): Promise<void> {
    let p = this.blobs.get(desc.digest);
    if (!p) {
      p = this.schedule(() => this.transferBlob(desc));
      this.blobs.set(desc.digest, p);
    }
    return p;
  }

  private async transferBlob(blob: Descriptor): Promise<void> {
    this.check();
    const { signal, progress } = this.options;
    let desc = blob;
    if (desc.size < 0 && this.src.blobSize) {
      const size = await this.src.blobSize(desc, signal);
      if (size !== undefined) desc = { ...desc, size };
    }
    if (desc.size >= 0 && (await this.dst.exists(desc, signal))) {
      progress?.blobDone?.(desc, "exists");
      return;
    }
    progress?.blobStart?.(desc);
    const onBytes = (n: number) => progress?.blobBytes?.(desc, n);
    if (this.cache && desc.size >= 0 && !this.dst.prefersFiles && !this.dst.sequential) {
      // One stream feeds the cache and the destination: no second pass over the bytes. (A
      // sequential destination takes one push at a time, so there downloads finish in the
      // cache first, in parallel, and are pushed from it in turn.)
      const cache = this.cache;
      let how = "downloaded" as CacheOutcome;
      const open = async () => {
        const through = await cache.openThrough(this.src, desc, { signal, onBytes });
        how = through.how;
        return through.body;
      };
      await this.pushSlot(() => this.dst.push(desc, open, signal));
      progress?.blobDone?.(desc, cacheOutcome(how));
      return;
    }
    if (this.cache) {
      const how = await this.cache.ensure(this.src, desc, { signal, onBytes });
      const sized = desc.size >= 0 ? desc : { ...desc, size: await this.cache.size(desc) };
      // A blob downloaded now was verified on the way in; one found in the cache is checked again.
      if (how === "cached") await this.cache.verify(sized);
      const cache = this.cache;
      if (this.dst.pushFile) await this.pushSlot(() => this.dst.pushFile!(sized, cache.path(sized.digest), signal));
      else await this.pushSlot(() => this.dst.push(sized, async () => cache.open(sized), signal));
      progress?.blobDone?.(desc, cacheOutcome(how));
      return;
    }
    const attempts = this.options.attempts ?? 3;
    let opened: Readable | undefined;
    for (let attempt = 1; ; attempt++) {
      opened = undefined;
      const open = async () => (opened = await openVerifiedBlob(this.src, desc, { signal, onBytes }));
      try {
        await this.pushSlot(() => this.dst.push(desc, open, signal));
        break;
      } catch (err) {
        discard(opened);
        if (attempt >= attempts || signal?.aborted || (err as Error).name === "DigestMismatchError" || (err as Error).name === "LimitError" || ((err as { status?: number }).status !== undefined && (err as { status: number }).status < 500)) throw err;
      }
    }
    progress?.blobDone?.(desc, opened ? "transferred" : "mounted");
  }

  /** Pushes manifest bytes (after its children). */
  private async pushManifest(desc: Descriptor, bytes: Buffer): Promise<void> {
    this.check();
    if (!(await this.dst.exists(desc, this.options.signal))) {
      await this.pushSlot(() => this.dst.push(desc, async () => Readable.from([bytes]), this.options.signal));
    }
    this.options.progress?.manifestDone?.(desc);
  }

  /** Copies a manifest or index and everything below it; returns what was written (differs for converted schema 1). */
  async copyManifest(desc: Descriptor, known?: Buffer, parsedKnown?: ParsedManifest, depth = 0): Promise<Descriptor> {
    const bytes = known ?? this.read.get(desc.digest) ?? (await fetchManifestBytes(this.src, desc, this.options.signal));
    const parsed = parsedKnown ?? parseManifest(bytes, desc.mediaType);
    // A manifest the destination already has comes with everything it references (registries
    // and layouts refuse manifests whose children are missing), so its subtree is skipped.
    const convert = parsed.kind === "schema1" && this.options.convertSchema1;
    if (!convert && (await this.dst.exists(desc, this.options.signal))) {
      this.options.progress?.manifestDone?.(desc);
      if (this.options.referrers) await this.copyReferrers(desc, depth);
      return desc;
    }
    switch (parsed.kind) {
      case "index": {
        await Promise.all(parsed.index.manifests.map((child) => this.copyChild(child, desc, depth + 1)));
        break;
      }
      case "image": {
        const blobs = [parsed.manifest.config, ...parsed.manifest.layers];
        this.options.progress?.plan?.(blobs);
        await Promise.all(blobs.map((b) => this.copyBlob(b)));
        break;
      }
      case "schema1": {
        if (this.options.convertSchema1) return this.copyConverted(desc, parsed);
        await Promise.all(uniqueSchema1Blobs(parsed).map((b) => this.copyBlob(b)));
        break;
      }
    }
    await this.pushManifest(desc, bytes);
    if (this.options.referrers) await this.copyReferrers(desc, depth);
    return desc;
  }

  /** Copies a child of `parent` once; a manifest is checked by the guard before `parent` waits for it. */
  private copyChild(child: Descriptor, parent: Descriptor, depth: number): Promise<void> {
    if (!isManifestMediaType(child.mediaType)) return this.copyBlob(child);
    this.guard.wait(parent.digest, child.digest);
    let p = this.manifests.get(child.digest);
    if (!p) {
      this.guard.visit(child.digest, depth);
      p = this.copyManifest(child, undefined, undefined, depth).then(() => this.guard.done(child.digest));
      this.manifests.set(child.digest, p);
    }
    return p;
  }

  /** Schema 1 → schema 2: blobs go through the cache so their diff IDs can be computed. */
  private async copyConverted(desc: Descriptor, parsed: Extract<ParsedManifest, { kind: "schema1" }>): Promise<Descriptor> {
    if (!this.cache) throw new OcidistError("converting a schema1 image needs the blob cache");
    const blobs = uniqueSchema1Blobs(parsed);
    await Promise.all(blobs.map((b) => this.copyBlob(b)));
    const converted = await convertSchema1(parsed.schema1, this.cache);
    await this.pushSlot(() => this.dst.push(converted.config, async () => Readable.from([converted.configBytes]), this.options.signal));
    this.options.progress?.note?.(`converted schema1 manifest ${desc.digest} to ${converted.manifest.digest}`);
    await this.pushManifest(converted.manifest, converted.manifestBytes);
    return converted.manifest;
  }

  /** Copies the referrers of a manifest (and theirs). */
  private async copyReferrers(desc: Descriptor, depth: number): Promise<void> {
    if (!this.src.referrers) return;
    const list = await this.src.referrers(desc, undefined, this.options.signal);
    this.referrers += list.length;
    await Promise.all(list.map((r) => this.copyChild(r, desc, depth + 1)));
  }
}

/** Schema 1 layers as descriptors (sizes unknown until fetched). */
function uniqueSchema1Blobs(parsed: Extract<ParsedManifest, { kind: "schema1" }>): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (let i = parsed.schema1.fsLayers.length - 1; i >= 0; i--) {
    const digest = parsed.schema1.fsLayers[i]!.blobSum;
    if (seen.has(digest)) continue;
    seen.add(digest);
    out.push({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest, size: -1 });
  }
  return out;
}

/**
 * Copies what `srcRef` names in `src` into `dst` and names it `dstRef` there, without
 * committing `dst` (so several images can go into one output). With `options.platform`, an
 * index is narrowed to that platform's manifest.
 */
export async function copyInto(src: ReadableTarget, srcRef: string | undefined, dst: WritableTarget, dstRef: string | undefined, options: CopyOptions = {}): Promise<CopyResult> {
  const { index, entry, manifest, platform } = await resolveImage(src, srcRef, options.platform, options.signal);
  const source = (index ?? manifest).descriptor;
  const top = entry ?? manifest.descriptor;
  const { bytes, parsed } = manifest;
  if (index) options.progress?.note?.(`resolved index ${source.digest} to ${top.digest} (${formatPlatform(platform ?? options.platform!)})`);
  const tmpCache = !options.cache && (dst.sequential || (parsed.kind === "schema1" && options.convertSchema1));
  const cacheDir = tmpCache ? await mkdtemp(join(tmpdir(), "ocidist-stage-")) : undefined;
  const cache = options.cache ?? (cacheDir ? new BlobCache(cacheDir) : undefined);
  try {
    const graph = new GraphCopy(src, dst, options, cache);
    if (dst.plan) {
      const plan = await planCopy(src, top, bytes, parsed, fetchManifestBytes, options);
      graph.read = plan.manifests;
      await dst.plan(plan.order, options.signal);
    }
    const root = await graph.run(top, bytes, parsed, options.signal);
    await dst.tag(root, dstRef, options.signal);
    return { source, root, ...(platform ? { platform } : {}), ...(options.referrers ? { referrers: graph.referrers } : {}) };
  } finally {
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }
}

/** Copies one reference and commits the destination; on failure the destination is aborted (nothing left behind). */
export async function copy(src: ReadableTarget, srcRef: string | undefined, dst: WritableTarget, dstRef: string | undefined, options: CopyOptions = {}): Promise<CopyResult> {
  try {
    const result = await copyInto(src, srcRef, dst, dstRef, options);
    await dst.commit();
    return result;
  } catch (err) {
    await dst.abort().catch(() => undefined);
    throw err;
  }
}
