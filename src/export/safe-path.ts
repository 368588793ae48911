/**
 * Resolving paths inside an extraction root without ever leaving it: every component is
 * checked with lstat, and a symlink met on the way (planted by this layer or an earlier one)
 * is followed as if the root were `/` (a chroot-style resolution), so `/etc` in a link means
 * `<root>/etc`, never the host's.
 * @module
 */
import { lstat, mkdir, readlink } from "node:fs/promises";
import { posix, sep } from "node:path";
import { OcidistError } from "../model/errors.js";

const MAX_LINKS = 40;

/**
 * Cleans a tar member name to a relative path: backslashes are kept as name characters,
 * leading `/` and `./` removed, `.` segments dropped. Returns undefined for names that climb
 * above the root (`..` after normalising) or are empty.
 */
export function cleanEntryName(name: string): string | undefined {
  const n = posix.normalize(`/${name}`).slice(1).replace(/\/+$/, "");
  if (n === "" || n === "." ) return undefined;
  if (name.split("/").includes("..")) {
    // A name that needed `..` to mean something is refused outright, even if it stays inside.
    return undefined;
  }
  return n;
}

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The real location of the directory `rel` inside `root`, following symlinks chroot-style and
 * creating missing directories when `create` is set.
 * @throws OcidistError when links loop or a component is not a directory
 */
export async function resolveDirInRoot(root: string, rel: string, create: boolean): Promise<string> {
  let current = root;
  const pending = rel.split("/").filter((c) => c && c !== ".");
  let hops = 0;
  while (pending.length) {
    const c = pending.shift()!;
    if (c === "..") {
      if (current !== root) current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, c);
    const st = await lstat(next).catch(() => undefined);
    if (!st) {
      if (!create) throw new OcidistError(`${rel}: missing directory ${c}`);
      await mkdir(next, { mode: 0o755 });
      current = next;
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_LINKS) throw new OcidistError(`${rel}: too many levels of symbolic links`);
      const target = await readlink(next);
      const parts = target.split("/").filter((p) => p && p !== ".");
      if (target.startsWith("/")) current = root;
      pending.unshift(...parts);
      continue;
    }
    if (!st.isDirectory()) throw new OcidistError(`${rel}: ${c} is not a directory`);
    current = next;
  }
  if (!isInside(root, current)) throw new OcidistError(`${rel} resolves outside the root`);
  return current;
}
