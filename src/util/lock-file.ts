/**
 * Lock files that mark a download in progress, so that two processes never write one cache
 * file at once: `<path>.lock` created exclusively (never through a link) holding the pid; a
 * lock whose process is gone (or, without a pid, older than two minutes) is taken over.
 * Taken and released on the calling thread (see `util/remove-file.ts`): a pull takes one
 * lock per blob.
 * @module
 */
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { removeFile } from "./remove-file.js";

const LOCK_STALE_MS = 120_000;

/** Takes `<path>.lock`; returns its release, or undefined when another live process holds it. */
export async function takeLock(path: string): Promise<(() => Promise<void>) | undefined> {
  const lockPath = `${path}.lock`;
  try {
    const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch (err) {
      // A lock without its pid (a full disk) would hold others off for two minutes: it goes.
      closeSync(fd);
      await removeFile(lockPath);
      throw err;
    }
    closeSync(fd);
    return () => removeFile(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  if (await lockIsStale(lockPath)) {
    await removeFile(lockPath);
    return takeLock(path);
  }
  return undefined;
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const [text, s] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - s.mtimeMs > LOCK_STALE_MS;
    return !processAlive(pid);
  } catch {
    return false;
  }
}

/** False only when no process `pid` exists (this process, and ones of other users, count as alive). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
