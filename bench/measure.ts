/**
 * The bench's measuring: every tool runs under `/usr/bin/time`, which reports wall time,
 * user and system CPU and peak RSS the same way for a Go binary and for Node; each
 * workload runs `runs` times after its `prepare` and keeps the median of each figure.
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One workload's figures for one tool. */
export interface Sample {
  /** Wall seconds. */
  wall: number;
  /** User plus system CPU seconds. */
  cpu: number;
  /** Peak resident set, MiB. */
  rssMiB: number;
}

const TIME = "/usr/bin/time";
const scratch = mkdtempSync(join(tmpdir(), "ocidist-bench-"));

/** Runs `cmd args` once under `/usr/bin/time`; rejects when it fails. */
export function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  const out = join(scratch, "time.txt");
  rmSync(out, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ["-f", "%e %U %S %M", "-o", out, cmd, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.trim().slice(-500)}`));
      const [wall, user, sys, rssKb] = readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      resolve({ wall: wall!, cpu: user! + sys!, rssMiB: rssKb! / 1024 });
    });
  });
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

/** Runs `once` `runs` times, each after `prepare` and a `sync`, and keeps the median of each figure. */
export async function median(runs: number, once: () => Promise<Sample>, prepare: () => unknown = () => undefined): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    // Written-back pages of the previous run must not compete with this one.
    execFileSync("sync");
    samples.push(await once());
  }
  return { wall: medianOf(samples.map((s) => s.wall)), cpu: medianOf(samples.map((s) => s.cpu)), rssMiB: medianOf(samples.map((s) => s.rssMiB)) };
}

/** The first line a command prints, or a note that it could not run. */
export function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString().trim().split("\n")[0]!;
  } catch {
    return "(not available)";
  }
}

/** One line of the result table. */
export interface Row {
  workload: string;
  tool: string;
  sample: Sample;
  /** Moved bytes, for MB/s; none when nothing moved (start-up, metadata). */
  bytes?: number;
  note?: string;
}

/** The Markdown table of every row. */
export function table(rows: Row[]): string {
  const lines = ["| workload | tool | wall s | CPU s (user+sys) | peak RSS MiB | MB/s |", "|---|---|---:|---:|---:|---:|"];
  for (const r of rows) {
    const rate = r.bytes ? (r.bytes / 1e6 / r.sample.wall).toFixed(0) : "—";
    lines.push(`| ${r.workload} | ${r.tool}${r.note ? ` (${r.note})` : ""} | ${r.sample.wall.toFixed(2)} | ${r.sample.cpu.toFixed(2)} | ${r.sample.rssMiB.toFixed(0)} | ${rate} |`);
  }
  return lines.join("\n");
}

/** A goal checked against the rows: its measured value, its bound, met or not. */
export interface Goal {
  goal: string;
  value: number;
  bound: number;
  unit: string;
}

/** The Markdown table of the goals. */
export function goalTable(goals: Goal[]): string {
  const lines = ["| goal | measured | bound | met |", "|---|---:|---:|:---:|"];
  for (const g of goals) lines.push(`| ${g.goal} | ${g.value.toFixed(2)}${g.unit} | ${g.bound}${g.unit} | ${g.value <= g.bound ? "yes" : "**no**"} |`);
  return lines.join("\n");
}

/** Removes the scratch directory. */
export function cleanup(): void {
  rmSync(scratch, { recursive: true, force: true });
}
