/**
 * The graph walk of a copy: from a manifest or index, its children (one successor function,
 * `childDescriptors`) are copied before it is pushed, each node once, at most `jobs` blob
 * transfers at once, with the hooks called around every node. When any part fails, the rest
 * is cancelled and waited for before the first failure is thrown, so nothing still writes
 * into a destination the caller is about to abort.
 * @module
 */
import { setMaxListeners } from "node:events";
import { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";
import { AbortedError } from "../model/errors.js";
import { childDescriptors, parseManifest, type ParsedManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import type { BlobOutcome } from "../progress/events.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import { limiter } from "../util/limit.js";
import type { BlobCache } from "./cache.js";
import { transferBlob } from "./copy-blob.js";
import { walkHooks, type CopyHooks, type CopyOptions } from "./copy-options.js";
import { copyReferrers } from "./copy-referrers.js";
import { copyConverted } from "./copy-schema1.js";
import { chooseStrategy, type CopyStrategy } from "./copy-strategy.js";
import { WalkGuard } from "./graph-guard.js";
import { fetchManifestBytes } from "./image.js";

export { fetchManifestBytes };

/** One walk of a graph into a destination. */
export class GraphCopy {
  private readonly blobs = new Map<string, Promise<void>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly schedule: <T>(task: () => Promise<T>) => Promise<T>;
  /** Stops every transfer of this copy: the caller cancelled, or one transfer failed. */
  private readonly controller = new AbortController();
  /** Fires when the caller cancels or any transfer of this copy fails. */
  readonly signal: AbortSignal = this.controller.signal;
  /** The caller's hooks, with progress and the counts folded in. */
  readonly hooks: Required<CopyHooks>;
  /** Mounting and blob routes, chosen once for this copy. */
  readonly strategy: CopyStrategy;
  /** Manifests already read and verified (by a planning walk), by digest. */
  read = new Map<string, Buffer>();
  /** Referrer manifests found and copied (with `referrers`). */
  referrers = 0;
  /** Blobs by how they reached the destination. */
  readonly counts: Partial<Record<BlobOutcome, number>> = {};
  /** Refuses loops and graphs too deep or too large. */
  private readonly guard = new WalkGuard();

  constructor(
    readonly src: ReadableTarget,
    readonly dst: WritableTarget,
    readonly options: CopyOptions,
    readonly cache: BlobCache | undefined,
  ) {
    setMaxListeners(0, this.controller.signal);
    this.schedule = limiter(Math.max(1, options.jobs ?? 4));
    this.hooks = walkHooks(options, this.counts);
    this.strategy = chooseStrategy(src, dst, cache);
  }

  /** Copies the graph under `top` (already read); returns what was written there (differs for converted schema 1). */
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
      // What failed because the caller cancelled is reported as the cancellation.
      if (outer?.aborted && !(err instanceof AbortedError)) throw new AbortedError("cancelled", { cause: err });
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
    if (this.signal.aborted) throw new AbortedError("cancelled");
  }

  /** Copies one blob, once. */
  copyBlob(desc: Descriptor): Promise<void> {
    let p = this.blobs.get(desc.digest);
    if (!p) {
      p = this.schedule(async () => {
        this.check();
        if ((await this.hooks.preCopy(desc)) === "skip") return;
        const done = await transferBlob({ src: this.src, dst: this.dst, cache: this.cache, strategy: this.strategy, signal: this.signal, progress: this.options.progress, retry: this.options.retry }, desc);
        await this.hooks.postCopy(done.desc, done.outcome);
      });
      this.blobs.set(desc.digest, p);
    }
    return p;
  }

  /** Pushes manifest bytes (after its children), unless the destination has them. */
  async pushManifest(desc: Descriptor, bytes: Buffer): Promise<void> {
    this.check();
    const there = await this.dst.exists(desc, this.signal);
    if (!there) await this.dst.push(desc, async () => Readable.from([bytes]), this.signal);
    await this.hooks.postCopy(desc, there ? "exists" : "transferred");
  }

  /** Copies a manifest or index and everything below it; returns what was written (differs for converted schema 1). */
  async copyManifest(desc: Descriptor, known?: Buffer, parsedKnown?: ParsedManifest, depth = 0): Promise<Descriptor> {
    this.check();
    if ((await this.hooks.preCopy(desc)) === "skip") return desc;
    const bytes = known ?? this.read.get(desc.digest) ?? (await fetchManifestBytes(this.src, desc, this.signal));
    const parsed = parsedKnown ?? parseManifest(bytes, desc.mediaType);
    if (parsed.kind === "schema1" && this.options.convertSchema1) return copyConverted(this, desc, parsed);
    // A manifest the destination already has comes with everything it references (registries
    // and layouts refuse manifests whose children are missing), so its subtree is skipped.
    if (await this.dst.exists(desc, this.signal)) {
      await this.hooks.postCopy(desc, "exists");
    } else {
      const children = childDescriptors(parsed);
      if (parsed.kind === "image") this.options.progress?.plan?.(children);
      await Promise.all(children.map((child) => this.copyChild(child, desc, depth + 1)));
      await this.pushManifest(desc, bytes);
    }
    if (this.options.referrers) this.referrers += await copyReferrers(this, desc, depth);
    return desc;
  }

  /** Copies a child of `parent` once; a manifest is checked by the guard before `parent` waits for it. */
  copyChild(child: Descriptor, parent: Descriptor, depth: number): Promise<void> {
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
}
