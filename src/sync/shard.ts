/**
 * `--shard K/N`: a deterministic share of the copies. Each source repository and tag is
 * hashed (SHA-256 of `registry/repository:tag`), and shard K of N (K from 1) takes the tags
 * whose hash is K−1 modulo N: the N shards are disjoint and together the whole set, on any
 * machine, whatever order the registry lists tags in. No coordinator: the destination
 * registry is the shared state.
 * @module
 */
import { createHash } from "node:crypto";
import { UsageError } from "../model/errors.js";

/** One share of N. */
export interface Shard {
  /** 1 … count. */
  index: number;
  count: number;
}

/** Parses `K/N` (1 ≤ K ≤ N). @throws UsageError */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard wants K/N with 1 ≤ K ≤ N (e.g. 2/3), not ${JSON.stringify(text)}`);
  return { index, count };
}

/** The shard (1 … count) a source repository and tag belong to. */
export function shardOf(sourceKey: string, count: number): number {
  const head = createHash("sha256").update(sourceKey, "utf8").digest().readBigUInt64BE(0);
  return Number(head % BigInt(count)) + 1;
}

/** Whether `sourceKey` (`registry/repository:tag`) is in `shard`. */
export function inShard(sourceKey: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(sourceKey, shard.count) === shard.index;
}
