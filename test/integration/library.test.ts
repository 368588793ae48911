/** The README's library example, through the public entry point, against the real registry. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DockerConfigStore, RegistryClient, RegistryTarget, copy, inspect, listTags, openLocalSink, parsePlatform, parseReference, verifyLocation, openLocalSource, NotFoundError, BlobCache, exportImage, imageConfig } from "../../src/index.js";
import { getRig } from "../rig/shared.js";
import { seed } from "../rig/fixtures.js";
import { tempDir } from "../helpers/cli.js";

test("the documented library calls work end to end", async () => {
  const rig = await getRig();
  const s = await seed(rig, rig.registries.open, "lib", false);
  const home = tempDir();
  const client = new RegistryClient({ credentials: await DockerConfigStore.load(join(home, ".docker")) });
  try {
    const ref = parseReference(`${rig.registries.open.host}/${s.repos.multi}:v1`);
    assert.deepEqual(await listTags(client, ref), ["v1"]);
    const source = new RegistryTarget(client, ref);
    const info = await inspect(source, ref.tag, parsePlatform("linux/arm64"));
    assert.equal(info.digest, s.multi.index.digest);
    assert.equal(info.image?.digest, s.multi.images[1]!.manifest.digest);
    const out = join(home, "img.tar");
    const sink = await openLocalSink({ kind: "docker-archive", path: out });
    const result = await copy(source, ref.tag, sink, "example/app:1", { platform: parsePlatform("linux/amd64") });
    assert.equal(result.root.digest, s.multi.images[0]!.manifest.digest);
    const report = await verifyLocation(await openLocalSource({ kind: "docker-archive", path: out }));
    assert.equal(report.ok, true);
    assert.deepEqual(report.images.map((i) => i.name), ["docker.io/example/app:1"]);
    await assert.rejects(inspect(source, "missing", undefined), NotFoundError);
    // The same reads over the archive just written.
    const archive = await openLocalSource({ kind: "docker-archive", path: out });
    assert.equal((await inspect(archive, undefined, undefined)).digest, s.multi.images[0]!.manifest.digest);
    assert.deepEqual(await imageConfig(archive, "example/app:1", parsePlatform("linux/amd64")), { bytes: s.multi.images[0]!.config.bytes });
    const rootfs = join(home, "rootfs");
    const exported = await exportImage(archive, undefined, parsePlatform("linux/amd64"), rootfs, { cache: new BlobCache(join(home, "cache")) });
    assert.equal(exported.digest, s.multi.images[0]!.manifest.digest);
    assert.equal(readFileSync(join(rootfs, "arch"), "utf8"), "amd64\n");
    await archive.close?.();
  } finally {
    await client.close();
  }
});
