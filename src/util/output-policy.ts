/**
 * The one policy for outputs that already exist, on every command: an existing output is
 * never replaced silently. A file output (an archive, a blob) that exists is refused unless
 * `--force`, and then replaced atomically at the end, only after success; an existing OCI
 * layout is added to; a directory output (export) must be absent or empty unless `--force`,
 * and is then replaced only after success. Temporaries beside an output that cannot be made
 * are reported under the output's own name.
 * @module
 */
import { link, lstat, mkdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname } from "node:path";
import { OcidistError } from "../model/errors.js";
import { removeTree } from "./remove-tree.js";
import { tempPathBeside } from "./atomic.js";

/** The help text of `--force`, the same on every command that has it. */
export const FORCE_HELP = "replace an existing output (only once the new one is complete)";

/** The words of a file-system error, without the temporary path Node puts in its message. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.message ?? String(err);
  return e.code ? text.replace(/^[A-Z0-9_]+: /, "").replace(/, \w+ '.*$/s, "") : text;
}

/** "cannot write OUTPUT: reason" for an error from making something beside `output`. */
export function cannotWrite(output: string, err: unknown): OcidistError {
  if (err instanceof OcidistError) return err;
  return new OcidistError(`cannot write ${output}: ${fsReason(err)}`, { cause: err });
}

/**
 * Makes the output's parent directory and a temporary beside the output with `create`;
 * any failure names the output, never the temporary.
 */
export async function createBeside<T>(output: string, create: (tmp: string) => Promise<T>): Promise<{ tmp: string; value: T }> {
  const tmp = tempPathBeside(output);
  try {
    await mkdir(dirname(output), { recursive: true });
    return { tmp, value: await create(tmp) };
  } catch (err) {
    throw cannotWrite(output, err);
  }
}

/** Refuses an existing file output unless `force`. @throws OcidistError */
export async function checkFileOutput(output: string, force: boolean | undefined): Promise<void> {
  const st = await lstat(output).catch(() => undefined);
  if (!st) return;
  if (st.isDirectory()) throw new OcidistError(`${output} is a directory; an archive needs a file path`);
  if (!force) throw new OcidistError(`${output} already exists (use --force to replace it)`);
}

/**
 * Puts a finished temporary file at `output`: renamed over it with `force`; else linked
 * there, which fails rather than replace a file that appeared meanwhile.
 */
export async function placeFile(tmp: string, output: string, force: boolean | undefined): Promise<void> {
  if (force) {
    await rename(tmp, output);
    return;
  }
  try {
    await link(tmp, output);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new OcidistError(`${output} already exists (use --force to replace it)`);
    // A file system without hard links: the existence check at the start stands.
    await rename(tmp, output);
    return;
  }
  await rm(tmp, { force: true });
}

/**
 * Puts a finished temporary directory at `output`, which was absent or empty, or (with
 * `force`) anything: the old one is moved aside, the new one renamed in, the old removed.
 */
export async function placeDir(tmp: string, output: string, force: boolean | undefined): Promise<void> {
  const st = await lstat(output).catch(() => undefined);
  if (!st) {
    await rename(tmp, output);
    return;
  }
  if (!force) {
    // Absent or empty when checked; rmdir (never a recursive removal) refuses anything put there since.
    await rmdir(output);
    await rename(tmp, output);
    return;
  }
  const old = tempPathBeside(output);
  await rename(output, old);
  await rename(tmp, output);
  await removeTree(old);
}
