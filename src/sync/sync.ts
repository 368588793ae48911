/**
 * `sync(config, options)`: the library's mirror. Plans (tag lists, selections, shard, or a
 * lock's pinned digests), runs the plan, writes the lock, and reports each tag's outcome.
 * The CLI's `ocidist sync` is this with a progress display and a table.
 * @module
 */
import type { RetryPolicy } from "../http/retry.js";
import type { RegistryClient } from "../registry/client.js";
import { listTags } from "../registry/tags.js";
import { lockedItems, lockEntry, readLock, writeLock } from "./lock.js";
import type { SyncConfig } from "./model.js";
import { buildPlan, sourceKey, type PlanFailure, type SyncPlan } from "./plan.js";
import { runPlan, type ItemResult, type RunOptions, type SyncObserver } from "./runner.js";
import { inShard, type Shard } from "./shard.js";

/** Settings of {@link sync}. */
export interface SyncOptions {
  /** One client for every registry: it keeps one connection pool per registry. */
  client: RegistryClient;
  /** Tags at once, and blob transfers per tag (default 4). */
  jobs?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** This machine's share of the copies (tag lists are read whole in every shard). */
  shard?: Shard;
  /** Compare only; nothing is written (not even the lock). */
  dryRun?: boolean;
  /** Write every tag mirrored (copied or already there) with its digest to this file. */
  lock?: string;
  /** Copy exactly the digests of this lock file, instead of what the tags name now. */
  fromLock?: string;
  observer?: SyncObserver;
  /** How a source tag becomes the digest copied (see the runner's `pin`). */
  pin?: RunOptions["pin"];
  /** Called once the plan is known, before anything is copied. */
  planned?(plan: SyncPlan): void;
}

/** What a sync did. */
export interface SyncReport {
  results: ItemResult[];
  /** Repositories whose tags could not be listed. */
  planFailures: PlanFailure[];
  /** Tags in the whole set (all shards). */
  total: number;
  copied: number;
  skipped: number;
  /** Tags (and repositories) that failed. */
  failed: number;
  /** Blob bytes moved. */
  bytes: number;
}

/** Mirrors what `config` lists; never throws for one tag's failure (see {@link SyncReport.failed}). */
export async function sync(config: SyncConfig, options: SyncOptions): Promise<SyncReport> {
  const jobs = Math.max(1, options.jobs ?? 4);
  let plan: SyncPlan;
  if (options.fromLock) {
    const all = lockedItems(config, await readLock(options.fromLock), options.fromLock);
    plan = { items: all.filter((i) => inShard(sourceKey(i), options.shard)), failures: [], total: all.length };
  } else {
    plan = await buildPlan(config.images, (repo) => listTags(options.client, repo, options.signal), { jobs, ...(options.shard ? { shard: options.shard } : {}) });
  }
  options.planned?.(plan);
  const results = await runPlan(plan.items, { client: options.client, jobs, retry: options.retry, signal: options.signal, dryRun: options.dryRun, observer: options.observer, ...(options.pin ? { pin: options.pin } : {}) });
  if (options.lock && !options.dryRun) {
    const entries = results.filter((r) => r.status !== "failed" && r.digest).map((r) => lockEntry(r.item, r.digest!, r.manifest ?? r.digest!));
    await writeLock(options.lock, entries, options.signal);
  }
  const count = (s: ItemResult["status"]) => results.filter((r) => r.status === s).length;
  return {
    results,
    planFailures: plan.failures,
    total: plan.total,
    copied: count("copied"),
    skipped: count("skipped"),
    failed: count("failed") + plan.failures.length,
    bytes: results.reduce((n, r) => n + r.bytes, 0),
  };
}
