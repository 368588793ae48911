/**
 * A readable target for blob-reader tests: it records the offset of every fetch and serves
 * each from a function the test gives (which may ignore the range, or break the body).
 */
import type { Descriptor } from "../../src/model/descriptor.js";
import type { FetchOptions, FetchResult, ReadableTarget } from "../../src/targets/target.js";

/** A source whose fetch number `n` (from 0) at `offset` is answered by `serve`. */
export function offsetSource(serve: (offset: number, n: number) => FetchResult): ReadableTarget & { offsets: number[] } {
  const offsets: number[] = [];
  return {
    description: "memory",
    offsets,
    resolve: () => Promise.reject(new Error("unused")),
    exists: () => Promise.resolve(true),
    fetch(_d: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
      const offset = options.offset ?? 0;
      offsets.push(offset);
      return Promise.resolve(serve(offset, offsets.length - 1));
    },
  };
}
