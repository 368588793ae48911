/**
 * Progress of a sync on stderr: on a terminal, one line per tag being copied with its bytes,
 * under the overall count, redrawn in place, and a line left for each tag done; in logs
 * (`plain`), one line per tag done; or nothing.
 * @module
 */
import type { ProgressListener } from "../progress/events.js";
import { formatBytes, safeText } from "../util/text.js";
import { describeDestination, sourceKey, type SyncItem } from "./plan.js";
import type { ItemResult, SyncObserver } from "./runner.js";

type Output = NodeJS.WritableStream & { columns?: number };

/** Per-tag progress lines; an observer of {@link runPlan}. */
export class SyncProgress implements SyncObserver {
  private readonly active = new Map<SyncItem, { bytes: number }>();
  private finished = 0;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly mode: "tty" | "plain" | "none",
    private total: number,
    private readonly out: Output = process.stderr,
  ) {
    if (mode === "tty") {
      this.timer = setInterval(() => this.draw(), 150);
      this.timer.unref();
    }
  }

  /** The number of tags this run will look at (known once planned). */
  setTotal(n: number): void {
    this.total = n;
  }

  start(item: SyncItem): ProgressListener {
    const state = { bytes: 0 };
    this.active.set(item, state);
    return { blobBytes: (_d, n) => void (state.bytes += n) };
  }

  done(result: ItemResult): void {
    this.active.delete(result.item);
    this.finished++;
    if (this.mode === "none") return;
    const what = `${sourceKey(result.item)} → ${describeDestination(result.item.to)}:${result.item.tag}`;
    const how = result.status === "copied" ? `copied ${formatBytes(result.bytes)}` : result.status === "planned" ? "would copy" : result.status;
    this.line(`[${this.finished}/${this.total}] ${how.padEnd(10)} ${what}`);
  }

  /** Stops redrawing and removes the live lines. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private line(text: string): void {
    this.clear();
    this.out.write(`${safeText(text)}\n`);
    this.draw();
  }

  private clear(): void {
    if (this.mode !== "tty" || !this.drawn) return;
    this.out.write(`\r\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.mode !== "tty" || !this.total) return;
    this.clear();
    const room = Math.max(10, (this.out.columns || 80) - 1);
    const lines = [...this.active].slice(0, 8).map(([item, s]) => `  ${formatBytes(s.bytes).padStart(9)}  ${sourceKey(item)}`);
    lines.push(`  ${this.finished}/${this.total} tags done`);
    this.out.write(`${lines.map((l) => safeText(l.length > room ? `${l.slice(0, room - 1)}…` : l)).join("\n")}\n`);
    this.drawn = lines.length;
  }
}
