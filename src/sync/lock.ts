/**
 * Lock files: every source tag a run mirrored with the digest it copied (JSON, written
 * atomically: the old lock stays whole until the new one is complete), and reading one
 * back (`--from-lock`), so that a reviewed lock copies exactly those digests.
 *
 * ```json
 * {"version": 1, "images": [{"source": "reg/app:v1", "digest": "sha256:…", "destination": "mirror/app"}]}
 * ```
 * @module
 */
import { Readable } from "node:stream";
import { isValidDigest } from "../model/digest.js";
import { UsageError } from "../model/errors.js";
import { formatReference, parseReference } from "../model/reference.js";
import { writeStreamAtomic } from "../util/write-file.js";
import type { SyncConfig } from "./model.js";
import { describeDestination, itemsOf, normalisePlan, type SyncItem } from "./plan.js";
import { readSyncFile } from "./read-config.js";

/** One pinned tag. */
export interface LockEntry {
  /** `registry/repository:tag`. */
  source: string;
  /** The digest the tag named when it was copied (an index's, for a whole index). */
  digest: string;
  /** `registry/repository` or `dir:PATH`. */
  destination: string;
  /** What the destination tag names, when it differs from `digest` (one platform of an index). */
  manifest?: string;
}

/** A lock file's content. */
export interface LockFile {
  version: 1;
  images: LockEntry[];
}

/** Writes `entries` (sorted by source, then destination) to `path` atomically. */
export async function writeLock(path: string, entries: LockEntry[], signal?: AbortSignal): Promise<void> {
  const images = [...entries].sort((a, b) => (a.source + " " + a.destination < b.source + " " + b.destination ? -1 : 1));
  const doc: LockFile = { version: 1, images };
  await writeStreamAtomic(path, Readable.from([Buffer.from(`${JSON.stringify(doc, null, 2)}\n`)]), signal, true);
}

/** Reads and checks a lock file. @throws UsageError naming the first bad entry */
export async function readLock(path: string): Promise<LockFile> {
  const bytes = await readSyncFile(path, "not a readable lock file");
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new UsageError(`${path}: not a readable lock file (${(err as Error).message})`);
  }
  const d = doc as Partial<LockFile> | null;
  if (!d || typeof d !== "object" || d.version !== 1 || !Array.isArray(d.images)) throw new UsageError(`${path}: not a lock file of version 1 ({"version": 1, "images": [...]})`);
  d.images.forEach((e: Partial<LockEntry> | null, i) => {
    const bad = (why: string) => new UsageError(`${path}: images[${i}]: ${why}`);
    if (!e || typeof e !== "object") throw bad("not an object");
    if (typeof e.source !== "string" || typeof e.destination !== "string") throw bad("source and destination must be strings");
    if (typeof e.digest !== "string" || !isValidDigest(e.digest)) throw bad(`invalid digest ${JSON.stringify(e.digest)}`);
    try {
      const ref = parseReference(e.source, { defaultTag: false });
      if (!ref.tag || ref.digest) throw new Error("a source must be registry/repository:tag");
    } catch (err) {
      throw bad((err as Error).message);
    }
  });
  return d as LockFile;
}

/**
 * The plan of `--from-lock`: each lock entry pinned to its digest, with the platform and
 * referrers of the file's entry of the same source repository and destination.
 * @throws UsageError for an entry the mirror file does not name (a lock goes with its file)
 */
export function lockedItems(config: SyncConfig, lock: LockFile, lockPath: string): SyncItem[] {
  const out: SyncItem[] = [];
  for (const e of lock.images) {
    const ref = parseReference(e.source, { defaultTag: false });
    const image = config.images.find((i) => i.from.registry === ref.registry && i.from.repository === ref.repository && describeDestination(i.to) === e.destination);
    if (!image) throw new UsageError(`${lockPath}: ${e.source} → ${e.destination} is not in ${config.file}`);
    out.push(...itemsOf(image, [ref.tag!]).map((item) => ({ ...item, digest: e.digest })));
  }
  return normalisePlan(out);
}

/** The lock entry of a mirrored item. */
export function lockEntry(item: SyncItem, digest: string, manifest: string): LockEntry {
  return { source: formatReference(item.source), digest, destination: describeDestination(item.to), ...(manifest !== digest ? { manifest } : {}) };
}
