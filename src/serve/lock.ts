/**
 * Locks on a repository's `index.json`: an in-process queue per repository, and the layout's
 * lock file (`targets/layout-lock.ts`, beside the layout, outside it), so that two servers,
 * or a server and `ocidist copy` into the same layout, never interleave read-modify-write.
 * @module
 */
import { join } from "node:path";
import { acquireLayoutLock } from "../targets/layout-lock.js";
import { ServeError } from "./errors.js";

/** Per-key mutual exclusion, in this process and across processes. */
export class RepoLocks {
  private readonly queues = new Map<string, Promise<unknown>>();

  /** @param root the served directory; a repository's lock is its layout's (`targets/layout-lock.ts`), which `ocidist copy` into the layout takes too */
  constructor(private readonly root: string) {}

  /** Runs `fn` holding the lock of `key`. */
  async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      const release = await this.fileLock(key);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    this.queues.set(key, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }
  }

  private async fileLock(key: string): Promise<() => Promise<void>> {
    const release = await acquireLayoutLock(join(this.root, key));
    if (!release) throw new ServeError(503, "TOOMANYREQUESTS", "repository is locked by another writer; try again");
    return release;
  }
}
