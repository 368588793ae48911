/**
 * Writing a set of files into a directory all at once or not at all: every file is written
 * into a hidden stage directory inside the destination (same file system, so renames are
 * atomic), and only when all are complete are they moved into place. Files being replaced
 * (`force`) are first moved into the stage, so a failure half-way puts them back and the
 * directory never holds a mix of old and new files.
 * @module
 */
import { link, lstat, mkdir, rename, rm, rmdir, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { OcidistError } from "../model/errors.js";
import { registerTemp, tempPathBeside, unregisterTemp } from "./atomic.js";
import { createExclusiveWriter } from "./no-follow.js";
import { plainFileName } from "./safe-name.js";

/** A set of files staged for one destination directory. */
export class FileSet {
  private constructor(
    readonly dir: string,
    private readonly stage: string,
    /** The destination directory when this set created it (removed again on abort). */
    private readonly madeDir: string | undefined,
  ) {}

  /** Opens a set for `dir` (created if missing) with its stage inside it. */
  static async open(dir: string): Promise<FileSet> {
    const made = await mkdir(dir, { recursive: true });
    const st = await lstat(dir);
    if (!st.isDirectory()) throw new OcidistError(`${dir} is not a directory`);
    const stage = tempPathBeside(join(dir, "files"));
    await mkdir(stage, { mode: 0o700 });
    registerTemp(stage);
    await mkdir(join(stage, "new"));
    await mkdir(join(stage, "old"));
    return new FileSet(dir, stage, made ? resolve(dir) : undefined);
  }

  /** The final path of a file of the set (the name checked to be plain). */
  pathOf(name: string): string {
    return join(this.dir, plainFileName(name, "file name"));
  }

  /** True when something (a file, a directory, a link) is at the final path already. */
  async occupied(name: string): Promise<boolean> {
    return (await lstat(this.pathOf(name)).catch(() => undefined)) !== undefined;
  }

  /** Streams one file into the stage (the file is made first, so the body has a reader as soon as it is opened). */
  async write(name: string, open: () => Promise<Readable>, signal?: AbortSignal): Promise<void> {
    const file = await createExclusiveWriter(join(this.stage, "new", plainFileName(name, "file name")));
    try {
      await pipeline(await open(), file, { signal });
    } catch (err) {
      file.destroy();
      throw err;
    }
  }

  /**
   * Moves every staged file into place. Without `force` an existing file is never replaced
   * (each is linked in exclusively); with it the old ones are kept aside until every new
   * one is in, and restored on failure.
   * @throws OcidistError when a file appeared meanwhile (without force)
   */
  async commit(names: string[], force: boolean): Promise<void> {
    const placed: string[] = [];
    const saved: string[] = [];
    try {
      for (const name of names) {
        const dest = this.pathOf(name);
        const staged = join(this.stage, "new", name);
        if (force) {
          const there = await lstat(dest).catch(() => undefined);
          if (there?.isDirectory()) throw new OcidistError(`${dest} is a directory; --force replaces files only`);
          if (there) {
            await rename(dest, join(this.stage, "old", name));
            saved.push(name);
          }
          await rename(staged, dest);
        } else {
          await linkExclusive(staged, dest);
        }
        placed.push(name);
      }
    } catch (err) {
      for (const name of placed.reverse()) await unlink(this.pathOf(name)).catch(() => undefined);
      for (const name of saved) await rename(join(this.stage, "old", name), this.pathOf(name)).catch(() => undefined);
      throw err;
    }
    await this.removeStage();
  }

  /** Removes the stage (and the destination directory when this set made it and it is empty). */
  async abort(): Promise<void> {
    await this.removeStage();
    if (this.madeDir) await rmdir(this.madeDir).catch(() => undefined);
  }

  private async removeStage(): Promise<void> {
    await rm(this.stage, { recursive: true, force: true });
    unregisterTemp(this.stage);
  }
}

/**
 * Puts `from` at `to` only if nothing is there: a hard link (which fails on anything at
 * `to`, a dangling link included), or on a file system without hard links a rename after a check.
 */
async function linkExclusive(from: string, to: string): Promise<void> {
  const exists = () => new OcidistError(`${to} already exists (use --force to replace it)`);
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw exists();
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK") throw err;
    if (await lstat(to).catch(() => undefined)) throw exists();
    await rename(from, to);
  }
}
