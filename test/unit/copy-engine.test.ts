/**
 * The copy engine against the in-memory target, in-process: hooks fire around each node
 * (children before parents), what exists is skipped, a skipped node is left out, blobs go
 * through a cache when one is given, and an aborted copy leaves the destination as it was.
 */
import assert from "node:assert/strict";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Readable } from "node:stream";
import { BlobCache, chooseStrategy, copy, MemoryTarget, retryPolicy, type BlobOutcome, type Descriptor } from "../../src/index.js";
import { countingSource, indexOf, imageOf, LAYER } from "./memory-images.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("copy into a memory target", () => {
  test("an index and its images arrive; hooks fire pre before post, children before parents, each node once", async () => {
    const src = new MemoryTarget("src");
    const a = imageOf(src, ["shared", "a"]);
    const b = imageOf(src, ["shared", "b"]);
    const top = indexOf(src, [a.manifest, b.manifest], "v1");
    const dst = new MemoryTarget("dst");
    const events: string[] = [];
    const result = await copy(src, "v1", dst, "v1", {
      hooks: {
        preCopy: (d) => void events.push(`pre ${d.digest}`),
        postCopy: (d, how) => void events.push(`post ${d.digest} ${how}`),
      },
    });
    assert.equal(result.root.digest, top.digest);
    assert.equal((await dst.resolve("v1")).digest, top.digest);
    for (const [digest, stored] of src.content) assert.deepEqual(dst.get(digest), stored.bytes, `${digest} copied`);
    const post = (d: Descriptor) => events.findIndex((e) => e.startsWith(`post ${d.digest}`));
    const pre = (d: Descriptor) => events.indexOf(`pre ${d.digest}`);
    for (const image of [a, b]) {
      for (const child of [image.config, ...image.layers]) {
        assert.ok(post(child) >= 0 && post(child) < post(image.manifest), "a blob is done before its manifest");
        assert.ok(pre(child) < post(child));
      }
      assert.ok(pre(image.manifest) < pre(image.config), "a manifest is announced before its children");
      assert.ok(post(image.manifest) < post(top), "an image is done before its index");
    }
    assert.equal(pre(top), 0);
    assert.equal(events.filter((e) => e.startsWith("post ")).length, src.content.size, "every node once (the shared layer too)");
    assert.equal(events.filter((e) => e.startsWith("post ") && !e.endsWith(" transferred")).length, 0);
    assert.deepEqual(result.blobs, { transferred: 5 }, "two configs, three distinct layers");
  });

  test("what the destination has is not read again; a manifest it has comes with its subtree", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["one", "two"], "v1");
    const dst = new MemoryTarget("dst");
    dst.put(src.get(image.layers[0]!.digest)!, LAYER);
    const { target, fetched } = countingSource(src);
    const first = await copy(target, "v1", dst, "v1");
    assert.deepEqual(first.blobs, { exists: 1, transferred: 2 });
    assert.ok(!fetched.includes(image.layers[0]!.digest), "the layer already there was not fetched");
    fetched.length = 0;
    const outcomes: [string, BlobOutcome][] = [];
    const again = await copy(target, "v1", dst, "v1", { hooks: { postCopy: (d, how) => void outcomes.push([d.digest, how]) } });
    assert.deepEqual(outcomes, [[image.manifest.digest, "exists"]], "only the manifest is looked at");
    assert.deepEqual(again.blobs, {});
    assert.deepEqual(fetched, [image.manifest.digest], "only the top manifest was read");
  });

  test("preCopy can skip a node: not fetched, no postCopy", async () => {
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["kept", "elsewhere"], "v1");
    const dst = new MemoryTarget("dst");
    const skipped = image.layers[1]!;
    // The destination has the layer under a name the copy cannot see; the caller knows.
    dst.content.set(skipped.digest, { bytes: src.get(skipped.digest)!, mediaType: LAYER });
    const { target, fetched } = countingSource(src);
    const done: string[] = [];
    await copy(target, "v1", dst, undefined, {
      hooks: { preCopy: (d) => (d.digest === skipped.digest ? "skip" : undefined), postCopy: (d) => void done.push(d.digest) },
    });
    assert.ok(!fetched.includes(skipped.digest));
    assert.ok(!done.includes(skipped.digest));
    assert.ok(done.includes(image.manifest.digest));
  });

  test("with a cache, blobs stream into cache and destination at once; a second copy takes them from the cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocidist-engine-cache-"));
    dirs.push(dir);
    const cache = new BlobCache(dir);
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["cached layer"], "v1");
    assert.equal(chooseStrategy(src, new MemoryTarget(), cache).route(image.layers[0]!), "tee");
    assert.equal(chooseStrategy(src, new MemoryTarget(), undefined).route(image.layers[0]!), "stream");
    const first = await copy(src, "v1", new MemoryTarget("one"), "v1", { cache });
    assert.deepEqual(first.blobs, { transferred: 2 });
    assert.ok(await cache.has(image.layers[0]!));
    const { target, fetched } = countingSource(src);
    const second = await copy(target, "v1", new MemoryTarget("two"), "v1", { cache });
    assert.deepEqual(second.blobs, { cached: 2 });
    assert.deepEqual(fetched, [image.manifest.digest], "no blob read from the source");
  });

  test("a copy cut off mid-blob leaves a partial download in the cache; the next copy resumes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocidist-engine-resume-"));
    dirs.push(dir);
    const cache = new BlobCache(dir);
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["a layer cut after its tenth byte"], "v1");
    const layer = image.layers[0]!;
    async function* cut(): AsyncGenerator<Buffer> {
      yield src.get(layer.digest)!.subarray(0, 10);
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    }
    const broken = countingSource(src, (d) => (d.digest === layer.digest ? Promise.resolve({ body: Readable.from(cut()), offset: 0 }) : undefined));
    const dst = new MemoryTarget("dst");
    await assert.rejects(copy(broken.target, "v1", dst, "v1", { cache, retry: retryPolicy({ retries: 0 }) }), /ECONNRESET/);
    assert.equal(dst.content.size, 0);
    const healthy = countingSource(src);
    const done = await copy(healthy.target, "v1", dst, "v1", { cache });
    assert.equal(done.blobs.resumed, 1);
    assert.ok(healthy.fetched.includes(`${layer.digest}@10`), "the download went on from byte 10");
    assert.deepEqual(dst.get(layer.digest), src.get(layer.digest));
  });

  test("a destination that takes files gets the cached file handed over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocidist-engine-file-"));
    dirs.push(dir);
    const cache = new BlobCache(dir);
    const src = new MemoryTarget("src");
    const image = imageOf(src, ["as a file"], "v1");
    const files: string[] = [];
    class FileTarget extends MemoryTarget {
      override readonly accepts = "file";
      async pushFile(desc: Descriptor, path: string): Promise<void> {
        files.push(path);
        await this.push(desc, async () => createReadStream(path));
      }
    }
    const dst = new FileTarget("files");
    assert.equal(chooseStrategy(src, dst, cache).route(image.layers[0]!), "staged-file");
    await copy(src, "v1", dst, "v1", { cache });
    assert.deepEqual(files.sort(), [cache.path(image.config.digest), cache.path(image.layers[0]!.digest)].sort());
  });
});

