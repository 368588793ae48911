/**
 * Attacks on what reaches the terminal and on the CLI's own limits, run through the real CLI
 * against the hostile registry: control, bidi and escape characters in tags, catalogs, error
 * messages, warnings, configs, referrers, Hub descriptions and tar entry names; listings that
 * never end or come in one enormous page; and bad option values on every command.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { layer, image } from "../rig/build.js";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { EVIL, RAW_CONTROL, serveImage } from "../hostile/image.js";
import { ocidist, tempDir } from "../helpers/cli.js";

let reg: HostileRegistry;
before(async () => {
  reg = await startHostile();
});
after(() => reg.close());

/** Asserts that no raw control character is in the text, saying which stream. */
function inert(text: string, what: string): void {
  const m = RAW_CONTROL.exec(text);
  assert.equal(m, null, `${what} holds U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")}: ${JSON.stringify(text.slice(0, 300))}`);
}

const json = (res: { statusCode?: number; writeHead: (s: number, h: Record<string, string>) => void; end: (b: string) => void }, doc: unknown, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(doc));
};

describe("terminal injection: human output neutralises, JSON escapes", () => {
  test("tags: one line per tag whatever the tag holds; --json round-trips the exact strings", async () => {
    const tags = [`a${EVIL}`, "b\u009b31m", "c\u202e", "plain"];
    reg.override("GET", /^\/v2\/term\/tags\/list/, (_q, res) => json(res, { name: "term", tags }));
    const r = await ocidist(["tags", `${reg.host}/term`]);
    assert.equal(r.code, 0, r.stderr);
    inert(r.out, "tags stdout");
    assert.equal(r.out.trimEnd().split("\n").length, tags.length, "a line break in a tag cannot forge a line");
    const j = await ocidist(["tags", `${reg.host}/term`, "--json"]);
    inert(j.out, "tags --json stdout");
    assert.match(j.out, /\\u009b/);
    assert.match(j.out, /\\u202e/);
    assert.deepEqual((JSON.parse(j.out) as { tags: string[] }).tags, tags);
  });

  test("catalog", async () => {
    reg.override("GET", /^\/v2\/_catalog/, (_q, res) => json(res, { repositories: [`r${EVIL}`, "ok"] }));
    const r = await ocidist(["catalog", reg.host]);
    assert.equal(r.code, 0, r.stderr);
    inert(r.out, "catalog stdout");
    assert.equal(r.out.trimEnd().split("\n").length, 2);
  });

  test("a registry's error message and Warning header reach stderr inert", async () => {
    reg.override("GET", /^\/v2\/errmsg\/manifests\//, (_q, res) => json(res, { errors: [{ code: "MANIFEST_UNKNOWN", message: `gone${EVIL}` }] }, 404, { warning: `299 - "careful\u009b2J\u0085"` }));
    const r = await ocidist(["manifest", `${reg.host}/errmsg:v1`]);
    assert.equal(r.code, 1);
    inert(r.stderr, "stderr");
    assert.match(r.stderr, /MANIFEST_UNKNOWN/);
    assert.match(r.stderr, /\\x1b/, "the escape is shown, not executed");
    assert.match(r.stderr, /careful\\x9b2J/, "the warning is shown, inert");
  });

  test("inspect: config env, labels and layer titles", async () => {
    await serveImage(reg, "insp", "v1", { env: [`PATH=/bin${EVIL}`], labels: { [`k${EVIL}`]: `v${EVIL}` } });
    const r = await ocidist(["inspect", `${reg.host}/insp:v1`]);
    assert.equal(r.code, 0, r.stderr);
    inert(r.out, "inspect stdout");
    assert.doesNotMatch(r.out, /^FAKE LINE/m);
    const j = await ocidist(["inspect", `${reg.host}/insp:v1`, "--json"]);
    inert(j.out, "inspect --json stdout");
    const doc = JSON.parse(j.out) as { image: { env: string[]; labels: Record<string, string> } };
    assert.deepEqual(doc.image.env, [`PATH=/bin${EVIL}`]);
    assert.equal(doc.image.labels[`k${EVIL}`], `v${EVIL}`);
  });

  test("referrers: artifact types", async () => {
    const img = await serveImage(reg, "refs", "v1");
    const referrer = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"e".repeat(64)}`, size: 10, artifactType: `application/x${EVIL}` };
    reg.override("GET", /^\/v2\/refs\/referrers\//, (_q, res) => json(res, { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [referrer] }, 200, { "content-type": "application/vnd.oci.image.index.v1+json" }));
    const r = await ocidist(["referrers", `${reg.host}/refs@${img.manifest.digest}`]);
    assert.equal(r.code, 0, r.stderr);
    inert(r.out, "referrers stdout");
    assert.equal(r.out.trimEnd().split("\n").length, 1);
    assert.equal(r.out.split("\t").length, 3, "a tab in a field cannot forge a column");
  });

  test("export: a skipped tar entry's name in the warning", async () => {
    const l = await layer([{ name: "ok.txt", content: "ok" }, { name: `dev${EVIL.replace(/\n|\r/g, "")}`, type: "fifo" }]);
    const img = image([l]);
    reg.manifest("exp", ["v1"], img.manifest.bytes, img.manifest.mediaType);
    reg.blob("exp", img.config.bytes);
    reg.blob("exp", l.bytes);
    const dir = join(tempDir(), "rootfs");
    const r = await ocidist(["--progress", "plain", "export", `${reg.host}/exp:v1`, dir]);
    assert.equal(r.code, 0, r.stderr);
    inert(r.stderr, "export stderr");
  });

  describe("Docker Hub descriptions", () => {
    let hub: Server;
    let url = "";
    before(async () => {
      hub = createServer((req, res) => {
        const u = new URL(req.url ?? "/", "http://hub");
        if (u.pathname.endsWith("/tags")) return json(res, { message: `no${EVIL}` }, 500);
        if (u.pathname.startsWith("/v2/namespaces/evil/repositories/app")) return json(res, { namespace: "evil", name: "app", description: `d${EVIL}` });
        if (u.pathname.startsWith("/v2/namespaces/evil/repositories")) return json(res, { count: 1, next: null, results: [{ namespace: "evil", name: "app", description: `d${EVIL}` }] });
        if (u.pathname === "/v1/search") return json(res, { num_pages: 1, results: [{ name: `evil/app${EVIL}`, description: `d${EVIL}` }] });
        json(res, { message: `no${EVIL}` }, 500);
      });
      await new Promise<void>((r) => hub.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => hub.close(() => r())));

    for (const args of [["hub", "repos", "evil"], ["hub", "repo", "evil/app"], ["hub", "search", "app"], ["hub", "tags", "evil/other"]]) {
      test(args.join(" "), async () => {
        const r = await ocidist([...args, "--hub-url", url, "--retries", "0"]);
        inert(r.out, `${args.join(" ")} stdout`);
        inert(r.stderr, `${args.join(" ")} stderr`);
        const lines = { repos: 1, repo: 6, search: 1, tags: 0 }[args[1] as "repos" | "repo" | "search" | "tags"];
        assert.equal(r.out ? r.out.trimEnd().split("\n").length : 0, lines, r.out);
      });
    }
  });
});

describe("listing bounds", () => {
  test("one page of 125,000 tags lists without crashing", async () => {
    const tags = Array.from({ length: 125_000 }, (_, i) => `t${i}`);
    reg.override("GET", /^\/v2\/huge\/tags\/list/, (_q, res) => json(res, { name: "huge", tags }));
    const r = await ocidist(["tags", `${reg.host}/huge`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.trimEnd().split("\n").length, 125_000);
    const capped = await ocidist(["tags", `${reg.host}/huge`, "--max-tags", "1000"]);
    assert.equal(capped.code, 1);
    assert.match(capped.stderr, /^ocidist: tags of .*huge: the registry lists more than 1000 names \(--max-tags raises the cap\)\n$/);
  });

  test("pages that never end stop at the cap with a clear error", async () => {
    let served = 0;
    reg.override("GET", /^\/v2\/endless\/tags\/list/, (_q, res, u) => {
      const from = Number(u.searchParams.get("last")?.slice(1) ?? 0);
      served++;
      json(res, { name: "endless", tags: Array.from({ length: 1000 }, (_, i) => `t${from + i + 1}`) }, 200, { link: `</v2/endless/tags/list?n=1000&last=t${from + 1000}>; rel="next"` });
    });
    const r = await ocidist(["tags", `${reg.host}/endless`, "--max-tags", "5000"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /more than 5000 names \(--max-tags raises the cap\)/);
    assert.ok(served <= 6, `${served} pages fetched`);
    const c = await ocidist(["catalog", reg.host, "--max-repositories", "0"]);
    assert.equal(c.code, 2);
  });
});

describe("bad option values are usage errors on every command", () => {
  const bad: [string[], RegExp][] = [
    [["--ca-file", "/nonexistent/ca.pem"], /--ca-file/],
    [["--timeout", "-1"], /--timeout/],
    [["--timeout", "0"], /--timeout/],
    [["--retries", "x"], /--retries/],
    [["--jobs", "0"], /--jobs/],
    [["--jobs", "abc"], /--jobs/],
    [["--proxy", "notaurl"], /--proxy/],
    [["--proxy", "ftp://proxy:21"], /--proxy/],
    [["--platform", "linux"], /platform/],
  ];
  const commands = (host: string, dir: string): string[][] => [
    ["tags", `${host}/x`],
    ["inspect", `${host}/x:v1`],
    ["pull", `${host}/x:v1`, "-o", join(dir, "out.tar")],
    ["script", `${host}/x:v1`],
    ["copy", `${host}/x:v1`, `oci:${join(dir, "layout")}`],
    ["hub", "tags", "library/ubuntu", "--hub-url", `http://${host}`],
    ["login", host, "-u", "a", "--password-stdin"],
    ["cache", "path"],
  ];
  for (const [flags, what] of bad) {
    test(flags.join(" "), async () => {
      const dir = tempDir();
      const runs = await Promise.all(commands(reg.host, dir).map((c) => ocidist([...flags, ...c], { input: "pw\n" }).then((r) => ({ c, r }))));
      for (const { c, r } of runs) {
        assert.equal(r.code, 2, `${c.join(" ")}: exit ${r.code}: ${r.stderr}`);
        assert.match(r.stderr, /^ocidist: [^\n]+\n$/, `${c.join(" ")}: one line`);
        assert.match(r.stderr, what);
      }
    });
  }
});
