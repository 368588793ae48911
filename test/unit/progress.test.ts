/** The terminal display knows the total before blobs move, and leaves out what did not need to move. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { ProgressDisplay } from "../../src/progress/display.js";
import { RateMeter } from "../../src/progress/rate.js";
import type { Descriptor } from "../../src/model/descriptor.js";

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

test("a narrow terminal gets frames no wider than itself, and no rate before there is one", () => {
  const out = Object.assign(new PassThrough(), { columns: 40, rows: 10 });
  const display = new ProgressDisplay("tty", out);
  try {
    const a = blob(4, 123_456_789);
    display.plan([a]);
    display.blobStart(a);
    display.blobBytes(a, 1_000_000);
    display.note("step");
    const text = (out.read() as Buffer).toString().replace(/\x1b\[[0-9]*[AJ]|\r/g, "");
    for (const l of text.split("\n")) assert.ok(l.length < 40, `too wide: ${l}`);
    assert.doesNotMatch(text, /\/s|ETA/);
  } finally {
    display.finish();
  }
});

test("plain output prints a total line every interval while blobs move, and says which blobs resumed", async () => {
  const out = new PassThrough();
  const display = new ProgressDisplay("plain", out, { plainIntervalMs: 30 });
  try {
    const a = blob(5, 2_000_000);
    display.plan([a]);
    display.blobStart(a);
    display.blobBytes(a, 500_000);
    await new Promise((r) => setTimeout(r, 100));
    display.blobDone(a, "resumed");
    const text = (out.read() as Buffer).toString();
    assert.match(text, /^progress +25% +500\.0 kB \/ 2\.00 MB/m);
    assert.match(text, /^resumed +sha256:5{64} +2\.00 MB$/m);
  } finally {
    display.finish();
  }
});

test("the rate meter gives no rate before a second has passed, then bytes per second over its window", () => {
  let now = 0;
  const meter = new RateMeter(5000, 1000, () => now);
  meter.add(1000);
  assert.equal(meter.perSecond(), undefined);
  now = 2000;
  meter.add(3000);
  assert.equal(meter.perSecond(), 2000);
  now = 10_000;
  assert.equal(meter.perSecond(), undefined, "nothing moved in the window");
});
