/**
 * Reading a mirror file whole before anything moves: the format is told by its shape (a
 * top-level `images:` list is ocidist's, anything else skopeo's), every problem is collected
 * with its line and column, and a file with any problem is refused as a whole
 * ({@link SyncFileError}, exit 2).
 * @module
 */
import { readdir } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { isMap, isSeq, type Node, type YAMLMap } from "yaml";
import { OcidistError, UsageError } from "../model/errors.js";
import { MAX_SYNC_FILE_BYTES } from "../model/limits.js";
import { isLoopbackRegistry } from "../model/reference.js";
import { readAll } from "../util/stream.js";
import { readOcidistFormat } from "./config.js";
import type { SyncConfig } from "./model.js";
import { readSkopeoFormat, type SkopeoDestination, type SkopeoSettings } from "./skopeo.js";
import { keyText, parseYamlFile, type Problems } from "./yaml-file.js";


/** A mirror file with problems: each is one line of {@link problems}, `FILE:LINE:COLUMN: message`. */
export class SyncFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.length === 1 ? problems[0]! : `${file}: ${problems.length} problems, the first: ${problems[0]}`);
  }
}

/** Options of {@link readSyncConfig}. */
export interface ReadSyncOptions extends Partial<SkopeoDestination> {
  /** `--insecure` was given (a skopeo `tls-verify: false` needs it for a non-loopback registry). */
  insecure?: boolean;
}

async function certDirFiles(dirs: string[], problems: Problems): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (err) {
      problems.lines.push(`${problems.file}: cert-dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
      continue;
    }
    if (names.some((n) => n.endsWith(".cert") || n.endsWith(".key"))) problems.lines.push(`${problems.file}: cert-dir ${dir}: client certificates (.cert/.key) are not supported`);
    out.push(...names.filter((n) => n.endsWith(".crt")).map((n) => join(dir, n)));
  }
  return out;
}

/** Problems sorted by line and column (those without a position last), each kept whole. */
function inFileOrder(file: string, lines: string[]): string[] {
  const at = (l: string) => {
    const m = /^:(\d+):(\d+):/.exec(l.slice(file.length));
    return m ? Number(m[1]) * 1e6 + Number(m[2]) : Infinity;
  };
  return lines.map((l, i) => ({ l, i, k: at(l) })).sort((a, b) => a.k - b.k || a.i - b.i).map((e) => e.l);
}

/** Reads, parses and checks mirror text; `file` names it in messages. @throws SyncFileError */
export async function parseSyncConfig(file: string, text: string, options: ReadSyncOptions = {}): Promise<SyncConfig> {
  const { root, problems } = parseYamlFile(file, text);
  const config: SyncConfig = { file, format: "ocidist", images: [], credentials: new Map(), caFiles: [] };
  if (problems.lines.length === 0) {
    if (!isMap(root)) problems.add(root, "the file must be a mapping: images: [...] (ocidist) or registry: {images: ...} (skopeo)");
    else {
      const map = root as YAMLMap<Node, Node>;
      const images = map.items.find((p) => keyText(p) === "images");
      if (images && isSeq(images.value)) {
        if (options.dest !== undefined) throw new UsageError("--dest is for skopeo-format files; ocidist's format names each destination with to:");
        config.images = readOcidistFormat(map, problems);
      } else {
        config.format = "skopeo";
        if (options.dest === undefined) throw new UsageError(`${file} is in skopeo's format: give --dest REGISTRY/PREFIX or --dest dir:PATH`);
        const settings: SkopeoSettings = { credentials: config.credentials, certDirs: [], noTlsVerify: [] };
        config.images = readSkopeoFormat(map, problems, { dest: options.dest, scoped: options.scoped }, settings);
        for (const r of settings.noTlsVerify) {
          if (!options.insecure && !isLoopbackRegistry(r)) problems.lines.push(`${file}: ${r} has tls-verify: false; ocidist has no per-registry switch, so give --insecure`);
        }
        config.caFiles = await certDirFiles(settings.certDirs, problems);
      }
    }
  }
  if (problems.lines.length) throw new SyncFileError(file, inFileOrder(file, problems.lines));
  return config;
}

/**
 * The bytes of a file the user named for sync (the mirror file, a lock), read no further
 * than {@link MAX_SYNC_FILE_BYTES}. @throws UsageError `PATH: why (CODE)`, or `PATH: larger than …`
 */
export async function readSyncFile(path: string, why: string): Promise<Buffer> {
  try {
    return await readAll(createReadStream(path), MAX_SYNC_FILE_BYTES, path);
  } catch (err) {
    if (err instanceof OcidistError) throw new UsageError(`${path}: larger than ${MAX_SYNC_FILE_BYTES} bytes`);
    throw new UsageError(`${path}: ${why} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Reads and checks the mirror file at `path`. @throws SyncFileError, OcidistError when it cannot be read */
export async function readSyncConfig(path: string, options: ReadSyncOptions = {}): Promise<SyncConfig> {
  return parseSyncConfig(path, (await readSyncFile(path, "cannot read")).toString("utf8"), options);
}
