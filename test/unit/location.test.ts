/** The LOCATION grammar of CLI.md: where a path ends, a tag or reference begins, and a digest is split off. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidDigestError, UsageError } from "../../src/model/errors.js";
import { parseLocation } from "../../src/targets/local.js";

const D = `sha256:${"a".repeat(64)}`;

test("parseLocation splits @DIGEST off the end before the first colon splits path from tag", () => {
  assert.deepEqual(parseLocation(`oci:dir@${D}`), { kind: "oci", path: "dir", ref: D, digest: D });
  assert.deepEqual(parseLocation(`oci-archive:/tmp/a.tar@${D}`), { kind: "oci-archive", path: "/tmp/a.tar", ref: D, digest: D });
  assert.deepEqual(parseLocation("oci:dir:v1"), { kind: "oci", path: "dir", ref: "v1" });
  assert.deepEqual(parseLocation("oci:dir"), { kind: "oci", path: "dir" });
  // A digest given with a tag wins (as in a REF).
  assert.deepEqual(parseLocation(`oci:dir:v1@${D}`), { kind: "oci", path: "dir", ref: D, digest: D });
  assert.deepEqual(parseLocation("docker-archive:out.tar:localhost:5000/a:b"), { kind: "docker-archive", path: "out.tar", ref: "localhost:5000/a:b" });
  assert.deepEqual(parseLocation(`docker-archive:out.tar@${D}`), { kind: "docker-archive", path: "out.tar", ref: D, digest: D });
  // An @ inside a path is part of it.
  assert.deepEqual(parseLocation("oci:/srv/a@b/dir:v1"), { kind: "oci", path: "/srv/a@b/dir", ref: "v1" });
  assert.deepEqual(parseLocation(`docker://host/repo@${D}`), { kind: "registry", ref: `host/repo@${D}` });
  assert.deepEqual(parseLocation("alpine:3.20"), { kind: "registry", ref: "alpine:3.20" });
});

test("parseLocation refuses a malformed digest and a missing path", () => {
  assert.throws(() => parseLocation("oci:dir@sha256:abc"), InvalidDigestError);
  assert.throws(() => parseLocation(`oci:@${D}`), UsageError);
  assert.throws(() => parseLocation("oci-archive:"), UsageError);
});
