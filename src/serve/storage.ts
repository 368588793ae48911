/**
 * The served directory: `DIR/<repository>/` is one OCI image layout per repository, read
 * and written with the layout helpers of `targets/` (`blobs/<alg>/<hex>`, `index.json`,
 * `oci-layout`). Every file reaches a layout by a rename from the work area `DIR/.uploads/`
 * (on the same file system, and not a repository: names never start with a dot), so a
 * reader never sees a half-written file and a crash leaves no temporary file in a layout.
 * Nothing is read or written through a symlink below DIR.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { ReadStream } from "node:fs";
import { link, lstat, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Descriptor } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import { blobPathInLayout, OCI_LAYOUT_CONTENT, ociIndexJson } from "../targets/layout-files.js";
import { DirFs } from "../targets/layout-fs.js";
import { readLayoutIndex } from "../targets/layout-reader.js";
import { lstatInside, mkdirNoFollow, openReadNoFollow } from "../util/no-follow.js";
import { readAll } from "../util/stream.js";
import { copyVerified } from "./blob-copy.js";
import { RepoLocks } from "./lock.js";
import { repositoryNameProblem } from "./names.js";
import { cleanStaleWork } from "./work-area.js";

/** The work area's name under DIR. */
export const WORK_DIR = ".uploads";

/** The served directory. */
export class Storage {
  private readonly locks: RepoLocks;
  /** The catalog walk under way, which concurrent catalog requests share. */
  private walking: Promise<string[]> | undefined;

  private constructor(
    readonly root: string,
    /** This process's own temp directory under `DIR/.uploads/`. */
    readonly work: string,
    /** Whether a mount may hard-link (else it copies, as when a link fails). */
    private readonly hardLinks: boolean,
  ) {
    this.locks = new RepoLocks(root);
  }

  /**
   * Opens DIR (created when missing), making this process's work area and removing dead
   * processes' ones. `hardLinks: false` makes every mount a verified copy (file systems
   * without hard links, or where shared inodes are unwanted).
   */
  static async open(root: string, { hardLinks = true }: { hardLinks?: boolean } = {}): Promise<Storage> {
    await mkdir(root, { recursive: true });
    const st = await lstat(root);
    if (!st.isDirectory()) throw new OcidistError(`${root} is not a directory`);
    await mkdirNoFollow(root, WORK_DIR);
    await cleanStaleWork(join(root, WORK_DIR));
    const work = join(root, WORK_DIR, `${process.pid}-${randomBytes(4).toString("hex")}`);
    await mkdir(work);
    return new Storage(root, work, hardLinks);
  }

  /** Removes this process's work area (at close). */
  async close(): Promise<void> {
    await rm(this.work, { recursive: true, force: true });
  }

  /** A fresh path in the work area. */
  tempPath(): string {
    return join(this.work, randomBytes(12).toString("hex"));
  }

  /** The layout's files, read without following a link anywhere below DIR. */
  fs(name: string): DirFs {
    return new DirFs(join(this.root, name), this.root);
  }

  /** lstat of DIR/<rel>; undefined when absent or when a directory on the way is a symlink (never followed). */
  private async statIn(rel: string) {
    return lstatInside(this.root, rel).catch(() => undefined);
  }

  /** True when DIR/<name>/ is a layout. */
  async exists(name: string): Promise<boolean> {
    return (await this.statIn(`${name}/oci-layout`))?.isFile() ?? false;
  }

  /** The size of a blob the layout holds (a regular file, reached through no symlink), or undefined. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    const st = await this.statIn(`${name}/${blobPathInLayout(digest)}`);
    return st?.isFile() ? st.size : undefined;
  }

  /**
   * A stream of a blob's bytes `start..end` (inclusive), opened without following a link,
   * read 256 KiB at a time (1 MiB reads kept more bytes queued per download, for the same
   * throughput).
   */
  async openBlob(name: string, digest: string, start: number, end: number): Promise<ReadStream> {
    return openReadNoFollow(join(this.root, name, blobPathInLayout(digest)), { start, end });
  }

  /** A small blob (a manifest) whole, or undefined when absent or larger than `cap`. */
  async readBlob(name: string, digest: string, cap: number): Promise<Buffer | undefined> {
    const size = await this.blobSize(name, digest);
    if (size === undefined || size > cap) return undefined;
    // Checked just now: read without a second walk of the path (DirFs.read would stat it again).
    const rel = blobPathInLayout(digest);
    return readAll(await openReadNoFollow(join(this.root, name, rel)), cap, `${name}/${rel}`);
  }

  /** The entries of the layout's index.json (none when it is not a layout). */
  async entries(name: string): Promise<Descriptor[]> {
    if (!(await this.exists(name))) return [];
    return readLayoutIndex(this.fs(name));
  }

