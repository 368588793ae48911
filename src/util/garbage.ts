/**
 * Early collection of the buffers a transfer leaves behind. Every chunk read from a socket
 * or a file is a fresh buffer, dead within milliseconds, but the JS objects a transfer
 * makes are so few that V8 runs a scavenge only every 30–40 MB of such buffers (when their
 * external memory, not the heap, forces one): a pull or copy then held 30–40 MiB of dead
 * chunks at its peak. A host that lets this module collect (the CLI, see
 * `cli/v8-flags.ts`) gets a young-generation collection after every {@link COLLECT_EVERY}
 * bytes streamed; one costs well under a millisecond, as only the few live chunks are
 * copied. The library alone never collects: its host process owns its heap.
 * @module
 */

/**
 * Bytes streamed between two collections. 1 MiB rather than 4: a 528 MB pull to an OCI
 * layout peaked at 60.6 MiB instead of 66.6 for the same CPU time (about 500 scavenges of
 * a fraction of a millisecond each).
 */
export const COLLECT_EVERY = 1 << 20;

/** A collection of the young generation, as the host provides it. */
export type Collector = () => void;

let collector: Collector | undefined;
let factory: (() => Collector | undefined) | undefined;
let streamed = 0;

/**
 * Lets the transfers of this process collect their buffers early. `make` is called when the
 * first {@link COLLECT_EVERY} bytes have streamed (a command that moves no blob never pays
 * for it); undefined from it turns collection off.
 */
export function allowEarlyCollection(make: () => Collector | undefined): void {
  factory = make;
  collector = undefined;
}

/** Counts bytes a transfer received in fresh buffers, and collects when enough have passed. */
export function noteStreamed(bytes: number): void {
  if (!factory) return;
  streamed += bytes;
  if (streamed < COLLECT_EVERY) return;
  streamed = 0;
  collector ??= factory();
  if (!collector) factory = undefined;
  collector?.();
}
