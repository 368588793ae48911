/**
 * Reading a stream chunk by chunk without copies. `for await` over a Readable reads in
 * paused mode, where each step takes everything buffered at once: two or more queued
 * chunks are concatenated into a fresh buffer (a copy of every byte, and garbage that V8
 * frees only at its next collection). {@link chunksOf} yields the chunks as they were
 * pushed instead, with the same backpressure: the stream is paused while a chunk is being
 * handled.
 * @module
 */
import { Readable } from "node:stream";

/**
 * Yields each chunk of `source` as it was pushed (no concatenation); an async iterable that
 * is not a Readable is passed through. The stream is destroyed when the consumer stops
 * early; its error is thrown by the step that reaches it.
 */
export async function* chunksOf(source: Readable | AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (!(source instanceof Readable)) {
    yield* source;
    return;
  }
  const queue: Buffer[] = [];
  let ended = false;
  let failure: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    source.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: unknown) => {
    failure ??= { err };
    notify();
  };
  // A stream that failed before this reader attached (kept in `errored`) fails the first step.
  if (source.errored) failure = { err: source.errored };
  if (source.readableEnded) ended = true;
  source.on("data", onData);
  source.on("end", onEnd);
  source.on("error", onError);
  source.on("close", onEnd);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (failure) throw failure.err;
      if (ended) {
        // A stream closed before its end (destroyed without an error) lost bytes.
        if (!source.readableEnded) throw Object.assign(new Error("premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        source.resume();
      });
    }
  } finally {
    source.off("data", onData);
    source.off("end", onEnd);
    source.off("close", onEnd);
    if (!source.readableEnded) {
      source.on("error", () => undefined);
      source.destroy();
    }
    source.off("error", onError);
  }
}
