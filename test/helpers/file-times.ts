/**
 * A test reporter for `npm test`, used beside `spec`: prints a line as each test file ends
 * (its wall time and how many files are done), so a long run shows progress, and at the end
 * the slowest files — where the suite's time goes. The times are merged into the JSON file
 * named by `OCIDIST_TEST_TIMES`, which the runner reads to start the slowest files first.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** The part of a test runner event this reporter reads. */
interface RunnerEvent {
  type: string;
  data: { name?: string; file?: string; nesting?: number; details?: { duration_ms?: number; passed?: boolean } };
}

/** How many of the slowest files the summary lists. */
const SLOWEST = 15;

/**
 * CPU seconds (user + system) of this process's finished children — the test files, with the
 * CLI runs they waited for — from `/proc/self/stat` (Linux; 0 elsewhere). The runner reaps a
 * file's process before reporting it, so the growth between two files' ends is the CPU the
 * later one used.
 */
function childCpu(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of proc(5), cutime and cstime, in clock ticks (100 a second on Linux).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

/** Shortens a compiled test path to `integration/x.test.js`. */
function short(file: string): string {
  const m = /[\\/]((?:unit|integration)[\\/][^\\/]+)$/.exec(file);
  return m ? m[1]! : file;
}

/** The reporter: `--test-reporter=./dist/test/helpers/file-times.js`. */
export default async function* fileTimes(source: AsyncIterable<RunnerEvent>): AsyncGenerator<string> {
  const total = Number(process.env.OCIDIST_TEST_FILES) || 0;
  const started = Date.now();
  const times: { file: string; ms: number; cpu: number }[] = [];
  let cpuBefore = childCpu();
  for await (const e of source) {
    const { name, file, nesting, details } = e.data;
    // A file's own event carries its path as its name.
    if (e.type !== "test:complete" || nesting !== 0 || !file || name !== file) continue;
    const ms = details?.duration_ms ?? 0;
    const cpuNow = childCpu();
    const cpu = cpuNow - cpuBefore;
    cpuBefore = cpuNow;
    times.push({ file: short(file), ms, cpu });
    const of = total ? `/${total}` : "";
    yield `◇ file ${times.length}${of} done at ${((Date.now() - started) / 1000).toFixed(0)} s: ${short(file)} took ${(ms / 1000).toFixed(1)} s, ${cpu.toFixed(1)} s CPU${details?.passed === false ? " (FAILED)" : ""}\n`;
  }
  times.sort((a, b) => b.ms - a.ms);
  const lines = times.slice(0, SLOWEST).map((t) => `  ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.cpu.toFixed(1).padStart(6)} s CPU  ${t.file}`);
  const sum = times.reduce((a, t) => a + t.ms, 0);
  const cpu = times.reduce((a, t) => a + t.cpu, 0);
  const store = process.env.OCIDIST_TEST_TIMES;
  if (store) {
    let last: Record<string, number> = {};
    try {
      last = JSON.parse(readFileSync(store, "utf8")) as Record<string, number>;
    } catch {
      // The first run: nothing to merge with.
    }
    for (const t of times) last[t.file] = Math.round(t.ms);
    writeFileSync(store, JSON.stringify(last, null, 1));
  }
  yield `\nslowest test files (of ${times.length}, ${(sum / 1000).toFixed(0)} s in all, ${cpu.toFixed(0)} s CPU):\n${lines.join("\n")}\n`;
}
