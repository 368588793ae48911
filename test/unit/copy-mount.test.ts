/**
 * `copy()` mounts blobs across repositories of one registry by itself (the in-process
 * hostile registry stands in for a registry that accepts pushes): a blob the registry mounts
 * is reported `mounted` and no byte of it moves; a mount the registry declines is cancelled
 * and the blob uploaded, reported `transferred`; other registries or clients are never asked.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { copy, MemoryTarget, parseReference, RegistryClient, RegistryTarget } from "../../src/index.js";
import { sha256, startHostile, type HostileRegistry } from "../hostile/registry.js";
import { imageOf } from "./memory-images.js";

let h: HostileRegistry;
let client: RegistryClient;
const local = new MemoryTarget("local");
const image = imageOf(local, ["mounted one", "mounted two"], "v1");
/** Whether the registry agrees to mount. */
let mounts = true;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

before(async () => {
  h = await startHostile();
  client = new RegistryClient({ retries: 0 });
  for (const d of [image.config, ...image.layers]) h.blob("a", local.get(d.digest)!);
  h.manifest("a", ["v1", image.manifest.digest], local.get(image.manifest.digest)!, image.manifest.mediaType);
  let uploads = 0;
  h.override("POST", /^\/v2\/[^/]+\/blobs\/uploads\/\?mount=/, (_req, res, url) => {
    const repo = url.pathname.split("/")[2]!;
    const digest = url.searchParams.get("mount")!;
    if (mounts) {
      h.blob(repo, local.get(digest)!);
      res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, "docker-content-digest": digest });
    } else {
      res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/m${uploads++}` });
    }
    res.end();
  });
  h.override("POST", /^\/v2\/[^/]+\/blobs\/uploads\/$/, (_req, res, url) => {
    res.writeHead(202, { location: `/v2/${url.pathname.split("/")[2]}/blobs/uploads/u${uploads++}` });
    res.end();
  });
  h.override("DELETE", /^\/v2\/[^/]+\/blobs\/uploads\//, (_req, res) => {
    res.writeHead(204);
    res.end();
  });
  h.override("PUT", /^\/v2\/[^/]+\/blobs\/uploads\//, (req, res, url) => {
    void bodyOf(req).then((bytes) => {
      const digest = h.blob(url.pathname.split("/")[2]!, bytes);
      res.writeHead(digest === url.searchParams.get("digest") ? 201 : 400);
      res.end();
    });
  });
  h.override("PUT", /^\/v2\/[^/]+\/manifests\//, (req, res, url) => {
    void bodyOf(req).then((bytes) => {
      const [, , repo, , ref] = url.pathname.split("/");
      h.manifest(repo!, [decodeURIComponent(ref!), sha256(bytes)], bytes, req.headers["content-type"]!);
      res.writeHead(201, { "docker-content-digest": sha256(bytes) });
      res.end();
    });
  });
});

after(async () => {
  await client.close();
  await h.close();
});

/** The requests seen since `from` whose method and path match. */
function seen(from: number, method: string, path: RegExp): string[] {
  return h.requests.slice(from).filter((r) => r.method === method && path.test(r.path)).map((r) => r.path);
}

describe("mounts within one registry", () => {
  test("blobs are mounted from the source repository, and no byte of them moves", async () => {
    mounts = true;
    const from = h.requests.length;
    const src = new RegistryTarget(client, parseReference(`${h.host}/a:v1`));
    const dst = new RegistryTarget(client, parseReference(`${h.host}/b:v1`));
    const result = await copy(src, "v1", dst, "v1");
    assert.deepEqual(result.blobs, { mounted: 3 }, "the config and both layers mounted");
    assert.equal(seen(from, "POST", /^\/v2\/b\/blobs\/uploads\/\?mount=.*&from=a$/).length, 3);
    assert.deepEqual(seen(from, "GET", /^\/v2\/a\/blobs\//), [], "no blob read from the source");
    assert.deepEqual(seen(from, "PUT", /blobs\/uploads/), [], "no blob uploaded");
    assert.equal(seen(from, "PUT", /^\/v2\/b\/manifests\/v1$/).length, 1);
  });

  test("a mount the registry declines is cancelled and the blob uploaded", async () => {
    mounts = false;
    const from = h.requests.length;
    const src = new RegistryTarget(client, parseReference(`${h.host}/a:v1`));
    const dst = new RegistryTarget(client, parseReference(`${h.host}/c:v1`));
    const result = await copy(src, "v1", dst, "v1");
    assert.deepEqual(result.blobs, { transferred: 3 });
    assert.equal(seen(from, "DELETE", /^\/v2\/c\/blobs\/uploads\/m\d+$/).length, 3, "each declined mount's session cancelled");
    assert.equal(seen(from, "PUT", /^\/v2\/c\/blobs\/uploads\/u\d+\?digest=/).length, 3);
  });

  test("another client, or a destination that is not a registry, is never asked to mount", async () => {
    mounts = true;
    const other = new RegistryClient({ retries: 0 });
    try {
      const from = h.requests.length;
      const src = new RegistryTarget(other, parseReference(`${h.host}/a:v1`));
      const dst = new RegistryTarget(client, parseReference(`${h.host}/d:v1`));
      assert.deepEqual((await copy(src, "v1", dst, "v1")).blobs, { transferred: 3 });
      assert.deepEqual(seen(from, "POST", /mount=/), []);
      assert.deepEqual((await copy(src, "v1", new MemoryTarget("m"), "v1")).blobs, { transferred: 3 });
    } finally {
      await other.close();
    }
  });
});
