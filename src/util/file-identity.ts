/**
 * Which file a path names (device and inode), so that a file verified once is known to be
 * the one used next: a path in a shared cache can be renamed over between the moment its
 * bytes were checked and the moment it is linked or copied, and the path alone would then
 * hand over someone else's file under the verified digest.
 * @module
 */
import { closeSync, constants, fstatSync, open } from "node:fs";
import { lstat } from "node:fs/promises";
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
  const st = await lstat(path).catch(() => undefined);
  if (!st || !st.isFile() || st.dev !== expected.dev || st.ino !== expected.ino) refuse(path);
}

/** Opens `path` for reading (no symlink) and checks, on the descriptor, that it is the file `expected` names. @throws ReplacedFileError */
export function openSameFile(path: string, expected: FileIdentity): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_RDONLY | constants.O_NOFOLLOW, (err, fd) => {
      if (err) return reject(err);
      try {
        const id = identityOfFd(fd);
        if (id.dev === expected.dev && id.ino === expected.ino) return resolve(fd);
        refuse(path);
      } catch (e) {
        closeSync(fd);
        reject(e);
      }
    });
  });
}
