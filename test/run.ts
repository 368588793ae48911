/**
 * `npm test`: starts the registry rig once, describes it in a file named by `OCIDIST_RIG`,
 * runs every compiled test file with node's test runner, and stops the rig.
 * Arguments filter test files by name: `node dist/test/run.js extract copy`.
 */
import { spawn } from "node:child_process";
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRig } from "./rig/rig.js";

const here = resolve(fileURLToPath(import.meta.url), "..");

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
  return filters.length ? out.filter((f) => filters.some((x) => f.includes(x))) : out;
}

async function main(): Promise<number> {
  const files = testFiles();
  if (!files.length) {
    console.error("no test files matched");
    return 1;
  }
  const rig = await startRig();
  const dir = mkdtempSync(join(tmpdir(), "ocidist-run-"));
  const rigFile = join(dir, "rig.json");
  const { issuer: _issuer, stop: _stop, ...info } = rig;
  writeFileSync(rigFile, JSON.stringify(info));
  try {
    return await new Promise<number>((done) => {
      const child = spawn(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files], {
        stdio: "inherit",
        env: { ...process.env, OCIDIST_RIG: rigFile },
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
