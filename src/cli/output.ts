/**
 * Writing data to stdout: text lines, JSON documents and raw bytes, tolerating a closed
 * pipe (`ocidist tags x | head`).
 * @module
 */
import type { Writable } from "node:stream";

let stdoutClosed = false;
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") {
    stdoutClosed = true;
    return;
  }
  throw err;
});

/** Writes bytes or text to stdout and waits until they are flushed. */
export function writeOut(data: string | Uint8Array, out: Writable = process.stdout): Promise<void> {
  if (stdoutClosed && out === process.stdout) return Promise.resolve();
  return new Promise((resolve) => {
    out.write(data, () => resolve());
  });
}

/** Prints lines, one per item. */
export function printLines(lines: Iterable<string>): Promise<void> {
  let text = "";
  for (const l of lines) text += `${l}\n`;
  return writeOut(text);
}

/** Prints one JSON document, indented, with a trailing newline. */
export function printJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value, null, 2)}\n`);
}

/** Formats a byte count for humans: `12.3 MB` (SI units, as registries' UIs show). */
export function formatBytes(n: number): string {
  if (n < 0) return "?";
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
