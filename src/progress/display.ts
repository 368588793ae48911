/**
 * Progress on stderr: on a terminal, a bar per active blob and a total with bytes, speed
 * and ETA, redrawn in place; in logs (`plain`), one line per finished blob; or nothing.
 * @module
 */
import type { Descriptor } from "../descriptor.js";
import type { BlobOutcome, ProgressListener } from "./events.js";
import { formatBytes, safeText } from "../cli/output.js";

/** Display modes. */
export type DisplayMode = "tty" | "plain" | "none";

interface Active {
  desc: Descriptor;
  done: number;
}

/** A progress display implementing {@link ProgressListener}. */
export class ProgressDisplay implements ProgressListener {
  private readonly active = new Map<string, Active>();
  private bytes = 0;
  private total = 0;
  private finished = 0;
  private blobs = 0;
  /** Digests already in {@link total}. */
  private readonly counted = new Set<string>();
  private readonly started = Date.now();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: DisplayMode,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {
    if (mode === "tty") {
      this.timer = setInterval(() => this.draw(), 120);
      this.timer.unref();
    }
  }

  plan(blobs: Descriptor[]): void {
    for (const b of blobs) this.count(b);
  }

  /** Adds a blob to the total, once. */
  private count(desc: Descriptor): void {
    if (this.counted.has(desc.digest)) return;
    this.counted.add(desc.digest);
    this.total += Math.max(0, desc.size);
    this.blobs++;
  }

  blobStart(desc: Descriptor): void {
    this.active.set(desc.digest, { desc, done: 0 });
    this.count(desc);
  }

  blobBytes(desc: Descriptor, n: number): void {
    const a = this.active.get(desc.digest);
    if (a) a.done += n;
    this.bytes += n;
  }

  blobDone(desc: Descriptor, outcome: BlobOutcome): void {
    const moved = this.active.get(desc.digest)?.done ?? 0;
    this.active.delete(desc.digest);
    this.count(desc);
    this.finished++;
    // The total counts bytes to move: a blob that was already there, cached or mounted leaves it.
    if (outcome !== "transferred") this.total -= Math.max(0, desc.size) - moved;
    if (this.mode === "plain") {
      this.line(`${outcome.padEnd(11)} ${desc.digest}  ${formatBytes(desc.size)}`);
    }
  }

  note(line: string): void {
    if (this.mode !== "none") this.line(line);
  }

  /** Prints a line above the bars. */
  private line(text: string): void {
    if (this.mode === "tty") this.clear();
    this.out.write(`${safeText(text)}\n`);
    if (this.mode === "tty") this.draw();
  }

  private clear(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    if (this.mode !== "tty") return;
    const width = Math.max(10, Math.min(30, ((process.stderr.columns ?? 80) - 60)));
    const lines: string[] = [];
    for (const a of [...this.active.values()].slice(0, 8)) {
      const frac = a.desc.size > 0 ? Math.min(1, a.done / a.desc.size) : 0;
      lines.push(`${a.desc.digest.slice(7, 19)} ${bar(frac, width)} ${formatBytes(a.done).padStart(9)} / ${formatBytes(a.desc.size)}`);
    }
    const secs = (Date.now() - this.started) / 1000;
    const speed = secs > 0 ? this.bytes / secs : 0;
    const left = this.total > this.bytes && speed > 0 ? (this.total - this.bytes) / speed : 0;
    const frac = this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    lines.push(`total        ${bar(frac, width)} ${formatBytes(this.bytes).padStart(9)} / ${formatBytes(this.total)}  ${formatBytes(speed)}/s  ETA ${formatDuration(left)}  (${this.finished}${this.blobs ? `/${this.blobs}` : ""} blobs)`);
    this.clear();
    this.out.write(`${lines.map(safeText).join("\n")}\n`);
    this.drawnLines = lines.length;
  }

  /** Stops redrawing and leaves a final summary line. */
  finish(summary?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.mode === "tty") this.clear();
    if (summary && this.mode !== "none") this.out.write(`${safeText(summary)}\n`);
  }

  /** Bytes moved so far. */
  get transferred(): number {
    return this.bytes;
  }
}

function bar(frac: number, width: number): string {
  const full = Math.round(frac * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

/** `1m05s`, `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
