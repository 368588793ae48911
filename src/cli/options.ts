/**
 * Checking the global options once, before any command runs, so that a bad value is a
 * usage error (exit 2, one line) on every command, whether or not the command uses it.
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { UsageError } from "../model/errors.js";
import { parsePlatform } from "../model/platform.js";

/** Parses a whole-number option in `[min, max]`; `fallback` when absent. @throws UsageError */
export function intOption(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min ? ` of at least ${min}` : "";
    throw new UsageError(`${name} wants a whole number${range}, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** Proxy schemes the transport speaks. */
const PROXY_SCHEMES = new Set(["http:", "https:", "socks5:", "socks5h:"]);

/** Checks a proxy URL (`--proxy`, or one from the environment) without echoing its credentials. @throws UsageError */
function checkProxyUrl(text: string, name = "--proxy"): URL {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (!u || !PROXY_SCHEMES.has(u.protocol) || !u.hostname) {
    const shown = /[@]/.test(text) ? "(a value with credentials)" : JSON.stringify(text);
    throw new UsageError(`${name} wants a URL such as http://host:3128 or socks5://host:1080, not ${shown}`);
  }
  return u;
}

/** Checks that each `--ca-file` is a readable regular file. @throws UsageError */
function checkCaFiles(paths: readonly string[] | undefined): void {
  for (const p of paths ?? []) {
    try {
      accessSync(p, constants.R_OK);
      if (!statSync(p).isFile()) throw Object.assign(new Error("not a file"), { code: "not a regular file" });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`--ca-file ${JSON.stringify(p)}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? "error"})`}`);
    }
  }
}

/** The raw global options this module checks. */
export interface CheckedOptionsInput {
  caFile?: string[];
  proxy?: string;
  jobs?: string;
  retries?: string;
  timeout?: string;
  platform?: string;
  progress?: string;
}

/** Bounds of the numeric global options. */
const OPTION_BOUNDS = {
  jobs: { min: 1, max: 256, fallback: 4 },
  retries: { min: 0, max: 100, fallback: 4 },
  timeout: { min: 1, max: 86_400, fallback: 60 },
} as const;

/** The checked global options. */
export interface CheckedOptions {
  jobs: number;
  retries: number;
  timeoutMs: number;
}

/** Checks every global option; the first bad one is a {@link UsageError}. */
export function checkGlobalOptions(o: CheckedOptionsInput): CheckedOptions {
  const b = OPTION_BOUNDS;
  const jobs = intOption(o.jobs, "--jobs", b.jobs.fallback, b.jobs.min, b.jobs.max);
  const retries = intOption(o.retries, "--retries", b.retries.fallback, b.retries.min, b.retries.max);
  const timeoutMs = intOption(o.timeout, "--timeout", b.timeout.fallback, b.timeout.min, b.timeout.max) * 1000;
  if (o.proxy !== undefined) checkProxyUrl(o.proxy);
  checkCaFiles(o.caFile);
  if (o.platform !== undefined) parsePlatform(o.platform);
  if (o.progress !== undefined && !["auto", "tty", "plain", "none"].includes(o.progress)) {
    throw new UsageError(`--progress wants auto, tty, plain or none, not ${JSON.stringify(o.progress)}`);
  }
  return { jobs, retries, timeoutMs };
}
