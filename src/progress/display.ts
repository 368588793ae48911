/**
 * Progress on stderr: on a terminal, a bar per active blob and a total with bytes, rate and
 * ETA, redrawn in place and fitted to the terminal's width and height at every redraw (a
 * line that wrapped would make the next redraw move up too few rows and leave stale lines);
 * in logs (`plain`), one line per finished blob and, while blobs move, a total line every few
 * seconds; or nothing.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import type { BlobOutcome, ProgressListener } from "./events.js";
import { formatBytes, safeText } from "../util/text.js";
import { RateMeter } from "./rate.js";

/** Display modes. */
export type DisplayMode = "tty" | "plain" | "none";

/** Options of a {@link ProgressDisplay}. */
export interface DisplayOptions {
  /** Milliseconds between total lines in `plain` mode (default 5000, `OCIDIST_PROGRESS_INTERVAL_MS`). */
  plainIntervalMs?: number;
}

interface Active {
  desc: Descriptor;
  done: number;
}

/** A terminal-like output: a stream with optional `columns`/`rows`, as `tty.WriteStream` has. */
type Output = NodeJS.WritableStream & { columns?: number; rows?: number };

const REDRAW_MS = 120;

/** A progress display implementing {@link ProgressListener}. */
export class ProgressDisplay implements ProgressListener {
  private readonly active = new Map<string, Active>();
  private bytes = 0;
  private total = 0;
  private finished = 0;
  private blobs = 0;
  /** How many blobs finished with each outcome. */
  readonly outcomes = new Map<BlobOutcome, number>();
  /** Digests already in {@link total}. */
  private readonly counted = new Set<string>();
  private readonly rate = new RateMeter();
  /** Lengths of the lines of the frame on screen, to clear exactly that many rows. */
  private drawn: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly onResize = () => this.draw();

  constructor(
    private readonly mode: DisplayMode,
    private readonly out: Output = process.stderr,
    options: DisplayOptions = {},
  ) {
    if (mode === "tty") {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.out.on("resize", this.onResize);
    } else if (mode === "plain") {
      const ms = options.plainIntervalMs ?? (Number(process.env.OCIDIST_PROGRESS_INTERVAL_MS) || 5000);
      this.timer = setInterval(() => this.plainTotal(), ms);
    }
    this.timer?.unref();
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
    this.rate.add(n);
  }

  blobDone(desc: Descriptor, outcome: BlobOutcome): void {
    const moved = this.active.get(desc.digest)?.done ?? 0;
    this.active.delete(desc.digest);
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    this.count(desc);
    this.finished++;
    // The total counts bytes to move: a blob that was already there, cached or mounted leaves
    // it; a resumed one leaves the part an earlier run downloaded.
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

  /** Removes the frame: moves up over every row it took at today's width, and erases below. */
  private clear(): void {
    if (!this.drawn.length) return;
    const cols = this.columns();
    // A terminal that reflows on resize may have wrapped the old frame's lines.
    const rows = this.drawn.reduce((n, len) => n + Math.max(1, Math.ceil(len / cols)), 0);
    this.out.write(`\r\x1b[${rows}A\x1b[J`);
    this.drawn = [];
  }

  private columns(): number {
    return Math.max(10, this.out.columns ?? 80);
  }

  /** The total line's figures, without a rate or ETA until there is a rate. */
  private totalFigures(): { frac: number; text: string } {
    const frac = this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    const parts = [`${formatBytes(this.bytes)} / ${formatBytes(this.total)}`];
    const speed = this.rate.perSecond();
    if (speed !== undefined && speed > 0) {
      parts.push(`${formatBytes(speed)}/s`);
      if (this.total > this.bytes) parts.push(`ETA ${formatDuration(Math.ceil((this.total - this.bytes) / speed))}`);
    }
    parts.push(`(${this.finished}${this.blobs ? `/${this.blobs}` : ""} blob${this.blobs === 1 ? "" : "s"})`);
    return { frac, text: parts.join("  ") };
  }

  private draw(): void {
    if (this.mode !== "tty") return;
    const cols = this.columns();
    // One column is kept free: a line that fills the last column wraps on some terminals.
    const room = cols - 1;
    const maxBars = Math.max(0, Math.min(8, (this.out.rows ?? 24) - 2));
    const lines: string[] = [];
    const bars = (label: string, frac: number, text: string) => {
      const barWidth = Math.min(30, room - label.length - text.length - 2);
      lines.push(fit(barWidth >= 5 ? `${label} ${bar(frac, barWidth - 2)} ${text}` : `${label} ${text}`, room));
    };
    for (const a of [...this.active.values()].slice(0, maxBars)) {
      const frac = a.desc.size > 0 ? Math.min(1, a.done / a.desc.size) : 0;
      bars(a.desc.digest.slice(7, 19), frac, `${formatBytes(a.done)} / ${formatBytes(a.desc.size)}`);
    }
    const { frac, text } = this.totalFigures();
    bars("total       ", frac, text);
    this.clear();
    this.out.write(`${lines.map(safeText).join("\n")}\n`);
    this.drawn = lines.map((l) => l.length);
  }

  /** In `plain` mode: a total line while blobs are moving. */
  private plainTotal(): void {
    if (!this.active.size) return;
    const { frac, text } = this.totalFigures();
    this.out.write(`progress    ${this.total > 0 ? `${Math.floor(frac * 100)}%  ` : ""}${text}\n`);
  }

  /** Stops redrawing and leaves a final summary line. */
  finish(summary?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.out.off?.("resize", this.onResize);
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

/** Cuts a line to `width` characters, marking the cut. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`;
}

/** `1m05s`, `12s`. */
function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
