/**
 * The work area `DIR/.uploads/`: one directory per server process (`<pid>-<random>`) for
 * upload sessions and files on their way into a layout. At start the
 * directories of processes that are gone (a crash, kill -9) are removed.
 * @module
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "../util/lock-file.js";

/** Removes the work directories of dead processes. */
export async function cleanStaleWork(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    if (!processAlive(Number(m[1]))) await rm(join(dir, name), { recursive: true, force: true });
  }
}
