/**
 * A transfer rate over a sliding window, so that a display shows what is moving now rather
 * than an average since the start, and shows nothing before there is anything to measure.
 * @module
 */

/** Bytes per second over the last few seconds. */
export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];
  private readonly started: number;

  /**
   * @param windowMs how far back the rate looks (default 5 s).
   * @param minMs how long to measure before a rate is given (default 1 s).
   * @param now the clock (tests pass their own).
   */
  constructor(
    private readonly windowMs = 5000,
    private readonly minMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Records `n` bytes moved now. */
  add(n: number): void {
    const at = this.now();
    const last = this.samples.at(-1);
    // One sample per 100 ms keeps the window small at any chunk rate.
    if (last && at - last.at < 100) last.bytes += n;
    else this.samples.push({ at, bytes: n });
    this.trim(at);
  }

  /** Bytes per second, or undefined while too little time has passed or nothing moved. */
  perSecond(): number | undefined {
    const at = this.now();
    this.trim(at);
    if (at - this.started < this.minMs || !this.samples.length) return undefined;
    const from = Math.max(this.started, at - this.windowMs);
    const bytes = this.samples.reduce((n, s) => n + s.bytes, 0);
    return bytes / Math.max(0.001, (at - from) / 1000);
  }

  private trim(at: number): void {
    while (this.samples.length && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }
}
