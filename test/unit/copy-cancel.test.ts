/**
 * When one transfer of a copy fails, the others are cancelled and waited for: queued blobs
 * never start, and nothing writes into the destination after `copy` has aborted it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import { copy, NotFoundError, type Descriptor, type FetchOptions, type FetchResult, type ReadableTarget, type WritableTarget } from "../../src/index.js";

function descriptorOf(mediaType: string, bytes: Buffer): Descriptor {
  return { mediaType, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length };
}

const LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const layers = Array.from({ length: 8 }, (_, i) => Buffer.from(`layer ${i}`));
const config = Buffer.from("{}");
const manifestBytes = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: descriptorOf("application/vnd.oci.image.config.v1+json", config),
    layers: layers.map((l) => descriptorOf(LAYER, l)),
  }),
);
const top = descriptorOf("application/vnd.oci.image.manifest.v1+json", manifestBytes);
const failing = descriptorOf(LAYER, layers[0]!).digest;

/** A source whose first layer is missing and whose other blobs arrive slowly (and can be cancelled). */
function source(fetched: string[]): ReadableTarget {
  const bodies = new Map<string, Buffer>([[top.digest, manifestBytes], [descriptorOf("", config).digest, config], ...layers.map((l) => [descriptorOf("", l).digest, l] as [string, Buffer])]);
  return {
    description: "memory",
    resolve: () => Promise.resolve(top),
    exists: () => Promise.resolve(true),
    async fetch(desc: Descriptor, options: FetchOptions = {}): Promise<FetchResult> {
      if (desc.digest === top.digest) return { body: Readable.from([manifestBytes]), offset: 0 };
      fetched.push(desc.digest);
      if (desc.digest === failing) throw new NotFoundError(`blob ${desc.digest}: not found`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 150);
        options.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new Error("aborted"));
        });
      });
      return { body: Readable.from([bodies.get(desc.digest)!]), offset: 0 };
    },
  };
}

test("a failed blob cancels the rest; nothing is written after the destination is aborted", async () => {
  const fetched: string[] = [];
  const events: string[] = [];
  const dst: WritableTarget = {
    description: "memory",
    exists: () => Promise.resolve(false),
    async push(desc, open) {
      events.push(`start ${desc.digest}`);
      for await (const _ of await open()) void _;
      events.push(`end ${desc.digest}`);
    },
    tag: () => Promise.resolve(),
    commit: () => Promise.resolve(),
    abort: () => {
      events.push("abort");
      return Promise.resolve();
    },
  };
  await assert.rejects(copy(source(fetched), undefined, dst, undefined, { jobs: 2 }), (err: Error) => err instanceof NotFoundError);
  assert.equal(events.at(-1), "abort", `abort comes last: ${events.join(", ")}`);
  assert.ok(fetched.length <= 3, `queued blobs were not started (fetched ${fetched.length} of 9)`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(events.at(-1), "abort", "nothing happened after the abort");
});
