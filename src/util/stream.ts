/**
 * Small stream helpers.
 * @module
 */
import type { Readable } from "node:stream";
import { OcidistError } from "../model/errors.js";
import { discard } from "../http/discard.js";

/**
 * Reads a stream to its end, refusing more than `cap` bytes (the stream is destroyed as soon
 * as the cap is passed, so a hostile server cannot make us buffer without bound).
 */
export async function readAll(stream: Readable | AsyncIterable<Uint8Array>, cap: number, what = "body"): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > cap) {
      if (typeof (stream as Readable).destroy === "function") discard(stream as Readable);
      throw new OcidistError(`${what} is larger than the ${cap} bytes allowed`);
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}
