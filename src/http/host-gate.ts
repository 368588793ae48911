/**
 * One pause per registry: when a registry answers `429 Too Many Requests` (or `503` with
 * `Retry-After`), every request to that host waits out the same pause, not only the one that
 * was refused; concurrent copies then resume together instead of each hammering the
 * registry on its own schedule. One gate per transport (so per client).
 * @module
 */
import { sleep } from "./retry.js";

/** Pauses by host (`host[:port]` of the request URL). */
export class HostGate {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep,
  ) {}

  /** Holds every request to `host` for `ms` from now (a longer pause already set stands). */
  pause(host: string, ms: number): void {
    const t = this.now() + ms;
    if (t > (this.until.get(host) ?? 0)) this.until.set(host, t);
  }

  /** How long requests to `host` must still wait (0 when they need not). */
  remaining(host: string): number {
    const t = this.until.get(host);
    if (t === undefined) return 0;
    const left = t - this.now();
    if (left <= 0) this.until.delete(host);
    return Math.max(0, left);
  }

  /** Resolves when requests to `host` may go; rejects when `signal` fires first. */
  async enter(host: string, signal?: AbortSignal): Promise<void> {
    for (let left = this.remaining(host); left > 0; left = this.remaining(host)) await this.wait(left, signal);
  }
}

/** The gate key of a request URL: its `host[:port]`. */
export function gateKey(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
