/**
 * Where a layout writer puts files: a directory (a new one built beside its destination and
 * renamed into place, or an existing layout updated file by file), or a tar (`tar-regions.ts`).
 * Either way nothing half-written is ever at the destination path.
 * @module
 */
import { writeSmallAtomic } from "../util/write-file.js";
import { lstat, mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import { linkSync, renameSync } from "node:fs";
import { join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { Writable, type Readable } from "node:stream";
import { VerifyingStream } from "../model/digest.js";
import { DigestMismatchError, OcidistError } from "../model/errors.js";
import { registerTemp, unregisterTemp } from "../util/atomic.js";
import { createBeside } from "../util/output-policy.js";
import { createExclusiveWriter, lstatInside, mkdirNoFollow } from "../util/no-follow.js";
import { FileReader, openFileReader } from "../util/file-reader.js";
import { checkSameFile, openSameFile, type FileIdentity } from "../util/file-identity.js";
import { safeRelativePath } from "../util/safe-name.js";
import { removeFile } from "../util/remove-file.js";

/** Receives the files of a layout. */
export interface FileSink {
  /** True when {@link writeFile} hard-links instead of copying bytes. */
  readonly linksFiles: boolean;
  /** True when the file is already there (an existing layout being added to). */
  has(path: string): Promise<boolean>;
  /** Optional: the files to come, in the order the output should hold them (tars; a directory has no order). */
  plan?(files: { path: string; size: number }[]): Promise<void>;
  /**
   * True when the file is there and its bytes hash to `digest` (with `size`); a file that
   * does not is removed. Sinks that hold only what they wrote (and verified) need not have it.
   */
  verify?(path: string, digest: string, size: number): Promise<boolean>;
  /** Writes a file of known size from a stream. */
  write(path: string, size: number, body: Readable): Promise<void>;
  /** Writes a small file. */
  writeSmall(path: string, content: Buffer): Promise<void>;
  /**
   * Stores a local file's content under `path` (a hard link where the sink can). With
   * `identity`, `source` must still be that file (see `util/file-identity.ts`).
   * @throws ReplacedFileError when it is not; nothing is stored
   */
  writeFile(path: string, size: number, source: string, identity?: FileIdentity): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** A directory: a new one (built beside, renamed at commit) or an existing OCI layout (updated in place). */
export class DirSink implements FileSink {
  readonly linksFiles = true;
  private readonly added: string[] = [];
  /** Directories below the root made or checked, so that each is checked once. */
  private readonly dirs = new Map<string, Promise<unknown>>();
  /** Files written into a new directory (nothing else is in it). */
  private readonly wrote = new Set<string>();

  private constructor(
    private readonly dest: string,
    /** Where files go now: a temp dir, or `dest` itself when updating. */
    private readonly root: string,
    readonly updating: boolean,
  ) {}

  /** Opens a destination directory. @throws OcidistError for a non-empty directory that is not a layout */
  static async create(dest: string): Promise<DirSink> {
    const s = await lstat(dest).catch(() => undefined);
    if (s) {
      if (!s.isDirectory()) throw new OcidistError(`${dest} exists and is not a directory`);
      const entries = await readdir(dest);
      if (entries.includes("oci-layout") && entries.includes("index.json")) return new DirSink(dest, dest, true);
      if (entries.length > 0) throw new OcidistError(`${dest} is a non-empty directory that is not an OCI layout; refusing to write into it`);
    }
    const { tmp } = await createBeside(dest, (t) => mkdir(t));
    registerTemp(tmp);
    return new DirSink(dest, tmp, false);
  }

  async has(path: string): Promise<boolean> {
    // A new directory is this sink's own temporary one: it holds what was written, no more.
    if (!this.updating) return this.wrote.has(path);
    return (await lstatInside(this.root, path))?.isFile() ?? false;
  }

  async verify(path: string, digest: string, size: number): Promise<boolean> {
    if (!(await this.has(path))) return false;
    if (!this.updating) return true;
    // A file of an existing layout is trusted only once its bytes are checked again.
    const full = join(this.root, path);
    const verifier = new VerifyingStream({ digest, size: size >= 0 ? size : undefined, what: `existing ${full}` });
    try {
      await pipeline(await openFileReader(full, {}, true), verifier, new Writable({ write: (_c, _e, cb) => cb() }));
      return true;
    } catch (err) {
      if (!(err instanceof DigestMismatchError)) throw err;
      await removeFile(full);
      return false;
    }
  }

  /** Makes the directories of `path` below the root, refusing any symlink on the way. */
  private async parentOf(path: string): Promise<string> {
    const full = join(this.root, safeRelativePath(path, "layout path"));
    const dir = posix.dirname(path);
    if (dir !== ".") {
      let made = this.dirs.get(dir);
      if (!made) {
        made = mkdirNoFollow(this.root, dir);
        this.dirs.set(dir, made);
        made.catch(() => this.dirs.delete(dir));
      }
      await made;
    }
    return full;
  }

  async write(path: string, _size: number, body: Readable): Promise<void> {
    const full = await this.parentOf(path);
    const tmp = `${full}.${process.pid}.partial`;
    registerTemp(tmp);
    try {
      await removeFile(tmp);
      await pipeline(body, await createExclusiveWriter(tmp));
      // Bytes verified just now replace whatever is there (the same bytes, or a damaged copy);
      // a file that was there before is not one this run added, so an abort keeps it.
      const before = this.updating && (await this.has(path));
      renameSync(tmp, full);
      this.wrote.add(path);
      if (this.updating && !before) this.added.push(full);
    } catch (err) {
      await removeFile(tmp);
      throw err;
    } finally {
      unregisterTemp(tmp);
    }
  }

  async writeFile(path: string, size: number, source: string, identity?: FileIdentity): Promise<void> {
    const full = await this.parentOf(path);
    try {
      // On the calling thread, as the client's other per-blob metadata calls (see util/remove-file.ts).
      linkSync(source, full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A regular file there is kept (it was verified as present); anything else (a planted
      // link) is replaced by a copy, renamed over it.
      if (code === "EEXIST" && (await this.has(path))) return;
      if (code !== "EEXIST" && code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw err;
      await this.write(path, size, new FileReader(identity ? await openSameFile(source, identity) : source));
      return;
    }
    // The link names whatever was at the path when it was made: it must be the verified file.
    if (identity) {
      try {
        await checkSameFile(full, identity);
      } catch (err) {
        await removeFile(full).catch(() => undefined);
        throw err;
      }
    }
    this.wrote.add(path);
    if (this.updating) this.added.push(full);
  }

  async writeSmall(path: string, content: Buffer): Promise<void> {
    await writeSmallAtomic(await this.parentOf(path), content);
    this.wrote.add(path);
  }

  async commit(): Promise<void> {
    if (this.updating) return;
    // The destination was absent or an empty directory; rmdir (never a recursive removal)
    // refuses if something was put there since, so nothing is lost.
    const existing = await lstat(this.dest).catch(() => undefined);
    if (existing) await rmdir(this.dest);
    await rename(this.root, this.dest);
    unregisterTemp(this.root);
  }

  async abort(): Promise<void> {
    if (this.updating) {
      await Promise.all(this.added.map((p) => removeFile(p)));
      return;
    }
    await rm(this.root, { recursive: true, force: true });
    unregisterTemp(this.root);
  }
}
