/**
 * `-o -`: an output that goes to standard output. Archives are written out of order (tar
 * regions), so they are built in a temporary file first and streamed to stdout only once
 * complete and verified; nothing reaches stdout from an output that failed.
 * @module
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../model/errors.js";
import { writeData } from "./output.js";
import { registerTemp, unregisterTemp } from "../util/atomic.js";

/** True for the output name that means standard output. */
export function isStdout(path: string | undefined): boolean {
  return path === "-";
}

/** A temporary file that stands in for stdout until {@link StdoutFile.emit}. */
export interface StdoutFile {
  /** Where to write the output. */
  path: string;
  /** Streams the finished file to stdout and removes it. */
  emit(signal?: AbortSignal): Promise<void>;
  /** Removes it without emitting. */
  discard(): Promise<void>;
}

/** Makes the stand-in for stdout; refuses a terminal (binary output would garble it). */
export async function stdoutFile(name: string): Promise<StdoutFile> {
  if (process.stdout.isTTY) throw new UsageError("refusing to write an archive to a terminal: redirect stdout, or give -o FILE");
  const dir = await mkdtemp(join(tmpdir(), "ocidist-stdout-"));
  registerTemp(dir);
  const discard = async () => {
    await rm(dir, { recursive: true, force: true });
    unregisterTemp(dir);
  };
  return {
    path: join(dir, name),
    async emit(signal) {
      try {
        for await (const chunk of createReadStream(join(dir, name), { highWaterMark: 1 << 18, signal })) await writeData(chunk as Buffer);
      } finally {
        await discard();
      }
    },
    discard,
  };
}
