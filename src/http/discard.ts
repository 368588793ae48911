/**
 * Discarding a response body that will not be read. Destroying an undici body emits an
 * `error` (RequestAbortedError); with no listener that would crash the process, so one is
 * attached first.
 * @module
 */
import type { Readable } from "node:stream";

/** Stops reading a body and releases its connection, without raising anything. */
export function discard(body: Readable | undefined): void {
  if (!body) return;
  body.on("error", () => undefined);
  body.destroy();
}
