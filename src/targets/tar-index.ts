/**
 * Indexing a tar file without reading its contents: walks the 512-byte headers (checksums
 * checked; ustar, pax `path`/`linkpath`/`size`, GNU long names and long link names) and
 * records where each regular file's data starts, so members can be served as byte ranges
 * of the file; links are resolved to the members they lead to.
 * @module
 */
import { open } from "node:fs/promises";
import { posix } from "node:path";
import { OcidistError } from "../model/errors.js";

/** Where a member's bytes are in the tar. */
export interface TarMember {
  offset: number;
  size: number;
}

const BLOCK = 512;

function field(buf: Buffer, start: number, len: number): string {
  const raw = buf.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString("utf8");
}

function octal(buf: Buffer, start: number, len: number): number {
  if (buf[start]! & 0x80) {
    // base-256 (GNU) for large sizes
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const s = field(buf, start, len).trim();
  return s ? parseInt(s, 8) : 0;
}

/** Parses pax records `len key=value\n`. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString());
    if (!len) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString("utf8");
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Normalises a member name: no leading `./` or `/`. */
export function normalizeMemberName(name: string): string {
  const n = posix.normalize(name.replace(/^\/+/, ""));
  return n === "." ? "" : n.replace(/\/$/, "");
}

/** True when the header's checksum (the sum of its bytes, the checksum field read as spaces) matches. */
function checksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === stored;
}

/** Longest chain of links followed to reach a regular member. */
const MAX_LINK_HOPS = 16;

/**
 * Indexes the regular files of a tar, and the hard and symbolic links that lead to them
 * (`docker save` before docker 25 links a layer shared by two images to its first copy:
 * `<id>/layer.tar -> ../<other>/layer.tar`). Links to nothing, or that leave the archive,
 * are left out.
 * @throws OcidistError on a malformed archive
 */
export async function indexTar(path: string): Promise<Map<string, TarMember>> {
  const fh = await open(path, "r");
  const members = new Map<string, TarMember>();
  /** Link members: name → target name, relative to the archive root. */
  const links = new Map<string, string>();
  try {
    const { size: total } = await fh.stat();
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    while (pos + BLOCK <= total) {
      const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
      if (bytesRead < BLOCK) break;
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header)) throw new OcidistError(`${path}: not a tar file, or damaged at byte ${pos} (header checksum mismatch)`);
      const type = String.fromCharCode(header[156] || 0x30);
      let size = octal(header, 124, 12);
      if (pax.size !== undefined) size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) throw new OcidistError(`${path}: invalid member size at byte ${pos}`);
      const data = pos + BLOCK;
      const next = data + Math.ceil(size / BLOCK) * BLOCK;
      if (next > total + BLOCK) throw new OcidistError(`${path}: truncated tar (member runs past the end)`);
      if (type === "x" || type === "L" || type === "K") {
        if (size > 1 << 20) throw new OcidistError(`${path}: extended header of ${size} bytes at byte ${pos}`);
        const content = Buffer.alloc(size);
        await fh.read(content, 0, size, data);
        if (type === "x") pax = paxRecords(content);
        else if (type === "L") longName = content.toString("utf8").replace(/\0+$/, "");
        else longLink = content.toString("utf8").replace(/\0+$/, "");
        pos = next;
        continue;
      }
      if (type === "g") {
        pos = next;
        continue;
      }
      const prefix = header.subarray(257, 263).toString("latin1").startsWith("ustar") ? field(header, 345, 155) : "";
      const base = field(header, 0, 100);
      const name = normalizeMemberName(pax.path ?? longName ?? (prefix ? `${prefix}/${base}` : base));
      const linkName = pax.linkpath ?? longLink ?? field(header, 157, 100);
      if (type === "0" || type === "\0" || type === "7") members.set(name, { offset: data, size });
      // A hard link names its target from the archive root; a symlink from its own directory.
      else if (type === "1") links.set(name, normalizeMemberName(linkName));
      else if (type === "2" && !linkName.startsWith("/")) links.set(name, normalizeMemberName(posix.join(posix.dirname(name), linkName)));
      longName = undefined;
      longLink = undefined;
      pax = {};
      pos = next;
    }
  } finally {
    await fh.close();
  }
  for (const [name, first] of links) {
    let target = first;
    for (let hop = 0; hop < MAX_LINK_HOPS && !members.has(target) && links.has(target); hop++) target = links.get(target)!;
    const member = target.startsWith("..") ? undefined : members.get(target);
    if (member && !members.has(name)) members.set(name, member);
  }
  return members;
}
