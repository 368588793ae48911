/**
 * File system writes that never follow a link ocidist did not make: directories below a
 * root are created (or checked) one component at a time with lstat, and files are created
 * exclusively or opened with `O_NOFOLLOW`, so a symlink planted in a shared cache or an
 * existing layout cannot redirect a write to another file.
 * @module
 */
import { constants, openSync, type ReadStream, type Stats, type WriteStream } from "node:fs";
import { lstat, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { FileWriter } from "./file-writer.js";
import { OcidistError } from "../model/errors.js";
import { safeRelativePath } from "./safe-name.js";


const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

/** Flags of a new file: created here, failing if anything (a link included) is at the path. */
export const CREATE_EXCLUSIVE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
/** Flags of an append to an existing regular file, failing on a symlink. */
export const APPEND_NO_FOLLOW = O_WRONLY | O_APPEND | O_NOFOLLOW;

/**
 * Makes sure `root/rel` is a real directory, creating missing components; no component
 * below `root` may be a symlink or a non-directory (`root` itself is the user's choice).
 * Returns the components that were created, outermost first.
 * @throws OcidistError when a component is a symlink or not a directory
 */
export async function mkdirNoFollow(root: string, rel: string, mode?: number): Promise<string[]> {
  const made: string[] = [];
  let current = root;
  for (const part of safeRelativePath(rel, "directory").split("/")) {
    current = join(current, part);
    let st = await lstat(current).catch(() => undefined);
    if (!st) {
      try {
        await mkdir(current, mode === undefined ? {} : { mode });
        made.push(current);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      st = await lstat(current);
    }
    if (st.isSymbolicLink()) throw new OcidistError(`${current} is a symlink; refusing to follow it`);
    if (!st.isDirectory()) throw new OcidistError(`${current} is not a directory`);
  }
  return made;
}

/**
 * lstat of `root/rel` where no directory below `root` on the way may be a symlink; undefined
 * when something on the way is missing.
 * @throws OcidistError when a directory on the way is a symlink
 */
export async function lstatInside(root: string, rel: string): Promise<Stats | undefined> {
  const parts = safeRelativePath(rel, "path").split("/");
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]!);
    const st = await lstat(current).catch(() => undefined);
    if (!st || i === parts.length - 1) return st;
    if (st.isSymbolicLink()) throw new OcidistError(`${current} is a symlink; refusing to follow it`);
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}

/** A read stream on a regular file (bytes `start..end`, inclusive, when given), failing on a symlink. */
export async function openReadNoFollow(path: string, range: { start?: number; end?: number } = {}, highWaterMark = 1 << 18): Promise<ReadStream> {
  const fh = await open(path, O_RDONLY | O_NOFOLLOW);
  return fh.createReadStream({ ...range, highWaterMark });
}

/**
 * Opens `path` with numeric `flags` for a {@link FileWriter}: writes on the calling thread,
 * for a client streaming a download to disk (not for a server, see util/file-writer.ts).
 */
export async function openFileWriter(path: string, flags: number, mode = 0o644): Promise<FileWriter> {
  return new FileWriter(openSync(path, flags, mode));
}

/** A {@link FileWriter} on a file that must not exist yet (nothing, not even a dangling link). */
export function createExclusiveWriter(path: string, mode = 0o644): Promise<FileWriter> {
  return openFileWriter(path, CREATE_EXCLUSIVE, mode);
}

/**
 * A Node write stream (writes through the thread pool) on a file that must not exist yet:
 * for a server, which must go on answering while a write waits; clients use
 * {@link createExclusiveWriter}.
 */
export async function createExclusive(path: string, mode = 0o644): Promise<WriteStream> {
  return (await open(path, CREATE_EXCLUSIVE, mode)).createWriteStream();
}
