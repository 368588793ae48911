/**
 * An lstat on the calling thread, for the client's per-blob checks (see `remove-file.ts`
 * for why not through the thread pool).
 * @module
 */
import { lstatSync, type Stats } from "node:fs";

/** What is at `path` (a link not followed); undefined when nothing is, or it cannot be looked at. */
export function lstatNow(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
