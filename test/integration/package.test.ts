/**
 * The published package: `npm pack`, then installing the tarball into an empty project,
 * gives a working `npx ocidist` (against the rig's open registry) and a working library
 * import; the tarball holds the licence, no source maps pointing at sources it leaves out,
 * and no script that runs on install.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { before, describe, test } from "node:test";
import { getRig } from "../rig/shared.js";
import { simpleImage } from "../rig/fixtures.js";
import { pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { tempDir } from "../helpers/cli.js";

const run = promisify(execFile);
const root = resolve(fileURLToPath(import.meta.url), "../../../..");

let rig: RigInfo;
let tarball: string;
let project: string;

before(async () => {
  rig = await getRig();
  await pushImage(rig, rig.registries.open, "pkg/simple", await simpleImage("pkg"), ["v1"]);
  const packDir = tempDir("ocidist-pack-");
  // The suite has just built dist/; --ignore-scripts keeps `prepack` from building again.
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], { cwd: root });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(packDir, info!.filename);
  writeFileSync(join(packDir, "files.json"), JSON.stringify(info!.files.map((f) => f.path)));
  project = tempDir("ocidist-consumer-");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--omit=dev", tarball], { cwd: project, timeout: 180_000 });
});

describe("npm package", () => {
  test("the tarball holds the licence and compiled code, no source maps, no install scripts", () => {
    const files = JSON.parse(readFileSync(join(tarball, "../files.json"), "utf8")) as string[];
    assert.ok(files.includes("LICENSE"), "LICENSE is packed");
    assert.ok(files.includes("dist/src/cli.js") && files.includes("dist/src/index.d.ts"));
    assert.deepEqual(files.filter((f) => f.endsWith(".map")), [], "no source maps");
    assert.deepEqual(files.filter((f) => f.startsWith("dist/test") || f.startsWith("src/")), [], "no tests or sources");
    const pkg = JSON.parse(readFileSync(join(project, "node_modules/ocidist/package.json"), "utf8")) as { scripts?: Record<string, string> };
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) assert.equal(pkg.scripts?.[hook], undefined, `no ${hook} script`);
  });

  test("npx ocidist works from the installed tarball", async () => {
    const host = rig.registries.open.host;
    const { stdout } = await run("npx", ["--no-install", "ocidist", "--progress", "none", "tags", `${host}/pkg/simple`], { cwd: project });
    assert.equal(stdout, "v1\n");
  });

  test("the library imports from the installed tarball", async () => {
    const script = `import { parseReference } from "ocidist"; console.log(parseReference("alpine").registry);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    assert.equal(stdout.trim(), "docker.io");
  });
});
