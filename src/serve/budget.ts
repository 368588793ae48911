/**
 * A server-wide budget of bytes held in memory for request bodies (manifests), so that many
 * clients pushing large bodies at once cannot make the server hold more than the budget.
 * @module
 */
import { ServeError } from "./errors.js";

/** Bytes that requests may hold at once. */
export class ByteBudget {
  private used = 0;

  constructor(readonly total: number) {}

  /** Takes `n` bytes. @throws ServeError 429 TOOMANYREQUESTS when the budget has not that many left */
  take(n: number): void {
    if (this.used + n > this.total) throw new ServeError(429, "TOOMANYREQUESTS", "the server holds too many request bodies at once; try again", { "Retry-After": "1" });
    this.used += n;
  }

  /** Gives back `n` bytes taken before. */
  give(n: number): void {
    this.used = Math.max(this.used - n, 0);
  }

  /** Bytes taken now. */
  get inUse(): number {
    return this.used;
  }
}
