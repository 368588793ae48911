/** The terminal display knows the total before blobs move, and leaves out what did not need to move. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { ProgressDisplay } from "../../src/progress/display.js";
import type { Descriptor } from "../../src/descriptor.js";

const blob = (n: number, size: number): Descriptor => ({ mediaType: "application/octet-stream", digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size });

/** The last total line drawn. */
function lastTotal(out: PassThrough): string {
  const text = (out.read() as Buffer | null)?.toString() ?? "";
  const lines = text.split("\n").filter((l) => l.startsWith("total"));
  return lines.at(-1) ?? "";
}

test("the total is planned up front, shared blobs count once, skipped ones leave it", () => {
  const out = new PassThrough();
  const display = new ProgressDisplay("tty", out);
  try {
    const [a, b, c] = [blob(1, 1000), blob(2, 2000), blob(3, 4000)];
    display.plan([a, b]);
    display.plan([b, c]);
    display.note("resolved");
    assert.match(lastTotal(out), / 0 B \/ 7.00 kB .*\(0\/3 blobs\)/);
    display.blobStart(a);
    display.blobBytes(a, 1000);
    display.blobDone(a, "transferred");
    display.blobDone(b, "exists");
    display.note("step");
    assert.match(lastTotal(out), /\/ 5.00 kB .*\(2\/3 blobs\)/);
  } finally {
    display.finish();
  }
});
