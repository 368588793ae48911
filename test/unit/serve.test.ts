/** The pure parts of `ocidist serve`: repository names, references, Range, --address, htpasswd. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { parseRange } from "../../src/serve/blobs.js";
import { parseAddress, urlOf } from "../../src/serve/address.js";
import { Htpasswd } from "../../src/serve/auth.js";
import { ServeError } from "../../src/serve/errors.js";
import { checkDigest, parseManifestRef, repositoryNameProblem } from "../../src/serve/names.js";
import { OcidistError, UsageError } from "../../src/model/errors.js";
import { onPath } from "../helpers/tools.js";

test("repository names: the spec's grammar, nothing that leaves DIR or lands in a blob store", () => {
  for (const ok of ["a", "library/alpine", "a/b/c", "x-y__z.w", "blobs", "a0/b1"]) assert.equal(repositoryNameProblem(ok), undefined, ok);
  for (const bad of ["", "..", "a/..", "../a", "A", "a//b", "/a", "a/", ".uploads", "a/.x", "a/blobs", "a/blobs/sha256", "a\\b", "a%2fb", "a".repeat(256)]) {
    assert.ok(repositoryNameProblem(bad), bad);
  }
});

test("property: a valid name's components are plain lowercase words", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      if (repositoryNameProblem(s) === undefined) for (const p of s.split("/")) assert.match(p, /^[a-z0-9][a-z0-9._-]*$/);
    }),
  );
});

test("manifest references and digests", () => {
  assert.deepEqual(parseManifestRef("v1.0"), { tag: "v1.0" });
  const d = `sha256:${"a".repeat(64)}`;
  assert.deepEqual(parseManifestRef(d), { digest: d });
  for (const bad of ["-x", "sha256:abc", `sha256:${"A".repeat(64)}`, "a".repeat(129)]) assert.throws(() => parseManifestRef(bad), ServeError);
  assert.throws(() => checkDigest("sha256:../../etc/passwd"), (e: unknown) => e instanceof ServeError && e.code === "DIGEST_INVALID");
  assert.throws(() => checkDigest(null), ServeError);
});

test("Range: one range, suffixes, clamping; unsatisfiable is 416 with the size", () => {
  assert.equal(parseRange(undefined, 10), undefined);
  assert.deepEqual(parseRange("bytes=0-4", 10), { start: 0, end: 4 });
  assert.deepEqual(parseRange("bytes=5-", 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=8-100", 10), { start: 8, end: 9 });
  for (const bad of ["bytes=10-", "bytes=5-2", "bytes=-", "items=0-1", "bytes=0-1,3-4"]) {
    assert.throws(
      () => parseRange(bad, 10),
      (e: unknown) => e instanceof ServeError && e.status === 416 && e.headers["Content-Range"] === "bytes */10",
      bad,
    );
  }
});

test("--address", () => {
  assert.deepEqual(parseAddress("127.0.0.1:5000"), { host: "127.0.0.1", port: 5000 });
  assert.deepEqual(parseAddress(":80"), { host: "0.0.0.0", port: 80 });
  assert.deepEqual(parseAddress("[::1]:5000"), { host: "::1", port: 5000 });
  for (const bad of ["5000", "host", "h:99999", "h:-1", "[::1]5000"]) assert.throws(() => parseAddress(bad), UsageError, bad);
  assert.equal(urlOf(true, "::1", 443), "https://[::1]:443");
  assert.equal(urlOf(false, "0.0.0.0", 5000), "http://127.0.0.1:5000");
});

test("htpasswd: bcrypt entries as htpasswd -B writes them; anything else refused", { skip: !onPath("htpasswd") && "htpasswd not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ocidist-htpasswd-"));
  const file = join(dir, "htpasswd");
  writeFileSync(file, `# users\n${execFileSync("htpasswd", ["-Bbn", "alice", "s3cret:with:colons"]).toString().trim()}\n`);
  const h = await Htpasswd.load(file);
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
  assert.equal(await h.check(basic("alice", "s3cret:with:colons")), "alice");
  assert.equal(await h.check(basic("alice", "s3cret:with:colons")), "alice", "remembered");
  for (const bad of [undefined, "Bearer x", basic("alice", "wrong"), basic("bob", "s3cret:with:colons"), "Basic !!!"]) {
    await assert.rejects(h.check(bad), (e: unknown) => e instanceof ServeError && e.status === 401 && /^Basic realm=/.test(e.headers["WWW-Authenticate"] ?? ""));
  }
  writeFileSync(file, execFileSync("htpasswd", ["-mbn", "alice", "x"]));
  await assert.rejects(Htpasswd.load(file), OcidistError);
  writeFileSync(file, "");
  await assert.rejects(Htpasswd.load(file), /no users/);
});
