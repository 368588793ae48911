/**
 * A layout's files as a {@link LayoutFs} (what `targets/layout-reader.ts` and
 * `layout-referrers.ts` read through) where no component below the served directory may be
 * a symlink, so a link planted in a layout cannot make the server read outside it.
 * @module
 */
import { join } from "node:path";
import type { Readable } from "node:stream";
import { NotFoundError, OcidistError } from "../model/errors.js";
import type { LayoutFs } from "../targets/layout-fs.js";
import { lstatInside, openReadNoFollow } from "../util/no-follow.js";
import { readAll } from "../util/stream.js";

/** DIR/<name>/ read without following links. */
export class NoFollowFs implements LayoutFs {
  constructor(
    private readonly root: string,
    private readonly name: string,
  ) {}

  get description(): string {
    return this.name;
  }

  private async file(path: string) {
    const st = await lstatInside(this.root, `${this.name}/${path}`);
    if (st?.isSymbolicLink()) throw new OcidistError(`${this.name}/${path} is a symlink; refusing to follow it`);
    return st?.isFile() ? st : undefined;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.file(path)) !== undefined;
  }

  async size(path: string): Promise<number> {
    const st = await this.file(path);
    if (!st) throw new NotFoundError(`${this.name}/${path}: not found`);
    return st.size;
  }

  async open(path: string, offset = 0): Promise<Readable> {
    await this.size(path);
    return openReadNoFollow(join(this.root, this.name, path), { start: offset }, 1 << 20);
  }

  async read(path: string, cap: number): Promise<Buffer> {
    if ((await this.size(path)) > cap) throw new OcidistError(`${this.name}/${path} is larger than ${cap} bytes`);
    return readAll(await this.open(path), cap, `${this.name}/${path}`);
  }

  async list(): Promise<string[]> {
    return [];
  }
}
