/**
 * Running the real CLI in tests: the compiled `dist/src/cli.js` as a child process, with a
 * private HOME, cache and docker config so nothing of the machine's leaks in.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled CLI. */
export const CLI = resolve(fileURLToPath(import.meta.url), "../../../src/cli.js");

/** A run's outcome. */
export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** stdout as text. */
  out: string;
}

const made: string[] = [];
process.on("exit", () => {
  if (process.env.OCIDIST_KEEP_TEMP) return;
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory for a test, removed when the test process exits (kept with `OCIDIST_KEEP_TEMP=1`). */
export function tempDir(prefix = "ocidist-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Environment that isolates a CLI run from the machine. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    DOCKER_CONFIG: join(home, ".docker"),
    OCIDIST_CACHE: join(home, "cache"),
    ...extra,
  };
}

/** A V8 stack frame line, or Node's own dump of an uncaught error: never acceptable on stderr. */
const STACK_TRACE = /^\s+at .+(?:\(.*:\d+:\d+\)|:\d+:\d+)$|Unhandled 'error' event|node:internal\//m;

/** Throws when stderr holds a stack trace: every CLI failure must be one clear line. */
export function assertNoStackTrace(stderr: string, args: string[] = []): void {
  if (STACK_TRACE.test(stderr)) throw new Error(`ocidist ${args.join(" ")} printed a stack trace:\n${stderr}`);
}

/**
 * Runs `ocidist ARGS`; never throws on a non-zero exit, but rejects when stderr holds a
 * stack trace, so every CLI test also checks that no path ends in an unhandled error.
 * `uid`/`gid` run it as another user (tests of what a non-root user meets).
 */
export function ocidist(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; home?: string; uid?: number; gid?: number } = {}): Promise<CliResult> {
  const home = options.home ?? tempDir("ocidist-home-");
  const user = options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {};
  return new Promise((resolvePromise, reject) => {
    // V8's compile cache (Node 22 and later; ignored before) spares each run most of its start-up.
    // Not for another user, who could not write to it.
    const cache = process.env.NODE_COMPILE_CACHE && options.uid === undefined ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {};
    const child = spawn(process.execPath, [CLI, "--progress", "none", ...args], { env: { ...isolatedEnv(home), ...cache, ...options.env }, stdio: ["pipe", "pipe", "pipe"], ...user });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.stdin.end(options.input ?? "");
    child.on("close", (code) => {
      const stdout = Buffer.concat(out);
      try {
        assertNoStackTrace(err, args);
      } catch (e) {
        reject(e as Error);
        return;
      }
      resolvePromise({ code: code ?? -1, stdout, out: stdout.toString("utf8"), stderr: err });
    });
  });
}

/** Flags that let the CLI trust and reach a rig registry. */
export function regFlags(reg: { caFile?: string }): string[] {
  return reg.caFile ? ["--ca-file", reg.caFile] : [];
}
