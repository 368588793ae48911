/**
 * Applying one uncompressed layer tar to a root directory (image-spec `layer.md`): files,
 * directories, symlinks and hard links created inside the root only; whiteouts `.wh.<name>`
 * and opaque markers `.wh..wh..opq` remove lower-layer content and are never written;
 * modes and times kept; ownership, setuid/setgid/sticky bits and device nodes only when
 * running as root (the bits can be dropped on request), FIFOs always — as tar and podman do.
 * @module
 */
import { chmod, lchown, link, lstat, lutimes, readdir, realpath, rm, symlink, utimes } from "node:fs/promises";
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { createExclusiveWriter } from "../util/no-follow.js";
import { cleanEntryName, resolveDirInRoot } from "./safe-path.js";
import { canMakeSpecial, makeSpecial } from "./special-files.js";

/** What applying a layer did. */
export interface LayerStats {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  whiteouts: number;
  /** Entries refused or not representable (escaping names, devices, links out of the root). */
  skipped: number;
  bytes: number;
}

/** Options of {@link applyLayer}. */
export interface ApplyOptions {
  /** Keep setuid, setgid and sticky bits when running as root (default true; never kept otherwise). */
  preservePrivileged?: boolean;
  /** Receives a line for each skipped entry. */
  warn?: (line: string) => void;
  /**
   * Collects directory modes and times instead of applying them, so that a later layer can
   * still add to a read-only directory; the caller applies them once with {@link applyDirAttrs}.
   */
  deferDirs?: DirAttrs[];
}

