/** Challenges, scopes, Link headers, platforms, Retry-After, redaction; with property tests. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseChallenges, preferredChallenge } from "../../src/auth/challenge.js";
import { formatScope, mergeScopes, parseScope } from "../../src/auth/scope.js";
import { nextLink, parseLinks } from "../../src/http/link.js";
import { formatPlatform, isAttestation, parsePlatform, platformMatches, selectPlatform } from "../../src/model/platform.js";
import { parseRetryAfter } from "../../src/http/retry.js";
import { redactHeaders, redactUrl } from "../../src/http/redact.js";
import { UsageError } from "../../src/model/errors.js";

test("WWW-Authenticate: several challenges, quoting, case", () => {
  const chs = parseChallenges('Basic realm="x", BEARER realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push" , error="insufficient_scope"');
  assert.equal(chs.length, 2);
  assert.deepEqual(chs[1], { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/alpine:pull,push", error: "insufficient_scope" } });
  assert.equal(preferredChallenge(chs)?.scheme, "bearer");
  assert.deepEqual(parseChallenges('Bearer realm="a\\"b"')[0]!.params.realm, 'a"b');
  assert.deepEqual(parseChallenges(["Basic realm=plain", "Negotiate"]).map((c) => c.scheme), ["basic", "negotiate"]);
  assert.equal(preferredChallenge(parseChallenges("Negotiate abc==")), undefined);
});

test("property: generated challenges parse back; garbage never throws", () => {
  const token = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
  const value = fc.string({ maxLength: 30 }).filter((v) => !/[\\"\u0000-\u001f]/.test(v));
  fc.assert(
    fc.property(token, fc.dictionary(token, value, { maxKeys: 5 }), fc.constantFrom(" ", "", "  "), (scheme, params, ws) => {
      const header = `${scheme} ${Object.entries(params).map(([k, v]) => `${k}${ws}=${ws}"${v}"`).join(`,${ws}`)}`;
      const [c] = parseChallenges(header);
      assert.equal(c!.scheme, scheme);
      assert.deepEqual(c!.params, Object.fromEntries(Object.entries(params)));
    }),
  );
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void parseChallenges(s)), { numRuns: 2000 });
});

test("scopes: names with host:port, merging", () => {
  assert.deepEqual(parseScope("repository:localhost:5000/a/b:pull,push"), { type: "repository", name: "localhost:5000/a/b", actions: ["pull", "push"] });
  assert.equal(formatScope({ type: "registry", name: "catalog", actions: ["*"] }), "registry:catalog:*");
  assert.deepEqual(mergeScopes([parseScope("repository:a:pull"), parseScope("repository:a:push,pull"), parseScope("repository:b:pull")]).map(formatScope), ["repository:a:pull,push", "repository:b:pull"]);
  fc.assert(fc.property(fc.stringMatching(/^[a-z0-9:/._-]{1,40}$/), fc.subarray(["pull", "push", "delete"], { minLength: 1 }), (name, actions) => {
    assert.deepEqual(parseScope(formatScope({ type: "repository", name, actions })), { type: "repository", name, actions });
  }));
});

test("Link: relative next resolved against the request; garbage never throws", () => {
  assert.equal(nextLink('</v2/x/tags/list?last=b&n=2>; rel="next"', "http://h:5000/v2/x/tags/list?n=2"), "http://h:5000/v2/x/tags/list?last=b&n=2");
  assert.equal(nextLink('<https://o/x>; rel="prev"', "http://h/"), undefined);
  assert.equal(parseLinks('<a>; rel=next, <b>; rel="prev"').length, 2);
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void nextLink(s, "http://h/")), { numRuns: 2000 });
});

test("platforms: parse, normalise, match exactly, os.version prefix, attestations skipped", () => {
  assert.deepEqual(parsePlatform("linux/aarch64"), { os: "linux", architecture: "arm64" });
  assert.deepEqual(parsePlatform("linux/arm64/v8"), { os: "linux", architecture: "arm64" });
  assert.deepEqual(parsePlatform("Linux/x86_64"), { os: "linux", architecture: "amd64" });
  assert.deepEqual(parsePlatform("linux/armhf"), { os: "linux", architecture: "arm", variant: "v7" });
  assert.deepEqual(parsePlatform("darwin/amd64:macOS 11"), { os: "darwin", architecture: "amd64", "os.version": "macOS 11" });
  assert.throws(() => parsePlatform("linux"), UsageError);
  assert.ok(platformMatches(parsePlatform("linux/arm"), { os: "linux", architecture: "arm", variant: "v7" }));
  assert.ok(!platformMatches(parsePlatform("linux/arm/v6"), { os: "linux", architecture: "arm", variant: "v7" }));
  assert.ok(!platformMatches(parsePlatform("linux/amd64"), { os: "linux", architecture: "386" }));
  assert.ok(platformMatches(parsePlatform("darwin/arm64:macOS 14"), { os: "darwin", architecture: "arm64", "os.version": "macOS 14.2" }));
  const att = { mediaType: "m", digest: "d", size: 1, platform: { os: "unknown", architecture: "unknown" } };
  const amd = { mediaType: "m", digest: "e", size: 1, platform: { os: "linux", architecture: "amd64" } };
  assert.ok(isAttestation(att));
  assert.equal(selectPlatform([att, amd], parsePlatform("linux/amd64")), amd);
  const p = fc.record({ os: fc.constantFrom("linux", "windows", "darwin"), architecture: fc.constantFrom("amd64", "arm64", "arm", "386", "s390x"), variant: fc.constantFrom(undefined, "v6", "v7") });
  fc.assert(fc.property(p, (pl) => {
    const text = formatPlatform({ os: pl.os, architecture: pl.architecture, ...(pl.variant ? { variant: pl.variant } : {}) });
    assert.deepEqual(parsePlatform(formatPlatform(parsePlatform(text))), parsePlatform(text));
  }));
});

test("Retry-After in seconds and as an HTTP date; redaction", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(redactUrl("https://u:p@cdn.example/blob?X-Amz-Signature=abc&n=5"), "https://cdn.example/blob?X-Amz-Signature=REDACTED&n=5");
  assert.equal(redactUrl("https://hub.example/v2/repositories/library/?page=2&page_size=100&token=s3cret"), "https://hub.example/v2/repositories/library/?page=2&page_size=100&token=REDACTED");
  assert.deepEqual(redactHeaders({ Authorization: "Bearer abc.def", accept: "x" }), { Authorization: "Bearer REDACTED", accept: "x" });
});

test("Docker Hub rate-limit headers", async () => {
  const { parseRateLimitHeader } = await import("../../src/registry/ratelimit.js");
  assert.deepEqual(parseRateLimitHeader("100;w=21600"), { count: 100, window: 21600 });
  assert.deepEqual(parseRateLimitHeader("76;w=21600"), { count: 76, window: 21600 });
  assert.deepEqual(parseRateLimitHeader(undefined), {});
});

test("network errors in words: DNS, refused connections, proxies, certificates", async () => {
  const { describeNetworkError } = await import("../../src/http/network-errors.js");
  const err = (code: string) => Object.assign(new Error(code), { code });
  assert.match(describeNetworkError(err("ENOTFOUND"), { url: "https://registry-1.docker.io/v2/" })!, /^cannot resolve host registry-1\.docker\.io/);
  assert.match(describeNetworkError({ cause: err("EAI_AGAIN") }, { url: "https://ghcr.io/v2/" })!, /^cannot resolve host ghcr\.io/);
  assert.equal(describeNetworkError(err("ECONNREFUSED"), { url: "https://ghcr.io/v2/", proxy: "http://proxy.local:3128" }), "cannot connect to proxy proxy.local:3128 (connection refused)");
  assert.match(describeNetworkError(err("SELF_SIGNED_CERT_IN_CHAIN"), { url: "https://reg.local:5000/v2/" })!, /TLS certificate of reg\.local:5000 is not trusted/);
  assert.equal(describeNetworkError(err("EWHATEVER"), { url: "https://x/" }), undefined);
});
