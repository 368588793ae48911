/**
 * The plan: every (source tag → destination) a mirror file asks for. Tag lists are read
 * (in every shard: only copies are shared out), selections applied, duplicates dropped, and
 * the result sorted so that every run and every shard sees the same order. A repository
 * that cannot be listed is one failure of the plan; the rest goes on.
 * @module
 */
import type { Platform } from "../model/descriptor.js";
import { formatReference, isValidTag, type Reference } from "../model/reference.js";
import type { SyncDestination, SyncImage } from "./model.js";
import { needsTagList, selectTags } from "./select.js";
import { inShard, type Shard } from "./shard.js";

/** One tag to mirror. */
export interface SyncItem {
  /** The source, with its tag. */
  source: Reference;
  tag: string;
  to: SyncDestination;
  platform?: Platform;
  referrers: boolean;
  /** With `--from-lock`: the digest to copy (else what the tag names now). */
  digest?: string;
}

/** A repository (or entry) the plan could not expand. */
export interface PlanFailure {
  what: string;
  error: unknown;
}

/** The plan of one run. */
export interface SyncPlan {
  items: SyncItem[];
  failures: PlanFailure[];
  /** How many items the whole set has (before `--shard`). */
  total: number;
}

/** `registry/repository:tag`: what shards hash and locks key on. */
export function sourceKey(item: Pick<SyncItem, "source">): string {
  return formatReference(item.source);
}

/** A destination as written in files and tables: `host/repo` or `dir:PATH`. */
export function describeDestination(to: SyncDestination): string {
  return to.kind === "dir" ? `dir:${to.path}` : `${to.repo.registry}/${to.repo.repository}`;
}

/** The items of one entry for the given tags. */
export function itemsOf(image: SyncImage, tags: readonly string[]): SyncItem[] {
  return tags.map((tag) => ({
    source: { registry: image.from.registry, repository: image.from.repository, tag },
    tag,
    to: image.to,
    referrers: image.referrers,
    ...(image.platforms?.[0] ? { platform: image.platforms[0] } : {}),
  }));
}

/** Drops repeated (source tag, destination) pairs, keeps the first, and sorts by source then destination. */
export function normalisePlan(items: SyncItem[]): SyncItem[] {
  const seen = new Map<string, SyncItem>();
  for (const item of items) {
    const k = `${sourceKey(item)} ${describeDestination(item.to)}`;
    if (!seen.has(k)) seen.set(k, item);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/**
 * Expands `images` into the plan: tags listed through `listTags` (at most `jobs` at once;
 * names that are not valid tags dropped), selected, then narrowed to `shard`.
 */
export async function buildPlan(images: SyncImage[], listTags: (repo: Reference) => Promise<string[]>, options: { shard?: Shard; jobs: number }): Promise<SyncPlan> {
  const failures: PlanFailure[] = [];
  const lists = new Map<string, Promise<string[]>>();
  const all: SyncItem[] = [];
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const image = images[next++]!;
      try {
        let available: string[] = [];
        if (needsTagList(image.tags)) {
          const key = `${image.from.registry}/${image.from.repository}`;
          if (!lists.has(key)) lists.set(key, listTags(image.from));
          // A registry's names are not trusted: one outside the tag grammar would reach request paths, layouts and locks.
          available = (await lists.get(key)!).filter(isValidTag);
        }
        all.push(...itemsOf(image, selectTags(image.tags, available)));
      } catch (error) {
        failures.push({ what: `${image.from.registry}/${image.from.repository} (${image.where})`, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, images.length)) }, worker));
  const whole = normalisePlan(all);
  return { items: whole.filter((i) => inShard(sourceKey(i), options.shard)), failures, total: whole.length };
}