/** A directory's mode and time, applied after the content below it is in place. */
export interface DirAttrs {
  path: string;
  mtime: Date;
  mode: number;
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/** An empty stats record. */
export function emptyStats(): LayerStats {
  return { files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, skipped: 0, bytes: 0 };
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Removes whatever is at `path` (not following links). */
async function removeAny(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Applies one layer. Directory times are set after the layer, deepest first. */
export async function applyLayer(root: string, tarStream: Readable, options: ApplyOptions = {}): Promise<LayerStats> {
  const stats = emptyStats();
  const created = new Set<string>();
  const dirTimes: DirAttrs[] = [];
  const privileged = options.preservePrivileged !== false && isRoot();
  const modeOf = (m: number | undefined, fallback: number) => (m ?? fallback) & (privileged ? 0o7777 : 0o777);
  const skip = (why: string) => {
    stats.skipped++;
    options.warn?.(why);
  };

  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("finish", resolve);
    extract.on("error", reject);
  });

  extract.on("entry", (header, stream, next) => {
    handle(header, stream as unknown as Readable).then(
      () => {
        stream.resume();
        next();
      },
      (err: Error) => {
        stream.resume();
        next(err);
      },
    );
  });

  async function handle(header: tar.Header, stream: Readable): Promise<void> {
    const rel = cleanEntryName(header.name);
    if (rel === undefined) {
      if (header.name.replace(/^\.?\/*/, "") !== "") skip(`${header.name}: name leaves the root; skipped`);
      return;
    }
    const dirRel = posix.dirname(rel) === "." ? "" : posix.dirname(rel);
    const base = posix.basename(rel);
    if (base.startsWith(WHITEOUT)) {
      const parent = await resolveDirInRoot(root, dirRel, false).catch(() => undefined);
      stats.whiteouts++;
      if (!parent) return;
      if (base === OPAQUE) {
        for (const child of await readdir(parent)) {
          const childRel = dirRel ? `${dirRel}/${child}` : child;
          if (!created.has(childRel)) await removeAny(posix.join(parent, child));
        }
      } else {
        const victim = base.slice(WHITEOUT.length);
        if (victim && victim !== "." && victim !== ".." && !created.has(dirRel ? `${dirRel}/${victim}` : victim)) {
          await removeAny(posix.join(parent, victim));
        }
      }
      return;
    }
    const parent = await resolveDirInRoot(root, dirRel, true);
    const target = posix.join(parent, base);
    const existing = await lstat(target).catch(() => undefined);
    const mtime = header.mtime ?? new Date(0);
    switch (header.type) {
      case "directory": {
        if (existing && !existing.isDirectory()) await removeAny(target);
        if (!existing || !existing.isDirectory()) {
          const { mkdir } = await import("node:fs/promises");
          await mkdir(target);
        }
        // Kept writable while the layer is applied; the real mode is set at the end.
        await chmod(target, modeOf(header.mode, 0o755) | 0o700);
        dirTimes.push({ path: target, mtime, mode: modeOf(header.mode, 0o755) });
        stats.dirs++;
        break;
      }
      case "file":
      case "contiguous-file": {
        if (existing) await removeAny(target);
        await pipeline(stream, await createExclusiveWriter(target, 0o600));
        await chmod(target, modeOf(header.mode, 0o644));
        await utimes(target, mtime, mtime);
        stats.files++;
        stats.bytes += header.size ?? 0;
        break;
      }
      case "symlink": {
        if (existing) await removeAny(target);
        await symlink(header.linkname ?? "", target);
        await lutimes(target, mtime, mtime).catch(() => undefined);
        stats.symlinks++;
        break;
      }
      case "link": {
        const linkRel = cleanEntryName(header.linkname ?? "");
        if (linkRel === undefined) {
          skip(`${header.name}: hard link to ${header.linkname} leaves the root; skipped`);
          return;
        }
        const linkParent = await resolveDirInRoot(root, posix.dirname(linkRel) === "." ? "" : posix.dirname(linkRel), false).catch(() => undefined);
        const source = linkParent ? posix.join(linkParent, posix.basename(linkRel)) : undefined;
        const st = source ? await lstat(source).catch(() => undefined) : undefined;
        if (!source || !st || st.isDirectory()) {
          skip(`${header.name}: hard link target ${header.linkname} is not a file inside the root; skipped`);
          return;
        }
        if (existing) await removeAny(target);
        await link(source, target);
        stats.hardlinks++;
        break;
      }
      case "fifo":
      case "character-device":
      case "block-device": {
        if (!canMakeSpecial(header.type, isRoot())) {
          skip(`${header.name}: ${header.type} entries are created only as root; skipped`);
          return;
        }
        if (existing) await removeAny(target);
        try {
          await makeSpecial(target, header);
        } catch (err) {
          // A container without CAP_MKNOD, say: tar reports it and goes on, and so does export.
          skip(`${header.name}: cannot make a ${header.type}: ${(err as Error).message.split("\n")[0]}; skipped`);
          return;
        }
        await chmod(target, modeOf(header.mode, 0o644));
        stats.files++;
        break;
      }
      default:
        skip(`${header.name}: ${header.type} entries are not created by export; skipped`);
        return;
    }
    created.add(rel);
    if (isRoot() && header.uid !== undefined && header.gid !== undefined) {
      await lchown(target, header.uid, header.gid).catch(() => undefined);
      // chown clears setuid and setgid: set them again after it, as tar does.
      if (privileged && header.type !== "symlink" && header.type !== "link" && header.type !== "directory" && (header.mode ?? 0) & 0o7000) await chmod(target, modeOf(header.mode, 0o644));
    }
  }

  tarStream.on("error", (err) => extract.destroy(err));
  tarStream.pipe(extract);
  await done;
  if (options.deferDirs) options.deferDirs.push(...dirTimes);
  else await applyDirAttrs(dirTimes);
  return stats;
}

/** Applies directory modes and times, deepest first (for one path, the last entry wins). */
export async function applyDirAttrs(dirTimes: DirAttrs[]): Promise<void> {
  dirTimes.sort((a, b) => b.path.length - a.path.length);
  for (const d of dirTimes) {
    // A later entry may have replaced this directory, or one above it, with a symlink:
    // touch it only if it is still the real directory it was (no link anywhere on its path),
    // or chmod/utimes would follow the link out of the root.
    const st = await lstat(d.path).catch(() => undefined);
    if (!st?.isDirectory() || (await realpath(d.path).catch(() => "")) !== d.path) continue;
    await chmod(d.path, d.mode).catch(() => undefined);
    await utimes(d.path, d.mtime, d.mtime).catch(() => undefined);
  }
}
