/**
 * Running a plan: for each tag, what the source names now (or the locked digest) is compared
 * with what the destination tag names (a `HEAD`); the same digest is skipped without
 * another request, anything else is copied by `copy()` from the source digest, so a tag
 * moved meanwhile cannot mix two images. `jobs` tags at once (each with `jobs` blob
 * transfers); copies into one layout directory go one at a time. Transient failures are tried
 * again where they happen (each request by the transport, each blob transfer by `copy()`),
 * not by redoing the whole tag; a failure left is recorded and the rest goes on.
 * @module
 */
import { readdir } from "node:fs/promises";
import type { Descriptor } from "../model/descriptor.js";
import { NotFoundError } from "../model/errors.js";
import { copy } from "../engine/copy.js";
import { resolveDigest } from "../engine/image.js";
import type { Reference } from "../model/reference.js";
import { defaultRetryPolicy, type RetryPolicy } from "../http/retry.js";
import type { BlobOutcome, ProgressListener } from "../progress/events.js";
import type { RegistryClient } from "../registry/client.js";
import { RegistryTarget } from "../targets/registry.js";
import { openLocalSink, openLocalSource } from "../targets/local.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";
import type { SyncItem } from "./plan.js";

/** What happened to one tag. */
export type ItemStatus = "copied" | "skipped" | "failed" | "planned";

/** The outcome of one tag. */
export interface ItemResult {
  item: SyncItem;
  status: ItemStatus;
  /** What the source tag named (or the locked digest). */
  digest?: string;
  /** What the destination tag names after the run (differs from `digest` for one platform of an index). */
  manifest?: string;
  /** Blob bytes moved. */
  bytes: number;
  /** Blobs by how they reached the destination. */
  blobs: Partial<Record<BlobOutcome, number>>;
  error?: unknown;
}

/** Watches the run: one listener per tag being copied. */
export interface SyncObserver {
  /** A tag starts; the listener returned gets its byte-level progress. */
  start?(item: SyncItem): ProgressListener | undefined;
  /** A tag is done. */
  done?(result: ItemResult): void;
}

/** Settings of {@link runPlan}. */
export interface RunOptions {
  client: RegistryClient;
  /** Tags at once, and blob transfers per tag (default 4). */
  jobs?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Compare only: nothing is copied (items come back `planned` or `skipped`). */
  dryRun?: boolean;
  observer?: SyncObserver;
  /**
   * Turns a source tag into the digest to copy (the CLI cross-checks it through other paths
   * here, `--cross-check`); by default the source registry's answer.
   */
  pin?(source: Reference, signal?: AbortSignal): Promise<string>;
}

function sourceTarget(client: RegistryClient, item: SyncItem): RegistryTarget {
  return new RegistryTarget(client, { registry: item.source.registry, repository: item.source.repository });
}

/**
 * The layouts of `dir:` destinations as last read, by path: the tags of one directory are
 * compared against one read of its index.json, read again only after a copy into it.
 */
type Layouts = Map<string, Promise<ReadableTarget | undefined>>;

/**
 * True when nothing is at `path` or it is an empty directory: a layout that a copy will
 * make. Anything else that does not open as a layout (a damaged index.json, a directory
 * that cannot be read) fails the tag, in a dry run too, rather than passing for absent.
 */
async function noLayoutYet(path: string): Promise<boolean> {
  const entries = await readdir(path).catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? [] : undefined));
  return entries?.length === 0;
}

/** The layout at `path`, or undefined when there is none yet (see {@link noLayoutYet}). */
async function openLayoutIfAny(path: string): Promise<ReadableTarget | undefined> {
  try {
    return await openLocalSource({ kind: "oci", path });
  } catch (err) {
    if (await noLayoutYet(path)) return undefined;
    throw err;
  }
}

