/**
 * A tar file written out of order: each member's region (a 512-byte ustar header, then its
 * data padded to 512 bytes) is laid out ahead (in the order a plan gives, else when its write
 * starts), so several members stream in at once with positioned writes, and the same plan
 * gives the same bytes. The end-of-archive blocks are added at commit; the file is
 * built beside its destination and renamed into place only when complete.
 * @module
 */
import { open, rm, type FileHandle } from "node:fs/promises";
import { OcidistError } from "../model/errors.js";
import { registerTemp, unregisterTemp } from "../util/atomic.js";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileChunks } from "../util/file-chunks.js";
import { openSameFile, type FileIdentity } from "../util/file-identity.js";
import { RegionWriter } from "../util/file-writer.js";
import { checkFileOutput, createBeside, placeFile } from "../util/output-policy.js";
import type { FileSink } from "./sinks.js";

const BLOCK = 512;

function padded(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** Writes `value` as a NUL-terminated octal field of `len` bytes, or base-256 when it does not fit. */
function numeric(buf: Buffer, offset: number, len: number, value: number): void {
  const oct = value.toString(8);
  if (oct.length < len) {
    buf.write(oct.padStart(len - 1, "0"), offset, "ascii");
    buf[offset + len - 1] = 0;
    return;
  }
  buf[offset] = 0x80;
  let v = value;
  for (let i = offset + len - 1; i > offset; i--) {
    buf[i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** A ustar header for a regular file (names up to 255 bytes, split at a `/` into prefix and name). */
export function ustarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new OcidistError(`tar member name too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, "utf8");
  numeric(h, 100, 8, 0o644);
  numeric(h, 108, 8, 0);
  numeric(h, 116, 8, 0);
  numeric(h, 124, 12, size);
  numeric(h, 136, 12, Math.floor(mtime / 1000));
  h.fill(0x20, 148, 156);
  h[156] = 0x30;
  h.write("ustar\x0000", 257, 8, "binary");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return h;
}

/**
 * Every member's modification time: fixed, so that the same content gives the same archive
 * bytes on any machine at any time (the members are content-addressed blobs and metadata
 * generated from them; a wall-clock time would only make archives differ).
 */
export const MEMBER_MTIME = 0;

/** The region-writing tar sink. */
export class RegionTarSink implements FileSink {
  readonly linksFiles = false;
  private end = 0;
  /** Members whose region is reserved, with the offset of their data. */
  private readonly regions = new Map<string, { at: number; size: number }>();
  /** Members whose data was written (or is being written). */
  private readonly written = new Set<string>();

  private constructor(
    private readonly dest: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    private readonly force?: boolean,
  ) {}

  /** Starts an archive beside `dest`. */
  static async create(dest: string, force?: boolean): Promise<RegionTarSink> {
    await checkFileOutput(dest, force);
    const { tmp, value: fh } = await createBeside(dest, (t) => open(t, "wx"));
    registerTemp(tmp);
    return new RegionTarSink(dest, tmp, fh, force);
  }

  async has(path: string): Promise<boolean> {
    return this.written.has(path);
  }

  /**
   * Lays out members ahead of their writes, in the order given: then the archive's bytes do
   * not depend on which write happens to start first (`--jobs`, the cache, the network).
   * Members already laid out keep their place.
   */
  async plan(members: { path: string; size: number }[]): Promise<void> {
    for (const m of members) if (!this.regions.has(m.path)) await this.layOut(m.path, m.size);
  }

  private async layOut(path: string, size: number): Promise<number> {
    const at = this.end;
    this.end += BLOCK + padded(size);
    this.regions.set(path, { at: at + BLOCK, size });
    await this.fh.write(ustarHeader(path, size, MEMBER_MTIME), 0, BLOCK, at);
    return at + BLOCK;
  }

  /** Claims a member's region for its write (laying it out now when no plan named it); returns where its data goes. */
  private async reserve(path: string, size: number): Promise<number> {
    if (this.written.has(path)) throw new OcidistError(`tar member ${path} written twice`);
    this.written.add(path);
    const planned = this.regions.get(path);
    if (!planned) return this.layOut(path, size);
    if (planned.size !== size) throw new OcidistError(`tar member ${path}: ${size} bytes, ${planned.size} planned`);
    return planned.at;
  }

  async write(path: string, size: number, body: Readable | AsyncIterable<Buffer>): Promise<void> {
    const start = await this.reserve(path, size);
    try {
      const region = new RegionWriter(this.fh.fd, start, size, `tar member ${path}`);
      await pipeline(body, region);
      if (region.written !== size) throw new OcidistError(`tar member ${path}: ${region.written} bytes, ${size} expected`);
    } catch (err) {
      // The region stays laid out; a second attempt writes it again from the start.
      this.written.delete(path);
      throw err;
    }
  }

  async writeFile(path: string, size: number, source: string, identity?: FileIdentity): Promise<void> {
    await this.write(path, size, fileChunks(identity ? await openSameFile(source, identity) : source));
  }

  async writeSmall(path: string, content: Buffer): Promise<void> {
    const start = await this.reserve(path, content.length);
    if (content.length) await this.fh.write(content, 0, content.length, start);
  }

  async commit(): Promise<void> {
    const missing = [...this.regions.keys()].filter((p) => !this.written.has(p));
    if (missing.length) throw new OcidistError(`archive incomplete: ${missing.length} planned member${missing.length === 1 ? "" : "s"} never written (${missing[0]})`);
    // Two zero blocks end the archive; truncate also zero-fills every member's padding.
    await this.fh.truncate(this.end + 2 * BLOCK);
    await this.fh.close();
    await placeFile(this.tmp, this.dest, this.force);
    unregisterTemp(this.tmp);
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
    unregisterTemp(this.tmp);
  }
}
