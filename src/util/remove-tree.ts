/**
 * Removing a temporary tree that holds read-only directories: without root, a 0555
 * directory's entries cannot be unlinked, so such directories are made writable first.
 * @module
 */
import { chmod, lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** Gives the owner rwx on every directory of the tree (never following a link). */
async function makeWritable(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isDirectory()) return;
  await chmod(path, (st.mode & 0o7777) | 0o700).catch(() => undefined);
  for (const name of await readdir(path).catch(() => [] as string[])) await makeWritable(join(path, name));
}

/** Removes `path` and everything below it, read-only directories included. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "ENOTEMPTY") throw err;
    await makeWritable(path);
    await rm(path, { recursive: true, force: true });
  }
}
