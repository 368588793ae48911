/**
 * Everything the CLI prints goes through this module: human-readable lines (stdout and
 * stderr) with every character that could drive a terminal neutralised, JSON documents with
 * those characters escaped, and raw bytes (manifests, blobs, configs) exactly as they are.
 * A closed pipe (`ocidist tags x | head`) is tolerated. Importing it changes nothing: the
 * handler for a closed stdout is attached by the first write to stdout.
 * @module
 */
import type { Writable } from "node:stream";
import { formatBytes, safeText } from "../util/text.js";

export { formatBytes, safeText };

let stdoutClosed = false;
let watchingStdout = false;

/** From the first write to stdout on, a closed pipe there ends further writes quietly instead of crashing. */
function watchStdout(): void {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") {
      stdoutClosed = true;
      return;
    }
    throw err;
  });
}

/** What JSON.stringify leaves raw in strings: DEL, C1, bidi controls, separators (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A JSON document as text, with the characters JSON leaves raw (DEL, C1, bidi, separators) escaped as `\uXXXX`. */
export function safeJson(value: unknown, indent = 2): string {
  // Outside strings JSON has none of these characters, so escaping them everywhere is exact.
  return (JSON.stringify(value, null, indent) ?? "null").replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function write(out: Writable, data: string | Uint8Array): Promise<void> {
  if (out === process.stdout) {
    if (stdoutClosed) return Promise.resolve();
    watchStdout();
  }
  return new Promise((resolve) => {
    out.write(data, () => resolve());
  });
}

/** Writes bytes to stdout exactly as they are (manifests, blobs, configs, archives) and waits until they are flushed. */
export function writeData(data: Uint8Array, out: Writable = process.stdout): Promise<void> {
  return write(out, data);
}

/** One output line: text, or fields joined by tabs (each field neutralised on its own, so none can forge a column). */
export type Line = string | readonly string[];

function lineText(l: Line): string {
  return typeof l === "string" ? safeText(l) : l.map(safeText).join("\t");
}

/** Prints human-readable lines on stdout, each neutralised by {@link safeText}. */
export function printLines(lines: Iterable<Line>): Promise<void> {
  let text = "";
  for (const l of lines) text += `${lineText(l)}\n`;
  return write(process.stdout, text);
}

/** Prints one JSON document on stdout (indented unless `indent` is 0), with a trailing newline. */
export function printJson(value: unknown, indent = 2): Promise<void> {
  return write(process.stdout, `${safeJson(value, indent)}\n`);
}

/** Writes one human-readable line on stderr (notices, warnings, errors), neutralised by {@link safeText}. */
export function note(line: string): void {
  process.stderr.write(`${safeText(line)}\n`);
}

/** `1 blob`, `2 blobs`: a count and its noun (`many` when the plural is not the noun plus `s`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Lays rows out as an aligned table (terminal) or tab-separated lines; cells are neutralised first, so widths are what shows. */
export function renderRows(header: string[], rows: string[][], tty: boolean): Line[] {
  if (!tty) return rows;
  const cells = rows.map((r) => r.map(safeText));
  const widths = header.map((h, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...cells.map(line)];
}
