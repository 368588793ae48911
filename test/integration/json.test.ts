/**
 * `--json` on every command that reports a result: exactly one JSON document on stdout,
 * which parses, whatever else the command says on stderr.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { image, layer, type Image } from "../rig/build.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo, RigRegistry } from "../rig/rig.js";
import { ocidist, regFlags, tempDir } from "../helpers/cli.js";

let rig: RigInfo;
let host: string;
let tok: RigRegistry;
let img: Image;
let work: string;

before(async () => {
  rig = await getRig();
  host = rig.registries.open.host;
  tok = rig.registries.token;
  img = image([await layer([{ name: "hello.txt", content: "hello\n" }])]);
  await pushImage(rig, rig.registries.open, "json/app", img, ["v1"]);
  await pushImage(rig, rig.registries.open, "json/app", image([await layer([{ name: "other.txt", content: "other\n" }])]), ["gone"]);
  work = tempDir();
  const pulled = await ocidist(["pull", `${host}/json/app:v1`, "-o", join(work, "app.tar")]);
  assert.equal(pulled.code, 0, pulled.stderr);
});

/** Each command, with the arguments it needs (run in order: push reads what pull wrote). */
const commands: [string, () => string[]][] = [
  ["tag", () => ["tag", `${host}/json/app:v1`, "v2"]],
  ["delete", () => ["delete", `${host}/json/app:gone`]],
  ["push", () => ["push", join(work, "app.tar"), `${host}/json/pushed:v1`]],
  ["copy", () => ["copy", `${host}/json/app:v1`, `oci:${join(work, "layout")}:v1`]],
  ["pull", () => ["pull", `${host}/json/app:v1`, "-o", join(work, "again.tar")]],
  ["export", () => ["export", `${host}/json/app:v1`, join(work, "rootfs")]],
  ["files", () => ["files", `${host}/json/app:v1`, "-o", join(work, "files")]],
  ["verify", () => ["verify", join(work, "app.tar")]],
  ["login", () => ["login", tok.host, "-u", tok.username!, "-p", tok.password!, ...regFlags(tok)]],
  ["logout", () => ["logout", tok.host]],
  ["cache path", () => ["cache", "path"]],
  ["cache clear", () => ["cache", "clear", "--cache-dir", join(work, "cache")]],
  ["ratelimit", () => ["ratelimit", `${host}/json/app:v1`]],
  ["token", () => ["token", `${tok.host}/json/app`, "-u", tok.username!, "-p", tok.password!, ...regFlags(tok)]],
  ["tags", () => ["tags", `${host}/json/app`]],
  ["catalog", () => ["catalog", host]],
  ["digest", () => ["digest", `${host}/json/app:v1`]],
  ["inspect", () => ["inspect", `${host}/json/app:v1`]],
  ["referrers", () => ["referrers", `${host}/json/app:v1`]],
];

describe("--json", () => {
  for (const [name, args] of commands) {
    test(`${name} --json prints exactly one JSON document`, async () => {
      const r = await ocidist(["--json", ...args()]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.out.endsWith("}\n"), `one document ending in a newline:\n${r.out}`);
      const doc = JSON.parse(r.out) as unknown;
      assert.equal(typeof doc, "object");
    });
  }
  test("the output of a --json run is not mixed with -o - data", async () => {
    const r = await ocidist(["--json", "pull", `${host}/json/app:v1`, "-o", "-"]);
    assert.equal(r.code, 2, r.stderr);
  });
});
