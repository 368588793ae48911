/**
 * Which file a path names (device and inode), so that a file verified once is known to be
 * the one used next: a path in a shared cache can be renamed over between the moment its
 * bytes were checked and the moment it is linked or copied, and the path alone would then
 * hand over someone else's file under the verified digest.
 * @module
 */
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { lstatNow } from "./lstat-now.js";
import { OcidistError } from "../model/errors.js";

/** A file by device and inode. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** The identity in a stat result. */
export function identityOf(st: { dev: number; ino: number }): FileIdentity {
  return { dev: st.dev, ino: st.ino };
}

/** The identity of an open descriptor. */
export function identityOfFd(fd: number): FileIdentity {
  return identityOf(fstatSync(fd));
}

/** A file that is not the one that was verified. */
export class ReplacedFileError extends OcidistError {}

function refuse(path: string): never {
  throw new ReplacedFileError(`${path} was replaced after its bytes were verified (is the cache directory shared with someone who writes in it?); not using it`);
}

/** Checks that `path` (not followed if a symlink) is the file `expected` names. @throws ReplacedFileError */
export async function checkSameFile(path: string, expected: FileIdentity): Promise<void> {
  const st = lstatNow(path);
  if (!st || !st.isFile() || st.dev !== expected.dev || st.ino !== expected.ino) refuse(path);
}

/** Opens `path` for reading (no symlink) and checks, on the descriptor, that it is the file `expected` names. @throws ReplacedFileError */
export async function openSameFile(path: string, expected: FileIdentity): Promise<number> {
  // On the calling thread, as the client's other per-blob metadata calls (see util/remove-file.ts).
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const id = identityOfFd(fd);
    if (id.dev === expected.dev && id.ino === expected.ino) return fd;
    refuse(path);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
