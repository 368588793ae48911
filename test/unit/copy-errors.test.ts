/**
 * How a copy fails, in-process against the in-memory target: a cancelled or failing copy
 * leaves the destination as it was; a digest mismatch is never tried again; a transient
 * failure is tried again as often as the retry policy says, and a body cut mid-way is
 * resumed from the byte reached.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { AbortedError, copy, DigestMismatchError, MemoryTarget, NotFoundError, OcidistError, retryPolicy, UnauthorizedError, UploadSessionError, type Descriptor } from "../../src/index.js";
import { countingSource, imageOf, LAYER } from "./memory-images.js";

/** A connection reset, as undici reports one. */
function reset(): Error {
  return Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
}

const fast = (retries: number) => retryPolicy({ retries, baseMs: 1, maxMs: 5 });

describe("copy failures", () => {
  test("a failing blob aborts the whole copy; the destination keeps nothing of it", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["a", "b", "c", "d"], "v1");
    const bad = image.layers[2]!;
    const { target, fetched } = countingSource(src, (d) => (d.digest === bad.digest ? Promise.reject(new NotFoundError(`blob ${d.digest} not found`)) : undefined));
    const dst = new MemoryTarget("dst");
    const before = dst.put("already here", LAYER);
    await assert.rejects(copy(target, "v1", dst, "v1", { retry: fast(3) }), NotFoundError);
    assert.equal(fetched.filter((f) => f === bad.digest).length, 1, "a missing blob is not asked for again");
    assert.deepEqual([...dst.content.keys()], [before.digest], "only what was there before");
    assert.equal(dst.tagged.size, 0);
  });

  test("cancelling stops the copy with AbortedError and leaves nothing", async () => {
    const src = new MemoryTarget("src");
    imageOf(src, ["slow 1", "slow 2", "slow 3"], "v1");
    const controller = new AbortController();
    const { target } = countingSource(src, (d, options) => {
      if (d.mediaType !== LAYER) return undefined;
      controller.abort();
      return new Promise((_resolve, reject) => {
        if (options.signal?.aborted) reject(new Error("aborted"));
        options.signal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    });
    const dst = new MemoryTarget("dst");
    await assert.rejects(copy(target, "v1", dst, "v1", { signal: controller.signal, retry: fast(3) }), AbortedError);
    assert.equal(dst.content.size, 0);
  });

  test("a digest mismatch is never tried again", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["honest", "lied about"], "v1");
    const lied = image.layers[1]!;
    const { target, fetched } = countingSource(src, (d) => (d.digest === lied.digest ? Promise.resolve({ body: Readable.from([Buffer.from("layer: other bytes")]), offset: 0 }) : undefined));
    const dst = new MemoryTarget("dst");
    await assert.rejects(copy(target, "v1", dst, "v1", { retry: fast(4) }), DigestMismatchError);
    assert.equal(fetched.filter((f) => f.startsWith(lied.digest)).length, 1);
    assert.equal(dst.get(lied.digest), undefined);
    assert.equal(dst.content.size, 0, "the aborted copy removed the rest");
  });

  test("a transient failure is tried again, as often as the policy allows", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["flaky"], "v1");
    const flaky = image.layers[0]!;
    const failFirst = (times: number) => (d: Descriptor, _o: unknown, n: number) => (d.digest === flaky.digest && n <= times ? Promise.reject(reset()) : undefined);
    const two = countingSource(src, failFirst(2));
    const ok = await copy(two.target, "v1", new MemoryTarget("dst"), "v1", { retry: fast(2) });
    assert.deepEqual(ok.blobs, { transferred: 2 });
    assert.equal(two.fetched.filter((f) => f === flaky.digest).length, 3, "two failures, then the attempt that passed");
    const three = countingSource(src, failFirst(3));
    await assert.rejects(copy(three.target, "v1", new MemoryTarget("dst"), "v1", { retry: fast(2) }), /ECONNRESET/);
    assert.equal(three.fetched.filter((f) => f === flaky.digest).length, 3, "the first attempt and two more, then it gives up");
    const none = countingSource(src, failFirst(1));
    await assert.rejects(copy(none.target, "v1", new MemoryTarget("dst"), "v1", { retry: fast(0) }), /ECONNRESET/);
    assert.equal(none.fetched.filter((f) => f === flaky.digest).length, 1, "retries: 0 means one attempt");
  });

  test("a destination whose upload session lost track is tried again in a fresh one; one that refuses is not", async () => {
    const src = new MemoryTarget("src");
    const layer = imageOf(src, ["pushed twice"], "v1").layers[0]!;
    const pushes: string[] = [];
    class Flaky extends MemoryTarget {
      constructor(private readonly failure: () => Error) {
        super("flaky");
      }
      override async push(desc: Descriptor, open: () => Promise<Readable>): Promise<void> {
        pushes.push(desc.digest);
        if (desc.mediaType === LAYER && pushes.filter((d) => d === desc.digest).length === 1) {
          (await open()).destroy();
          throw this.failure();
        }
        return super.push(desc, open);
      }
    }
    const lost = new Flaky(() => new UploadSessionError("the registry acknowledged bytes up to 62, 63 were sent"));
    await copy(src, "v1", lost, "v1", { retry: fast(2) });
    assert.equal(pushes.length, 4, "config, layer twice, manifest");
    assert.equal(pushes.filter((d) => d === layer.digest).length, 2);
    pushes.length = 0;
    const refused = new Flaky(() => new UnauthorizedError("denied", { http: { status: 403, method: "PUT", url: "" } }));
    await assert.rejects(copy(src, "v1", refused, "v1", { retry: fast(2) }), UnauthorizedError);
    assert.equal(pushes.filter((d) => d === layer.digest).length, 1, "a refusal is final");
    pushes.length = 0;
    const broken = new Flaky(() => new OcidistError("a failure with no meaning for retries"));
    await assert.rejects(copy(src, "v1", broken, "v1", { retry: fast(2) }), /no meaning for retries/);
    assert.equal(pushes.filter((d) => d === layer.digest).length, 1, "only a lost session earns a fresh one");
  });

  test("a body cut mid-way is resumed from the byte reached", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["a layer long enough to be cut in two"], "v1");
    const layer = image.layers[0]!;
    const bytes = src.get(layer.digest)!;
    async function* cut(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 10);
      throw reset();
    }
    const { target, fetched } = countingSource(src, (d, o, n) => (d.digest === layer.digest && n === 1 && !o.offset ? Promise.resolve({ body: Readable.from(cut()), offset: 0 }) : undefined));
    const dst = new MemoryTarget("dst");
    await copy(target, "v1", dst, "v1", { retry: fast(1) });
    assert.deepEqual(dst.get(layer.digest), bytes);
    assert.deepEqual(fetched.filter((f) => f.startsWith(layer.digest)), [layer.digest, `${layer.digest}@10`]);
  });

  test("the memory target refuses wrong bytes and manifests whose children are missing", async () => {
    const t = new MemoryTarget("t");
    const desc = { mediaType: LAYER, digest: new MemoryTarget().put("right", LAYER).digest, size: 5 };
    await assert.rejects(t.push(desc, async () => Readable.from([Buffer.from("wrong")])), DigestMismatchError);
    assert.equal(await t.exists(desc), false);
    await assert.rejects(t.fetch(desc), (err) => err instanceof NotFoundError && err.http === undefined);
    const other = new MemoryTarget("other");
    const image = imageOf(other, ["x"]);
    await assert.rejects(t.push(image.manifest, async () => Readable.from([other.get(image.manifest.digest)!])), /not here/);
  });
});
