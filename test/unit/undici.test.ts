/**
 * The transport loads undici's agents without its entry point (start-up time). This fails
 * when an undici upgrade moves those files, so that the silent fallback is noticed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadUndici } from "../../src/http/undici.js";

test("undici's agents load directly, with the request API on them", () => {
  const undici = loadUndici();
  assert.equal(undici.direct, true);
  assert.equal(typeof undici.ProxyAgent, "function");
  const agent = new undici.Agent();
  assert.equal(typeof agent.request, "function");
  assert.equal(typeof agent.connect, "function");
  void agent.close();
});
