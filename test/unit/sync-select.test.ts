/** Tag selection: lists, regex, semver ranges as npm reads them, latest N by version else by the registry's order. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { selectTags, tagVersion } from "../../src/sync/select.js";

const tags = ["latest", "1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1", "2.0.0", "v2.1.0", "3.19", "edge", "1.2.0-alpine"];

test("a list is taken as given", () => {
  assert.deepEqual(selectTags({ kind: "list", tags: ["x", "y"] }, tags), ["x", "y"]);
});

test("no filter selects every tag, once, in the registry's order", () => {
  assert.deepEqual(selectTags({ kind: "filter" }, [...tags, "edge"]), tags);
});

test("a regex matches anywhere in the tag, as skopeo matches", () => {
  assert.deepEqual(selectTags({ kind: "filter", regex: /alpine/u }, tags), ["1.2.0-alpine"]);
  assert.deepEqual(selectTags({ kind: "filter", regex: /^1\./u }, tags), ["1.0.0", "1.2.0", "1.10.0", "1.2.0-alpine"]);
});

test("semver ranges read as npm reads them; prereleases only when named", () => {
  assert.deepEqual(selectTags({ kind: "filter", semver: ">=1.2 <2" }, tags), ["1.2.0", "1.10.0"]);
  assert.deepEqual(selectTags({ kind: "filter", semver: "^2" }, tags), ["2.0.0", "v2.1.0"]);
  assert.deepEqual(selectTags({ kind: "filter", semver: ">=2.0.0-rc.0 <2.0.0" }, tags), ["2.0.0-rc.1"]);
  assert.deepEqual(selectTags({ kind: "filter", semver: "3.x" }, tags), ["3.19"], "a two-number tag reads as 3.19.0");
  assert.equal(tagVersion("edge"), undefined);
  assert.equal(tagVersion("1.2.0-alpine")?.prerelease[0], "alpine");
});

test("latest N: the newest by version, else the registry's last N", () => {
  assert.deepEqual(selectTags({ kind: "filter", latest: 2 }, tags), ["v2.1.0", "3.19"]);
  assert.deepEqual(selectTags({ kind: "filter", semver: "1.x", latest: 2 }, tags), ["1.2.0", "1.10.0"]);
  assert.deepEqual(selectTags({ kind: "filter", latest: 2 }, ["b", "a", "c"]), ["a", "c"]);
  assert.deepEqual(selectTags({ kind: "filter", regex: /^1/u, latest: 5 }, tags), ["1.0.0", "1.2.0", "1.10.0", "1.2.0-alpine"]);
});
