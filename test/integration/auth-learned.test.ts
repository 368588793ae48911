/**
 * A registry that answers the first requests without credentials (an open `/v2/`, a public
 * repository read first) and asks for them later, in the same command: the later request's
 * 401 teaches the client the challenge, and the stored credentials are then sent. Before the
 * first request became its own ping, the same held for a registry whose `/v2/` is open and
 * whose private repositories are not; the fake registry plays both.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { serveImage } from "../hostile/image.js";
import { ocidist, tempDir } from "../helpers/cli.js";

const basic = `Basic ${Buffer.from("alice:alice-secret").toString("base64")}`;

describe("credentials asked for after anonymous answers", () => {
  let reg: HostileRegistry;
  before(async () => {
    reg = await startHostile();
  });
  after(() => reg.close());

  test("a pull of a public then a private repository sends the stored credentials to the private one", async () => {
    const pub = await serveImage(reg, "public/app", "v1");
    const priv = await serveImage(reg, "private/app", "v1", { labels: { which: "private" } });
    // Everything under private/ needs Basic credentials; the rest, /v2/ included, is open.
    reg.override("*", /^\/v2\/private\//, (req, res) => {
      if (req.headers.authorization === basic) return false;
      res.writeHead(401, { "www-authenticate": 'Basic realm="private"', "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
    });
    const home = tempDir("ocidist-home-");
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from("alice:alice-secret").toString("base64") } } }));
    const out = join(tempDir("ocidist-out-"), "layout");
    const r = await ocidist(["pull", `${reg.host}/public/app:v1`, `${reg.host}/private/app:v1`, "--format", "oci", "-o", out], { home });
    assert.equal(r.code, 0, r.stderr);
    const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [pub.manifest.digest, priv.manifest.digest].sort());
    assert.ok(reg.requests.some((q) => q.path.startsWith("/v2/private/") && q.headers.authorization === basic), "the private repository got the credentials");
    assert.deepEqual(reg.requests.filter((q) => q.path.startsWith("/v2/public/") && q.headers.authorization).length, 0, "the public reads went anonymous, as the registry answered them");
  });
});
