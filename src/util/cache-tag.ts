/**
 * The mark ocidist leaves in a cache directory it creates: a `CACHEDIR.TAG` file in the
 * Cache Directory Tagging format (https://bford.info/cachedir/, so backup tools skip it)
 * that names ocidist. `cache clear` removes only what sits in a directory so marked.
 * @module
 */
import { lstat, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The tag file's name. */
export const CACHE_TAG_FILE = "CACHEDIR.TAG";

const SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55";
const CONTENT = `${SIGNATURE}\n# This file is a cache directory tag created by ocidist (its blob cache).\n# For information about cache directory tags, see https://bford.info/cachedir/\n`;

/** Writes the tag into `dir` unless something is there already (never through a link). */
export async function writeCacheTag(dir: string): Promise<void> {
  await writeFile(join(dir, CACHE_TAG_FILE), CONTENT, { flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
}

/** True when `dir` holds ocidist's tag as a regular file. */
export async function hasCacheTag(dir: string): Promise<boolean> {
  const path = join(dir, CACHE_TAG_FILE);
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile() || st.size > 4096) return false;
  const text = await readFile(path, "utf8").catch(() => "");
  return text.startsWith(SIGNATURE) && text.includes("created by ocidist");
}
