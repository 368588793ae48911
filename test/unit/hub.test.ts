/** Docker Hub's web API against a local Hub-shaped server: pages, limits, credentials, errors. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startFakeHub, type FakeHub } from "../fakes/hub-server.js";
// Through the public entry point: the Hub client is part of the library API.
import { HubClient, parseHubRepo, Transport } from "../../src/index.js";
import { ocidist } from "../helpers/cli.js";

let hub: FakeHub;
before(async () => {
  hub = await startFakeHub();
});
after(() => hub.close());

test("repository names", () => {
  assert.deepEqual(parseHubRepo("ubuntu"), { namespace: "library", name: "ubuntu" });
  assert.deepEqual(parseHubRepo("docker.io/alice/app"), { namespace: "alice", name: "app" });
  assert.throws(() => parseHubRepo("ghcr.io/a/b"), /not a Docker Hub repository/);
});

test("library: tags page by page up to the limit", async () => {
  const t = new Transport({});
  const client = new HubClient(t, { baseUrl: hub.url });
  hub.requests.length = 0;
  const tags = await client.tags("library/ubuntu", { limit: 45 });
  assert.equal(tags.length, 45);
  assert.deepEqual(hub.requests.map((q) => q.query.page ?? "1"), ["1", "2", "3", "4", "5"]);
  hub.requests.length = 0;
  const all = await new HubClient(t, { baseUrl: hub.url }).tags("ubuntu");
  assert.equal(all.length, 45);
  assert.equal(all[44]!.name, "tag-44");
  await t.close();
});

test("CLI: hub tags --limit 20 follows exactly two pages of 10, with platforms; tables and TSV", async () => {
  hub.requests.length = 0;
  const r = await ocidist(["hub", "tags", "library/ubuntu", "--limit", "20", "--json", "--hub-url", hub.url]);
  assert.equal(r.code, 0, r.stderr);
  const tags = JSON.parse(r.out) as { name: string; images: { architecture: string }[] }[];
  assert.equal(tags.length, 20);
  assert.deepEqual(tags[0]!.images.map((i) => i.architecture), ["amd64", "arm64"]);
  assert.deepEqual(hub.requests.map((q) => q.query.page ?? "1"), ["1", "2"], "two pages of 10, and no third");
  hub.requests.length = 0;
  const tsv = await ocidist(["hub", "tags", "ubuntu", "--hub-url", hub.url]);
  assert.equal(tsv.out.trim().split("\n").length, 45);
  assert.match(tsv.out.split("\n")[0]!, /^tag-00\tsha256:\w+\t2026-01-01T00:00:00\t29\.0 MB\tlinux\/amd64,linux\/arm64\/v8$/);
  assert.equal(hub.requests.length, 5);
  const viaEnv = await ocidist(["hub", "repos", "library", "--limit", "5"], { env: { OCIDIST_HUB_URL: hub.url } });
  assert.equal(viaEnv.out.trim().split("\n").length, 5);
});

test("pagination with small pages follows next until the limit", async () => {
  const t = new Transport({});
  const client = new HubClient(t, { baseUrl: hub.url });
  hub.requests.length = 0;
  const repos = await client.repositories("library", { limit: 6 });
  assert.equal(repos.length, 6);
  assert.equal(hub.requests.length, 1);
  const tags = await client.tags("ubuntu", { limit: 25 });
  assert.deepEqual(tags.map((x) => x.name).slice(-1), ["tag-24"]);
  assert.equal(hub.requests.length, 4, "1 + 3 pages of tags");
  await t.close();
});

test("credentials: private repositories list only with the Hub token; secrets never printed", async () => {
  const anon = await ocidist(["hub", "repos", "alice", "--json", "--hub-url", hub.url]);
  assert.deepEqual((JSON.parse(anon.out) as { name: string }[]).map((r) => r.name), ["public-app"]);
  hub.requests.length = 0;
  const authed = await ocidist(["hub", "repos", "alice", "--json", "--hub-url", hub.url, "-u", "alice", "--password-stdin"], { input: "dckr_pat_test\n" });
  assert.equal(authed.code, 0, authed.stderr);
  assert.deepEqual((JSON.parse(authed.out) as { name: string }[]).map((r) => r.name), ["public-app", "secret-app"]);
  assert.equal(hub.requests[0]!.path, "/v2/auth/token");
  assert.equal(hub.requests[1]!.authorization, "Bearer hub-token-for-alice");
  const wrong = await ocidist(["hub", "repos", "alice", "--hub-url", hub.url, "-u", "alice", "-p", "nope-secret"]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /Docker Hub login: Incorrect authentication credentials \(HTTP 401\)/);
  assert.doesNotMatch(wrong.stderr + authed.stderr + authed.out, /nope-secret|dckr_pat_test|hub-token-for-alice/);
});

test("errors: not found, rate limit with its reset, usage", async () => {
  const nf = await ocidist(["hub", "repo", "library/nope", "--hub-url", hub.url]);
  assert.equal(nf.code, 1);
  assert.match(nf.stderr, /repository library\/nope: not found on Docker Hub/);
  const rl = await ocidist(["hub", "repos", "ratelimited", "--hub-url", hub.url]);
  assert.equal(rl.code, 1);
  assert.match(rl.stderr, /TOOMANYREQUESTS.*0\/180 left.*retry after 2026-01-01T00:00:00/);
  const bad = await ocidist(["hub", "tags", "ghcr.io/x/y", "--hub-url", hub.url]);
  assert.equal(bad.code, 2);
  const search = await ocidist(["hub", "search", "u", "--json", "--limit", "2", "--hub-url", hub.url]);
  assert.deepEqual((JSON.parse(search.out) as { name: string }[]).map((r) => r.name), ["ubuntu", "busybox"]);
  const one = await ocidist(["hub", "repo", "ubuntu", "--hub-url", hub.url]);
  assert.match(one.out, /^name: library\/ubuntu$/m);
});
