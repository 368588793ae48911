/** References: the distribution grammar, docker.io normalisation, clear errors; property tests. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { familiarName, formatReference, isLoopbackRegistry, parseReference, parseRepository, registryHost } from "../../src/model/reference.js";
import { InvalidReferenceError } from "../../src/model/errors.js";

const D = `sha256:${"a".repeat(64)}`;

test("real-world references parse", () => {
  assert.deepEqual(parseReference("alpine"), { registry: "docker.io", repository: "library/alpine", tag: "latest" });
  assert.deepEqual(parseReference("library/alpine:3.20"), { registry: "docker.io", repository: "library/alpine", tag: "3.20" });
  assert.deepEqual(parseReference("ghcr.io/homebrew/core/wget:1.24.5"), { registry: "ghcr.io", repository: "homebrew/core/wget", tag: "1.24.5" });
  assert.deepEqual(parseReference(`localhost:5000/a/b@${D}`), { registry: "localhost:5000", repository: "a/b", digest: D });
  assert.deepEqual(parseReference(`quay.io/a/b:c@${D}`), { registry: "quay.io", repository: "a/b", tag: "c", digest: D });
  assert.deepEqual(parseReference("[::1]:5000/x:y"), { registry: "[::1]:5000", repository: "x", tag: "y" });
  assert.deepEqual(parseReference("index.docker.io/user/repo"), { registry: "docker.io", repository: "user/repo", tag: "latest" });
  assert.deepEqual(parseReference("user/repo", { defaultTag: false }), { registry: "docker.io", repository: "user/repo" });
  assert.equal(registryHost("docker.io"), "registry-1.docker.io");
  assert.equal(registryHost("ghcr.io"), "ghcr.io");
  assert.equal(familiarName(parseReference("alpine:3")), "alpine:3");
  assert.equal(familiarName(parseReference("localhost:5000/x/y:z")), "localhost:5000/x/y:z");
  assert.ok(isLoopbackRegistry("127.0.0.5:80") && isLoopbackRegistry("localhost") && isLoopbackRegistry("[::1]:5000"));
  assert.ok(!isLoopbackRegistry("128.0.0.1:5000") && !isLoopbackRegistry("ghcr.io"));
  assert.ok(!isLoopbackRegistry("localhost.evil.com") && !isLoopbackRegistry("127.0.0.1.nip.io:5000") && !isLoopbackRegistry("a b"));
  assert.equal(parseReference("GHCR.io/x/y:1").registry, "ghcr.io", "registry hosts are case-insensitive");
  assert.equal(parseReference("registry-1.docker.io/x/y").registry, "docker.io");
  assert.equal(familiarName(parseReference("docker.io/my.org/x:1")), "docker.io/my.org/x:1", "a familiar name parses back to the same reference");
  assert.equal(familiarName(parseReference("docker.io/library/a/b:1")), "library/a/b:1");
});

test("malformed references are refused with what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["Alpine", /must be lowercase/],
    ["a//b", /empty path component/],
    [`x:${"t".repeat(129)}`, /longer than 128/],
    ["x@sha256:abc", /invalid sha256 digest/],
    ["x@md5:" + "a".repeat(32), /unsupported digest algorithm/],
    ["", /empty/],
    ["a/-b", /invalid path component/],
    ["a".repeat(64), /image ID/],
    ["localhost:0/x", /between 1 and 65535/],
    ["localhost:70000/x", /between 1 and 65535/],
    ["[::g]:5000/x", /invalid registry host/],
    ["[1::2::3]:5000/x", /invalid IPv6 address/],
    ["[1:2:3]/x", /invalid IPv6 address/],
    ["x@", /digest is empty/],
    ["x:", /tag is empty/],
    [`ghcr.io/${"a".repeat(250)}`, /longer than 255/],
  ];
  for (const [input, re] of cases) assert.throws(() => parseReference(input), (e: Error) => e instanceof InvalidReferenceError && re.test(e.message) && e.message.includes(JSON.stringify(input).slice(0, 20)), input);
  assert.throws(() => parseRepository("alpine:3"), /names a tag/);
});

const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/).filter((s) => s.length > 0 && s.length < 30);
const tagArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const hostArb = fc.oneof(fc.constant("ghcr.io"), fc.constant("localhost:5000"), fc.constant("registry.example.com:443"), fc.constant("127.0.0.1:5000"));

test("property: format(parse(x)) round-trips for valid references", () => {
  fc.assert(
    fc.property(hostArb, fc.array(component, { minLength: 1, maxLength: 4 }), fc.option(tagArb, { nil: undefined }), fc.option(fc.stringMatching(/^[a-f0-9]{64}$/), { nil: undefined }), (host, comps, tag, hex) => {
      const text = `${host}/${comps.join("/")}${tag ? `:${tag}` : ""}${hex ? `@sha256:${hex}` : ""}`;
      const ref = parseReference(text, { defaultTag: false });
      assert.equal(formatReference(ref), text);
      assert.deepEqual(parseReference(formatReference(ref), { defaultTag: false }), ref);
    }),
  );
});

test("property: arbitrary input either parses or throws InvalidReferenceError", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        const r = parseReference(s);
        assert.ok(r.repository.length > 0);
      } catch (e) {
        assert.ok(e instanceof InvalidReferenceError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});
