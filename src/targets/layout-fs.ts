/**
 * Read access to the files of an OCI layout or docker archive, whether they sit in a
 * directory or inside a tar (served as byte ranges of the tar file).
 * @module
 */
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { NotFoundError, OcidistError } from "../model/errors.js";
import { lstatInside } from "../util/no-follow.js";
import { FileReader, openFileReader } from "../util/file-reader.js";
import { readAll } from "../util/stream.js";
import { indexTar, normalizeMemberName, type TarMember } from "./tar-index.js";

/** The files of a layout or archive. Paths are relative, `/`-separated. */
export interface LayoutFs {
  readonly description: string;
  exists(path: string): Promise<boolean>;
  /** Size of a regular file. */
  size(path: string): Promise<number>;
  /** Opens a file from an offset. */
  open(path: string, offset?: number): Promise<Readable>;
  /** Reads a small file whole (capped). */
  read(path: string, cap: number): Promise<Buffer>;
  /** Every file path (for detection and old archive shapes). */
  list(): Promise<string[]>;
}

function notFound(what: string): NotFoundError {
  return new NotFoundError(`${what}: not found`);
}

/**
 * A directory, read without following links: no component below `base` (the layout directory
 * itself unless the caller names a directory above it) may be a symlink, and files are opened
 * with `O_NOFOLLOW`, so a link planted in a layout (a layout's files are never links) cannot
 * make a read leave it. The layout directory may be reached through a link when `base` is it:
 * that path is the user's choice. Reads are capped by what they open, not by a size checked
 * before (a file swapped in between cannot be read past the cap).
 */
export class DirFs implements LayoutFs {
  /** The layout directory relative to `base`, with a trailing `/` (empty when they are one). */
  private readonly prefix: string;

  /**
   * @param root the layout directory
   * @param base a directory at or above `root` below which nothing may be a link (`serve`: the served directory, so that a repository reached through a link is not read)
   */
  constructor(
    readonly root: string,
    private readonly base: string = root,
  ) {
    const rel = relative(base, root);
    if (rel === ".." || rel.startsWith(`..${sep}`)) throw new OcidistError(`${root} is not inside ${base}`);
    this.prefix = rel ? `${rel.split(sep).join("/")}/` : "";
  }
  get description(): string {
    return this.root;
  }
  private async stat(path: string) {
    const s = await lstatInside(this.base, `${this.prefix}${path}`);
    if (s?.isSymbolicLink()) throw new OcidistError(`${join(this.root, path)} is a symlink; refusing to follow it`);
    return s?.isFile() ? s : undefined;
  }
  async exists(path: string): Promise<boolean> {
    return (await this.stat(path)) !== undefined;
  }
  async size(path: string): Promise<number> {
    const s = await this.stat(path);
    if (!s) throw notFound(join(this.root, path));
    return s.size;
  }
  async open(path: string, offset = 0): Promise<Readable> {
    await this.size(path);
    return openFileReader(join(this.root, path), { start: offset }, true);
  }
  async read(path: string, cap: number): Promise<Buffer> {
    const size = await this.size(path);
    if (size > cap) throw new OcidistError(`${join(this.root, path)} is larger than ${cap} bytes`);
    return readAll(await this.open(path), cap, join(this.root, path));
  }
  async list(): Promise<string[]> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(this.root.length + 1));
  }
}

/** A tar file, indexed once. */
export class TarFs implements LayoutFs {
  private constructor(
    readonly file: string,
    private readonly members: Map<string, TarMember>,
  ) {}
  static async open(file: string): Promise<TarFs> {
    return new TarFs(file, await indexTar(file));
  }
  get description(): string {
    return this.file;
  }
  private member(path: string): TarMember {
    const m = this.members.get(normalizeMemberName(path));
    if (!m) throw notFound(`${this.file}: ${path}`);
    return m;
  }
  async exists(path: string): Promise<boolean> {
    return this.members.has(normalizeMemberName(path));
  }
  async size(path: string): Promise<number> {
    return this.member(path).size;
  }
  async open(path: string, offset = 0): Promise<Readable> {
    const m = this.member(path);
    if (m.size === 0 || offset >= m.size) return Readable.from([]);
    return new FileReader(this.file, { start: m.offset + offset, end: m.offset + m.size - 1 });
  }
  async read(path: string, cap: number): Promise<Buffer> {
    const m = this.member(path);
    if (m.size > cap) throw new OcidistError(`${this.file}: ${path} is larger than ${cap} bytes`);
    return readAll(await this.open(path), cap, path);
  }
  async list(): Promise<string[]> {
    return [...this.members.keys()];
  }
}