describe("referrers in a copy", () => {
  test("a referrer whose subject names the image is copied; one the source lists falsely is refused", async () => {
    const src = new MemoryTarget("src");
    const img = imageOf(src, ["app"], "v1");
    const other = imageOf(src, ["other"]);
    const sig = (subject: Descriptor) =>
      src.put(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: "application/example", config: img.config, layers: [], subject }), "application/vnd.oci.image.manifest.v1+json");
    const genuine = sig(img.manifest);
    const dst = new MemoryTarget("dst");
    const result = await copy(src, "v1", dst, "v1", { referrers: true });
    assert.equal(result.referrers, 1);
    assert.ok(await dst.exists(genuine));

    // A source that lists, as a referrer of the image, a manifest whose subject is another image.
    const stray = sig(other.manifest);
    const lying = Object.assign(Object.create(src) as MemoryTarget, {
      referrers: async (d: Descriptor) => (d.digest === img.manifest.digest ? [genuine, stray] : []),
    });
    const dst2 = new MemoryTarget("dst2");
    await assert.rejects(copy(lying, "v1", dst2, "v1", { referrers: true }), (err: Error) => {
      assert.match(err.message, new RegExp(`lists ${stray.digest} as a referrer of ${img.manifest.digest}, but its subject is ${other.manifest.digest}`));
      return true;
    });
    assert.equal(await dst2.exists(stray), false);
  });
});
