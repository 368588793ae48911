/**
 * The one validator for names from content that become paths: plain names pass as they are;
 * anything that could climb out, hide a separator or carry control characters is refused.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { plainFileName, plainNameProblem, safeRelativePath } from "../../src/util/safe-name.js";

test("plain file names pass unchanged", () => {
  for (const n of ["wget--1.24.5.arm64_sonoma.bottle.tar.gz", "sha256-abc", "..hidden", "a..b", "naïve.txt", "x".repeat(255)]) assert.equal(plainFileName(n, "name"), n);
});

test("names that are not plain are refused with the source named", () => {
  for (const n of ["", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "a\0b", "a\nb", "\x1b[31m", "a\u009bb", "x".repeat(256), "é".repeat(128)]) {
    assert.ok(plainNameProblem(n), JSON.stringify(n));
    assert.throws(() => plainFileName(n, "the ref name"), /refusing the ref name .*not a plain file name/);
  }
  assert.ok(plainNameProblem(42));
});

test("relative paths are made of plain names only", () => {
  assert.equal(safeRelativePath("blobs/sha256/abc", "p"), "blobs/sha256/abc");
  for (const p of ["", "/blobs", "blobs/../x", "blobs//x", "blobs/./x", "blobs/", "..", "a\\..\\b"]) assert.throws(() => safeRelativePath(p, "p"), /refusing p/);
});
