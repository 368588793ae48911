/**
 * A mark on streams that check their own bytes (size and digest) and fail rather than
 * yield wrong ones, so that a writer downstream need not hash them a second time.
 * @module
 */
import type { Readable } from "node:stream";

const verified = new WeakSet<Readable>();

/** True for a stream marked by {@link markVerified} (as the engine's verified blob reads are): it fails rather than yield wrong bytes, so writers need not hash it again. */
export function isVerifiedStream(s: Readable): boolean {
  return verified.has(s);
}

/** Marks a stream that fails rather than yield bytes that do not match its descriptor. */
export function markVerified<T extends Readable>(s: T): T {
  verified.add(s);
  return s;
}