/** What the destination tag names now, or undefined when it names nothing. */
async function destinationDigest(client: RegistryClient, item: SyncItem, layouts: Layouts, signal?: AbortSignal): Promise<string | undefined> {
  let target: ReadableTarget | undefined;
  if (item.to.kind === "dir") {
    const path = item.to.path;
    if (!layouts.has(path)) layouts.set(path, openLayoutIfAny(path));
    target = await layouts.get(path);
    if (!target) return undefined;
  } else {
    target = new RegistryTarget(client, item.to.repo);
  }
  try {
    return (await resolveDigest(target, item.tag, undefined, signal)).digest;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function openDestination(client: RegistryClient, item: SyncItem): Promise<WritableTarget> {
  if (item.to.kind === "dir") return openLocalSink({ kind: "oci", path: item.to.path, ref: item.tag });
  return new RegistryTarget(client, item.to.repo);
}

/** A listener that counts an item's bytes and passes everything on to `next`. */
function counting(result: ItemResult, next: ProgressListener | undefined): ProgressListener {
  return {
    plan: (blobs) => next?.plan?.(blobs),
    blobStart: (d) => next?.blobStart?.(d),
    blobBytes: (d, n) => {
      result.bytes += n;
      next?.blobBytes?.(d, n);
    },
    blobDone: (d, o) => next?.blobDone?.(d, o),
    manifestDone: (d) => next?.manifestDone?.(d),
  };
}

async function runItem(item: SyncItem, options: RunOptions, retry: RetryPolicy, layouts: Layouts): Promise<ItemResult> {
  const { client, signal } = options;
  const result: ItemResult = { item, status: "failed", bytes: 0, blobs: {} };
  const source = sourceTarget(client, item);
  try {
    const pinned = item.digest ?? (options.pin ? await options.pin(item.source, signal) : (await resolveDigest(source, item.tag, undefined, signal)).digest);
    result.digest = pinned;
    // With one platform, the destination holds that platform's manifest, which the index names.
    const wanted: Descriptor = item.platform ? await resolveDigest(source, pinned, item.platform, signal) : { mediaType: "", digest: pinned, size: 0 };
    const there = await destinationDigest(client, item, layouts, signal);
    if (there === wanted.digest) return { ...result, status: "skipped", manifest: there };
    if (options.dryRun) return { ...result, status: "planned", manifest: wanted.digest };
    // The layout's index.json is rewritten by this copy (whether it ends well or not): read it afresh next time.
    if (item.to.kind === "dir") layouts.delete(item.to.path);
    const sink = await openDestination(client, item);
    const done = await copy(source, pinned, sink, item.tag, {
      jobs: options.jobs,
      signal,
      retry,
      progress: counting(result, options.observer?.start?.(item)),
      referrers: item.referrers,
      convertSchema1: item.to.kind === "dir",
      ...(item.platform ? { platform: item.platform } : {}),
    });
    return { ...result, status: "copied", manifest: done.root.digest, blobs: done.blobs };
  } catch (err) {
    return { ...result, status: "failed", error: err };
  }
}

/** Runs every item; the results come back in the plan's order. */
export async function runPlan(items: SyncItem[], options: RunOptions): Promise<ItemResult[]> {
  const retry = options.retry ?? defaultRetryPolicy;
  const jobs = Math.max(1, options.jobs ?? 4);
  const results: ItemResult[] = new Array<ItemResult>(items.length);
  // One copy at a time into each layout directory: its index.json is rewritten by each.
  const dirQueues = new Map<string, Promise<unknown>>();
  const layouts: Layouts = new Map();
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const item = items[i]!;
    const run = () => runItem(item, options, retry, layouts);
    let p: Promise<ItemResult>;
    if (item.to.kind === "dir") {
      const prior = dirQueues.get(item.to.path) ?? Promise.resolve();
      p = prior.then(run, run);
      dirQueues.set(item.to.path, p);
    } else p = run();
    results[i] = await p;
    options.observer?.done?.(results[i]);
  };
  const worker = async () => {
    while (next < items.length) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}
