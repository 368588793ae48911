/**
 * `npm test`: starts the registry rig once, describes it in a file named by `OCIDIST_RIG`,
 * runs every compiled test file with node's test runner, and stops the rig.
 * Arguments filter test files by name: `node dist/test/run.js extract copy`.
 *
 * Files run `OCIDIST_TEST_CONCURRENCY` at a time (default 3: part of a file's time is spent
 * waiting on child processes and the registry), the slowest of the last run first so that
 * no long file starts at the end. A line is printed as each file ends, and the slowest files
 * are listed at the end (test/helpers/file-times.ts).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRig } from "./rig/rig.js";

const here = resolve(fileURLToPath(import.meta.url), "..");
/** Kept between runs: V8's compile cache (Node 22 and later) and the last run's file times. */
const cacheDir = resolve(here, "../../node_modules/.cache/ocidist-test");
const timesFile = join(cacheDir, "file-times.json");

function testFiles(): string[] {
  const out: string[] = [];
  for (const dir of ["unit", "integration"]) {
    const full = join(here, dir);
    let entries: string[] = [];
    try {
      entries = readdirSync(full);
    } catch {
      continue;
    }
    for (const f of entries.sort()) if (f.endsWith(".test.js")) out.push(join(full, f));
  }
  const filters = process.argv.slice(2);
  // Matched against `unit/name.test.js`, not the whole path: a word in the checkout's own path must not select everything.
  return filters.length ? out.filter((f) => filters.some((x) => relative(here, f).includes(x))) : out;
}

/** The slowest files first, by the last run's times; files without one (new ones) before all. */
function slowestFirst(files: string[]): string[] {
  let last: Record<string, number> = {};
  try {
    last = JSON.parse(readFileSync(timesFile, "utf8")) as Record<string, number>;
  } catch {
    // No earlier run: integration files, which are the slow ones, before unit files.
    return [...files].sort((a, b) => Number(a.includes("/unit/")) - Number(b.includes("/unit/")));
  }
  const key = (f: string) => last[f.slice(here.length + 1)] ?? Infinity;
  return [...files].sort((a, b) => key(b) - key(a));
}

async function main(): Promise<number> {
  const files = slowestFirst(testFiles());
  if (!files.length) {
    console.error("no test files matched");
    return 1;
  }
  const concurrency = Number(process.env.OCIDIST_TEST_CONCURRENCY) || 3;
  mkdirSync(cacheDir, { recursive: true });
  const rig = await startRig();
  const dir = mkdtempSync(join(tmpdir(), "ocidist-run-"));
  const rigFile = join(dir, "rig.json");
  const { issuer: _issuer, stop: _stop, ...info } = rig;
  writeFileSync(rigFile, JSON.stringify(info));
  const reporter = join(here, "helpers/file-times.js");
  try {
    return await new Promise<number>((done) => {
      const args = ["--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", "--test-reporter-destination=stdout", `--test-reporter=${reporter}`, "--test-reporter-destination=stdout", ...files];
      const child = spawn(process.execPath, args, {
        stdio: "inherit",
        env: {
          ...process.env,
          OCIDIST_RIG: rigFile,
          OCIDIST_TEST_FILES: String(files.length),
          OCIDIST_TEST_TIMES: timesFile,
          NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(cacheDir, "v8"),
        },
      });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on("SIGINT", forward);
      process.on("SIGTERM", forward);
      child.on("close", (code) => done(code ?? 1));
    });
  } finally {
    await rig.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
