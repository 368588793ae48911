/**
 * Temporary paths beside destinations, and their cleanup on interrupt.
 * @module
 */
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { removeTree } from "./remove-tree.js";

const live = new Set<string>();

/** A hidden unique temp path in the destination's directory. */
export function tempPathBeside(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.ocidist-${randomBytes(6).toString("hex")}.tmp`);
}

/** Tracks a temp path for cleanup. */
export function registerTemp(path: string): void {
  live.add(path);
}

/** Stops tracking a temp path. */
export function unregisterTemp(path: string): void {
  live.delete(path);
}

/** Removes every tracked temp path. */
export async function cleanupTemps(): Promise<void> {
  await Promise.all([...live].map((p) => removeTree(p).catch(() => undefined)));
  live.clear();
}
