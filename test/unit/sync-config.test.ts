/**
 * Reading mirror files: ocidist's format and skopeo sync's, every problem with its line and
 * column, in file order, and values kept as written.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSyncConfig, SyncFileError } from "../../src/sync/read-config.js";
import { UsageError } from "../../src/model/errors.js";

async function problems(text: string, options = {}): Promise<string[]> {
  try {
    await parseSyncConfig("m.yaml", text, options);
  } catch (err) {
    assert.ok(err instanceof SyncFileError, String(err));
    assert.ok(err instanceof UsageError);
    return err.problems;
  }
  assert.fail("the file was accepted");
}

test("ocidist's format: every form of tags, platforms, referrers and dir: destinations", async () => {
  const c = await parseSyncConfig(
    "m.yaml",
    `images:
  - from: reg.example/team/app
    to: mirror.example/app
    tags: [v1, "3.10", 3.10]
  - from: reg.example/team/app
    to: dir:/srv/mirror/app
    tags: {regex: ^v, semver: ">=1.2 <2", latest: 3}
    platforms: [linux/arm64]
    referrers: true
  - from: alpine
    to: mirror.example/alpine
`,
  );
  assert.equal(c.format, "ocidist");
  assert.equal(c.images.length, 3);
  const [a, b, d] = c.images;
  assert.deepEqual(a!.tags, { kind: "list", tags: ["v1", "3.10"] }, "3.10 stays 3.10, and a repeat is dropped");
  assert.equal(a!.where, "m.yaml:2:5");
  assert.deepEqual(b!.to, { kind: "dir", path: "/srv/mirror/app" });
  assert.equal(b!.tags.kind, "filter");
  if (b!.tags.kind === "filter") {
    assert.equal(b!.tags.semver, ">=1.2 <2");
    assert.equal(b!.tags.latest, 3);
    assert.ok(b!.tags.regex!.test("v1"));
  }
  assert.deepEqual(b!.platforms, [{ os: "linux", architecture: "arm64" }]);
  assert.equal(b!.referrers, true);
  assert.deepEqual(d!.from, { registry: "docker.io", repository: "library/alpine" });
  assert.deepEqual(d!.tags, { kind: "filter" }, "no tags: every tag");
});

test("every problem is reported with line and column, in file order", async () => {
  const p = await problems(`images:
  - from: reg.example/Bad
    to: "dir:"
    tags: {regex: "([", latest: 0, semver: ">=x!!", newest: 1}
    platforms: [linux, linux/amd64]
    referrers: maybe
    extra: 1
  - to: mirror.example/x
    tags: [ok, "-bad"]
`);
  assert.deepEqual(
    p.map((l) => l.split(": ")[0]),
    ["m.yaml:2:11", "m.yaml:3:9", "m.yaml:4:19", "m.yaml:4:33", "m.yaml:4:44", "m.yaml:4:53", "m.yaml:5:17", "m.yaml:5:24", "m.yaml:6:16", "m.yaml:7:5", "m.yaml:8:5", "m.yaml:9:16"],
  );
  assert.match(p.join("\n"), /lowercase/);
  assert.match(p.join("\n"), /needs from:/);
  assert.match(p.join("\n"), /unknown key "extra"/);
});

test("syntax errors and wrong shapes have positions too", async () => {
  assert.match((await problems("images:\n  - from: a\n   to: b\n"))[0]!, /^m\.yaml:\d+:\d+: /);
  assert.match((await problems("images:\n  - from: a\n    from: b\n    to: c\n"))[0]!, /^m\.yaml:3:5: .*[Uu]nique|^m\.yaml:3:5: /);
  assert.deepEqual(await problems("images: []\n"), ["m.yaml:1:9: images is empty: nothing to mirror"]);
  assert.match((await problems("- a\n- b\n"))[0]!, /^m\.yaml:1:1: the file must be a mapping/);
});

test("skopeo's format: images, regex, semver, credentials, tls-verify; destinations as skopeo names them", async () => {
  const text = `reg.example:
  images:
    team/app: [v1, v2]
    busybox: []
  images-by-tag-regex:
    team/app: ^1\\.
  images-by-semver:
    team/lib: ">= 1.2.0"
  credentials:
    username: alice
    password: s3cret
localhost:5000:
  tls-verify: false
  images:
    x/y/z:
`;
  const c = await parseSyncConfig("m.yaml", text, { dest: "mirror.example/pre" });
  assert.equal(c.format, "skopeo");
  assert.deepEqual(
    c.images.map((i) => [`${i.from.registry}/${i.from.repository}`, i.to.kind === "registry" ? `${i.to.repo.registry}/${i.to.repo.repository}` : i.to.path, i.tags.kind]),
    [
      ["reg.example/team/app", "mirror.example/pre/app", "list"],
      ["reg.example/busybox", "mirror.example/pre/busybox", "filter"],
      ["reg.example/team/app", "mirror.example/pre/app", "filter"],
      ["reg.example/team/lib", "mirror.example/pre/lib", "filter"],
      ["localhost:5000/x/y/z", "mirror.example/pre/z", "filter"],
    ],
  );
  assert.deepEqual(c.credentials.get("reg.example"), { username: "alice", password: "s3cret" });
  const scoped = await parseSyncConfig("m.yaml", "reg.example:\n  images:\n    team/app: [v1]\n", { dest: "dir:/m", scoped: true });
  assert.deepEqual(scoped.images[0]!.to, { kind: "dir", path: "/m/reg.example/team/app" });
  const p = await problems("reg.example:\n  tls-verify: false\n  images:\n    a: [v1]\n  credentials: {username: u}\n", { dest: "m.example" });
  assert.ok(p.some((l) => /^m\.yaml:5:16: credentials need both/.test(l)), p.join("\n"));
  assert.ok(p.some((l) => /tls-verify: false.*--insecure/.test(l)), "a non-loopback registry without TLS verification needs --insecure");
  assert.ok(!p.join("\n").includes("s3cret"));
});

test("the format decides which flags apply", async () => {
  await assert.rejects(parseSyncConfig("m.yaml", "reg.example:\n  images:\n    a: []\n"), (e: unknown) => e instanceof UsageError && /--dest/.test((e as Error).message));
  await assert.rejects(parseSyncConfig("m.yaml", "images:\n  - {from: a, to: b}\n", { dest: "x.example" }), (e: unknown) => e instanceof UsageError && /--dest is for skopeo/.test((e as Error).message));
});
