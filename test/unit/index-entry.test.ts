/** An index's entries must be typed as manifests or indexes (validateIndexEntry), in any index parsed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseManifest } from "../../src/model/manifest.js";

const digest = `sha256:${"a".repeat(64)}`;
const index = (mediaType: string) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ mediaType, digest, size: 2 }] }));

test("index entries typed as a manifest or index of either family are read", () => {
  for (const t of [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
  ]) {
    assert.equal(parseManifest(index(t)).kind, "index", t);
  }
});

test("index entries of a type known to name something else are refused, naming the entry and its type", () => {
  for (const t of ["application/vnd.oci.descriptor.v1+json", "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.container.image.v1+json"]) {
    assert.throws(() => parseManifest(index(t)), (err: Error) => err.name === "InvalidManifestError" && err.message.includes("manifests[0]") && err.message.includes(t), t);
  }
});

test("index entries of an unknown type are read (image-index spec: MUST NOT error on an unknown mediaType)", () => {
  for (const t of ["application/vnd.example.thing.v1+json", "application/vnd.oci.artifact.manifest.v1+json"]) assert.equal(parseManifest(index(t)).kind, "index", t);
});