  /** Makes DIR/<name>/ a layout when it is not one: built in the work area and renamed into place. */
  async ensureRepo(name: string): Promise<void> {
    if (await this.exists(name)) return;
    const parts = name.split("/");
    if (parts.length > 1) await mkdirNoFollow(this.root, parts.slice(0, -1).join("/"));
    const dest = join(this.root, name);
    const st = await lstat(dest).catch(() => undefined);
    if (st) {
      if (!st.isDirectory() || st.isSymbolicLink()) throw new OcidistError(`${dest} is not a directory`);
      // An existing directory that is no layout yet (nested repositories' parent): make it one in place.
      await this.placeSmall(name, "index.json", Buffer.from(ociIndexJson([])), true);
      await this.placeSmall(name, "oci-layout", Buffer.from(OCI_LAYOUT_CONTENT), true);
      return;
    }
    const tmp = this.tempPath();
    await mkdir(join(tmp, "blobs"), { recursive: true });
    await writeFile(join(tmp, "oci-layout"), OCI_LAYOUT_CONTENT);
    await writeFile(join(tmp, "index.json"), ociIndexJson([]));
    try {
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Another writer made it first.
      if (!(await this.exists(name))) throw err;
    }
  }

  /** Writes a small file of the layout by a rename from the work area (`onlyIfMissing`: keep one that is there). */
  private async placeSmall(name: string, path: string, content: Buffer, onlyIfMissing = false): Promise<void> {
    if (onlyIfMissing && (await this.statIn(`${name}/${path}`))) return;
    const tmp = this.tempPath();
    await writeFile(tmp, content, { flag: "wx" });
    await rename(tmp, join(this.root, name, path));
  }

  /** Moves a verified file of the work area into the layout as blob `digest`. */
  async placeBlob(name: string, digest: string, tmp: string): Promise<void> {
    await this.ensureRepo(name);
    const rel = blobPathInLayout(digest);
    await mkdirNoFollow(this.root, `${name}/${rel.slice(0, rel.lastIndexOf("/"))}`);
    await rename(tmp, join(this.root, name, rel));
  }

  /** Stores verified bytes as blob `digest`. */
  async placeBlobBytes(name: string, digest: string, bytes: Buffer): Promise<void> {
    const tmp = this.tempPath();
    await writeFile(tmp, bytes, { flag: "wx" });
    try {
      await this.placeBlob(name, digest, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Gives `to` the blob `from` holds: a hard link where possible, else a copy verified against
   * the digest; either is made at a fresh path of the work area and renamed into place, so two
   * mounts at once, or a mount beside a push, never show a half-made blob. False when `from`
   * has no such blob, or what is there is not it (a link swapped in, other bytes): the client
   * then uploads it.
   */
  async mountBlob(from: string, to: string, digest: string): Promise<boolean> {
    const size = await this.blobSize(from, digest);
    if (size === undefined) return false;
    const src = join(this.root, from, blobPathInLayout(digest));
    const tmp = this.tempPath();
    try {
      const linked = this.hardLinks && (await link(src, tmp).then(() => true, () => false));
      if (linked) {
        // Linked through a path checked a moment ago (link(2) does not follow a symlink): the result must still be that file.
        const st = await lstat(tmp);
        if (!st.isFile() || st.size !== size) return false;
      } else if (!(await copyVerified(src, tmp, digest, size))) {
        return false;
      }
      await this.placeBlob(to, digest, tmp);
      return true;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Removes a blob file. */
  async removeBlob(name: string, digest: string): Promise<void> {
    if ((await this.blobSize(name, digest)) === undefined) return;
    await rm(join(this.root, name, blobPathInLayout(digest)), { force: true });
  }

  /**
   * Read-modify-write of index.json under the repository's lock: `edit` gets the entries and
   * returns new ones (or undefined for no change); the file is replaced by a rename.
   */
  async updateIndex<T>(name: string, edit: (entries: Descriptor[]) => Promise<{ entries?: Descriptor[]; result: T }>): Promise<T> {
    await this.ensureRepo(name);
    return this.locks.with(name, async () => {
      const entries = await readLayoutIndex(this.fs(name));
      const { entries: next, result } = await edit(entries);
      if (next) await this.placeSmall(name, "index.json", Buffer.from(ociIndexJson(next.map((descriptor) => ({ descriptor })))));
      return result;
    });
  }

  /** Every repository (layout) under DIR, sorted; symlinks and dot-directories are skipped. Concurrent calls share one walk. */
  repositories(): Promise<string[]> {
    this.walking ??= this.walk().finally(() => (this.walking = undefined));
    return this.walking;
  }

  private async walk(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string, depth: number): Promise<void> => {
      if (depth > 32 || out.length > 100_000) return;
      const dir = rel ? join(this.root, rel) : this.root;
      const names = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const isLayout = rel !== "" && names.some((d) => d.name === "oci-layout" && d.isFile());
      if (isLayout) out.push(rel);
      for (const d of names) {
        if (!d.isDirectory() || d.name.startsWith(".") || (isLayout && d.name === "blobs")) continue;
        await walk(rel ? `${rel}/${d.name}` : d.name, depth + 1);
      }
    };
    await walk("", 0);
    // Only names a request can reach (a directory "Foo" or "a b" holding a layout is no repository).
    return out.filter((n) => repositoryNameProblem(n) === undefined).sort();
  }

}
