/**
 * One lock per OCI layout directory for read-modify-write of its `index.json`, shared by
 * every writer — `copy`/`pull`/`sync` into `oci:DIR` and `ocidist serve` over the same
 * directory — so that two writers never lose each other's entries. The lock file sits beside
 * the layout (`.<name>.index.lock` in its parent), never inside it, so a layout holds only
 * layout files even when a writer is killed holding it; a dead holder's lock is taken over.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { OcidistError } from "../model/errors.js";
import { takeLock } from "../util/lock-file.js";

/** How long a writer waits for another process's lock by default. */
export const LAYOUT_LOCK_WAIT_MS = 30_000;

/** The path `takeLock` takes for a layout directory (it adds `.lock`). */
export function layoutLockPath(layoutDir: string): string {
  return join(dirname(layoutDir), `.${basename(layoutDir)}.index`);
}

/** Waits for the layout's lock; returns its release, or undefined after `waitMs`. */
export async function acquireLayoutLock(layoutDir: string, waitMs = LAYOUT_LOCK_WAIT_MS): Promise<(() => Promise<void>) | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const release = await takeLock(layoutLockPath(layoutDir));
    if (release) return release;
    if (Date.now() > deadline) return undefined;
    await sleep(20);
  }
}

/** Runs `fn` holding the layout's lock. @throws OcidistError when another writer holds it for longer than `waitMs` */
export async function withLayoutLock<T>(layoutDir: string, fn: () => Promise<T>, waitMs = LAYOUT_LOCK_WAIT_MS): Promise<T> {
  const release = await acquireLayoutLock(layoutDir, waitMs);
  if (!release) throw new OcidistError(`${layoutDir}: another writer has held its index.json for ${Math.round(waitMs / 1000)} s (${layoutLockPath(layoutDir)}.lock); try again`);
  try {
    return await fn();
  } finally {
    await release();
  }
}
