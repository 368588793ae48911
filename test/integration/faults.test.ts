/** The fault-injection suite as a test: 0 corrupt outputs, every transient fault survived, every fatal one failed cleanly. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { renderTable, runFaultSuite } from "../faults/suite.js";

// The three are independent (own proxies, own repositories, the last its own rig), so they run at once.
describe("faults", { concurrency: true }, () => {
  test("fault injection: no corrupt output, transient faults survived, fatal faults failed cleanly", { timeout: 600_000 }, async () => {
    // A line per fault as it is done, so that the longest test of the suite is not silent.
    const rows = await runFaultSuite(await getRig(), (line) => console.log(line));
    console.log(`\n${renderTable(rows)}\n`);
    for (const r of rows) {
      assert.equal(r.corrupt, 0, `${r.fault}: ${r.details.join("; ")}`);
      if (r.transient) assert.equal(r.failedCleanly, 0, `${r.fault} was not survived: ${r.details.join("; ")}`);
      else assert.equal(r.survived, 0, `${r.fault} is fatal but was accepted: ${r.details.join("; ")}`);
      if (r.fault !== "credentials sent to the redirect host") assert.ok(r.injected > 0, `${r.fault} was never injected`);
    }
  });

  test("no credential crosses to another host on a redirect; -v and errors show no secret", async () => {
    const { startFaultProxy } = await import("../faults/proxy.js");
    const { seed } = await import("../rig/fixtures.js");
    const { ocidist, tempDir } = await import("../helpers/cli.js");
    const { join } = await import("node:path");
    const rig = await getRig();
    const reg = rig.registries.token;
    const s = await seed(rig, reg, "private/redirect", false);
    const proxy = await startFaultProxy(reg.url);
    try {
      proxy.setRules([{ method: "GET", path: /\/blobs\/sha256:/, fault: { kind: "redirect" }, times: 100 }]);
      const tok = await ocidist(["token", `${proxy.host}/${s.repos.simple}`, "-u", "alice", "-p", "alice-secret"]);
      assert.equal(tok.code, 0, tok.stderr);
      const r = await ocidist(["pull", `${proxy.host}/${s.repos.simple}:v1`, "-o", join(tempDir(), "x.tar"), "-v", "-u", "alice", "-p", "alice-secret"]);
      // The other host serves the blob only to an authorised client, so the pull fails there —
      // what matters is what reached it.
      assert.ok(proxy.otherHost.length > 0, "the redirect was followed");
      assert.deepEqual(proxy.otherHost.filter((h) => h.authorization), [], "no Authorization reached the other host");
      for (const text of [r.stderr, tok.stderr]) {
        assert.doesNotMatch(text, /alice-secret/);
        assert.ok(!text.includes(tok.out.trim()), "the token never appears in logs");
      }
      assert.match(r.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/token\?service=ocidist-test&scope=repository/);
    } finally {
      await proxy.close();
    }
  });

  test("a token endpoint that fails or stalls is retried; one that keeps failing fails cleanly", { timeout: 120_000 }, async () => {
    const { startRig } = await import("../rig/rig.js");
    const { seed } = await import("../rig/fixtures.js");
    const { ocidist } = await import("../helpers/cli.js");
    // A rig of this process's own, so that its token issuer can be told to misbehave.
    const own = await startRig();
    try {
      const reg = own.registries.token;
      const s = await seed(own, reg, "public/tokfault", false);
      const ref = `${reg.host}/${s.repos.simple}:v1`;
      own.issuer!.failNext(2, 503);
      const retried = await ocidist(["digest", ref], { env: { OCIDIST_RETRY_BASE_MS: "50" } });
      assert.equal(retried.code, 0, retried.stderr);
      assert.equal(retried.out.trim(), s.simple.manifest.digest);
      own.issuer!.slowNext(1, 5000);
      const stalled = await ocidist(["digest", ref, "--timeout", "1"], { env: { OCIDIST_RETRY_BASE_MS: "50" } });
      assert.equal(stalled.code, 0, stalled.stderr);
      own.issuer!.failNext(100, 500);
      const broken = await ocidist(["digest", ref, "--retries", "2"], { env: { OCIDIST_RETRY_BASE_MS: "50" } });
      assert.equal(broken.code, 1);
      assert.equal(broken.stderr.trim().split("\n").length, 1);
      assert.match(broken.stderr, /token request to 127\.0\.0\.1:\d+ failed: status 500/);
      own.issuer!.failNext(0, 500);
    } finally {
      await own.stop();
    }
  });
});
