/**
 * Early collection of the buffers a transfer leaves behind. Every chunk read from a socket
 * or a file is a fresh buffer, dead within milliseconds, but the JS objects a transfer
 * makes are so few that V8 runs a scavenge only every 30–40 MB of such buffers (when their
 * external memory, not the heap, forces one): a pull or copy then held 30–40 MiB of dead
 * chunks at its peak. A host that lets this module collect (the CLI, see
 * `cli/v8-flags.ts`) gets a young-generation collection after every {@link COLLECT_EVERY}
 * bytes streamed; one costs well under a millisecond, as only the few live chunks are
 * copied. The library alone never collects: its host process owns its heap.
 *
 * A chunk still queued at two young collections in a row (a few transfers at once, each
 * with a stage or two of queue) is promoted to the old generation, where only a full
 * collection frees it: those dead chunks pile up over a long transfer (0 → 25 MiB over a
 * 528 MB docker-archive pull). Every {@link FULL_EVERY} bytes the collection is a full one.
 * @module
 */

/**
 * Bytes streamed between two collections. 1 MiB rather than 4: a 528 MB pull to an OCI
 * layout peaked at 60.6 MiB instead of 66.6 for the same CPU time (about 500 scavenges of
 * a fraction of a millisecond each).
 */
export const COLLECT_EVERY = 1 << 20;

/**
 * Bytes streamed between two full collections (each 5–7 ms for the CLI's heap). A 528 MB
 * pull to a docker archive peaked at 73.2 MiB with none, 66.5–67.4 every 64 MiB and
 * 63.9 every 32 MiB, each step about 1–2% more CPU; every 16 MiB cost 9% of the wall time.
 */
export const FULL_EVERY = 32 << 20;

/** A collection, as the host provides it: of the young generation, or a full one. */
export type Collector = (kind: "young" | "full") => void;

let collector: Collector | undefined;
let factory: (() => Collector | undefined) | undefined;
let streamed = 0;
let sinceFull = 0;

/**
 * Lets the transfers of this process collect their buffers early. `make` is called when the
 * first {@link COLLECT_EVERY} bytes have streamed (a command that moves no blob never pays
 * for it); undefined from it turns collection off.
 */
export function allowEarlyCollection(make: () => Collector | undefined): void {
  factory = make;
  collector = undefined;
  streamed = 0;
  sinceFull = 0;
}

/** Counts bytes a transfer received in fresh buffers, and collects when enough have passed. */
export function noteStreamed(bytes: number): void {
  if (!factory) return;
  streamed += bytes;
  if (streamed < COLLECT_EVERY) return;
  sinceFull += streamed;
  streamed = 0;
  collector ??= factory();
  if (!collector) factory = undefined;
  const full = sinceFull >= FULL_EVERY;
  if (full) sinceFull = 0;
  collector?.(full ? "full" : "young");
}
