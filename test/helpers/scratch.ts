/**
 * Scratch directories for unit tests, removed when the test file ends, and a check that a
 * file descriptor was closed.
 */
import { fstatSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** A function that makes a fresh directory named after `prefix` for each call; all are removed after the file's tests. */
export function scratchDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  return async () => {
    const d = await mkdtemp(join(tmpdir(), `ocidist-${prefix}-`));
    dirs.push(d);
    return d;
  };
}

/** True when `fd` is no longer open. */
export function isClosed(fd: number): boolean {
  try {
    fstatSync(fd);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EBADF";
  }
}
