/**
 * Locks on a repository's `index.json`: an in-process queue per repository, and a lock file
 * (`util/lock-file.ts`) under the served directory's work area, outside every layout, so
 * that two servers, or a server and `ocidist copy`, never interleave read-modify-write.
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { takeLock } from "../util/lock-file.js";
import { ServeError } from "./errors.js";

/** How long a writer waits for another process's lock. */
const LOCK_WAIT_MS = 30_000;

/** Per-key mutual exclusion, in this process and across processes. */
export class RepoLocks {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly lockDir: string) {}

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
    const path = join(this.lockDir, createHash("sha256").update(key).digest("hex").slice(0, 32));
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const release = await takeLock(path);
      if (release) return release;
      if (Date.now() > deadline) throw new ServeError(503, "TOOMANYREQUESTS", "repository is locked by another writer; try again");
      await sleep(20);
    }
  }
}
