/**
 * The one proxy decision (http/proxy-env.ts): --proxy over the environment, the variable for
 * the scheme over ALL_PROXY, NO_PROXY forms, and proxy URLs that are refused.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { UsageError } from "../../src/model/errors.js";
import { parseProxyUrl, proxyFor } from "../../src/http/proxy-env.js";

const NAMES = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"];
afterEach(() => {
  for (const n of NAMES) {
    delete process.env[n];
    delete process.env[n.toLowerCase()];
  }
});

const via = (url: string) => proxyFor(new URL(url))?.href;

test("the scheme's variable wins over ALL_PROXY; lower case works; --proxy wins over all", () => {
  process.env.ALL_PROXY = "socks5://127.0.0.1:9050";
  assert.equal(via("https://r.example/v2/"), "socks5://127.0.0.1:9050");
  process.env.https_proxy = "http://p.example:3128";
  assert.equal(via("https://r.example/v2/"), "http://p.example:3128/");
  assert.equal(via("http://r.example/v2/"), "socks5://127.0.0.1:9050", "http URLs still take ALL_PROXY");
  assert.equal(proxyFor(new URL("https://r.example/"), new URL("http://explicit:1"))?.href, "http://explicit:1/");
});

test("NO_PROXY: *, exact host, .suffix, *.suffix, host:port, IPv6", () => {
  process.env.HTTPS_PROXY = "http://p.example:3128";
  process.env.NO_PROXY = "internal.example, .corp.example,*.lab.example, r.example:5000, [::1]";
  assert.equal(via("https://internal.example/"), undefined);
  assert.equal(via("https://a.internal.example/"), undefined, "a bare name covers its subdomains, as curl does");
  assert.equal(via("https://x.corp.example/"), undefined);
  assert.equal(via("https://y.lab.example/"), undefined);
  assert.equal(via("https://r.example:5000/"), undefined);
  assert.ok(via("https://r.example/"), "another port of a host:port entry is proxied");
  assert.equal(via("https://[::1]:5000/"), undefined);
  assert.ok(via("https://notinternal.example/"), "a suffix match is at a dot");
  process.env.NO_PROXY = "*";
  assert.equal(via("https://anything.example/"), undefined);
});

test("a proxy URL that is not one is a usage error naming where it came from", () => {
  for (const bad of ["notaurl", "ftp://p.example:21", "http://"]) {
    assert.throws(() => parseProxyUrl(bad, "HTTPS_PROXY"), (err: Error) => err instanceof UsageError && err.message.startsWith("HTTPS_PROXY:"));
  }
  process.env.HTTPS_PROXY = "notaurl";
  assert.throws(() => via("https://r.example/"), UsageError);
  for (const ok of ["socks5h://127.0.0.1:9050", "https://user:pw@p.example", "socks://h:1"]) assert.ok(parseProxyUrl(ok));
});
