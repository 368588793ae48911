/**
 * FIFOs and device nodes, which Node's `fs` cannot make: made as tar makes them, with
 * coreutils' `mkfifo` and `mknod` (spawned without a shell, arguments passed as a list).
 * @module
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type tar from "tar-stream";

const run = promisify(execFile);

/** Whether this process may make the entry: FIFOs always, device nodes only as root (as tar). */
export function canMakeSpecial(type: string, root: boolean): boolean {
  return type === "fifo" || root;
}

/** Makes the FIFO or device node `path` for a tar entry (the mode is set by the caller). */
export async function makeSpecial(path: string, header: tar.Header): Promise<void> {
  if (header.type === "fifo") {
    await run("mkfifo", ["-m", "600", "--", path]);
    return;
  }
  const kind = header.type === "block-device" ? "b" : "c";
  await run("mknod", ["-m", "600", "--", path, kind, String(header.devmajor ?? 0), String(header.devminor ?? 0)]);
}
