/**
 * Removing one file that may be absent: one `unlink`. `rm(path, { force: true })` checks
 * its options with an `lstat`, then walks the path like a tree (another `lstat`, then the
 * `unlink`); a pull removes a few such files per blob (partial downloads, locks, temporary
 * names), so the difference shows in a pull of many small layers. A directory at the path
 * is refused, as `rm` without `recursive` refuses it.
 *
 * The unlink runs on the calling thread, as the client's other per-blob metadata calls do
 * (see `util/file-writer.ts`): on a local disk it takes microseconds, where a round trip
 * through libuv's thread pool costs the event loop ~0.05 ms of hand-off per call. A server
 * takes it too for a lock file now and then; its blob bytes go through the thread pool.
 * @module
 */
import { unlinkSync } from "node:fs";

/** Removes the file at `path`; nothing there is not an error. */
export async function removeFile(path: string): Promise<void> {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
