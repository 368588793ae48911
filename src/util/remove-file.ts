/**
 * Removing one file that may be absent: one `unlink`. `rm(path, { force: true })` checks
 * its options with an `lstat`, then walks the path like a tree (another `lstat`, then the
 * `unlink`); a pull removes a few such files per blob (partial downloads, locks, temporary
 * names), so the difference shows in a pull of many small layers. A directory at the path
 * is refused, as `rm` without `recursive` refuses it.
 * @module
 */
import { unlink } from "node:fs/promises";

/** Removes the file at `path`; nothing there is not an error. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
