/**
 * A tar file written out of order: each member's region (a 512-byte ustar header, then its
 * data padded to 512 bytes) is reserved when its write starts, so several members stream in
 * at once with positioned writes. The end-of-archive blocks are added at commit; the file is
 * built beside its destination and renamed into place only when complete.
 * @module
 */
import { createReadStream } from "node:fs";
import { lstat, mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { OcidistError } from "../errors.js";
import { registerTemp, tempPathBeside, unregisterTemp } from "../util/atomic.js";
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

/** The region-writing tar sink. */
export class RegionTarSink implements FileSink {
  readonly sequential = false;
  readonly linksFiles = false;
  private end = 0;
  private readonly members = new Set<string>();
  private readonly mtime = Date.now();

  private constructor(
    private readonly dest: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
  ) {}

  /** Starts an archive beside `dest`. */
  static async create(dest: string): Promise<RegionTarSink> {
    const s = await lstat(dest).catch(() => undefined);
    if (s?.isDirectory()) throw new OcidistError(`${dest} is a directory; an archive needs a file path`);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = tempPathBeside(dest);
    registerTemp(tmp);
    return new RegionTarSink(dest, tmp, await open(tmp, "wx"));
  }

  async has(path: string): Promise<boolean> {
    return this.members.has(path);
  }

  /** Reserves a member's region and writes its header; returns where its data goes. */
  private async reserve(path: string, size: number): Promise<number> {
    if (this.members.has(path)) throw new OcidistError(`tar member ${path} written twice`);
    this.members.add(path);
    const at = this.end;
    this.end += BLOCK + padded(size);
    await this.fh.write(ustarHeader(path, size, this.mtime), 0, BLOCK, at);
    return at + BLOCK;
  }

  async write(path: string, size: number, body: Readable): Promise<void> {
    const start = await this.reserve(path, size);
    let pos = start;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (pos + chunk.length > start + size) throw new OcidistError(`tar member ${path}: more than its ${size} bytes`);
      let done = 0;
      while (done < chunk.length) done += (await this.fh.write(chunk, done, chunk.length - done, pos + done)).bytesWritten;
      pos += chunk.length;
    }
    if (pos !== start + size) throw new OcidistError(`tar member ${path}: ${pos - start} bytes, ${size} expected`);
  }

  async writeFile(path: string, size: number, source: string): Promise<void> {
    await this.write(path, size, createReadStream(source, { highWaterMark: 1 << 20 }));
  }

  async writeSmall(path: string, content: Buffer): Promise<void> {
    const start = await this.reserve(path, content.length);
    if (content.length) await this.fh.write(content, 0, content.length, start);
  }

  async commit(): Promise<void> {
    // Two zero blocks end the archive; truncate also zero-fills every member's padding.
    await this.fh.truncate(this.end + 2 * BLOCK);
    await this.fh.close();
    await rename(this.tmp, this.dest);
    unregisterTemp(this.tmp);
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
    unregisterTemp(this.tmp);
  }
}
