#!/usr/bin/env node
/**
 * The `ocidist` command line: global options and the command table (CLI.md).
 * @module
 */
import "./cli/v8-flags.js";
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "./cli/version.js";
import { EXIT_FAILURE, EXIT_USAGE, errorLine, exitStatusFor } from "./cli/exit.js";
import { note, safeText } from "./cli/output.js";
import { cleanupTemps } from "./util/atomic.js";
import { quietWarnings } from "./cli/warnings.js";

/** A command module: it adds its commands to the program. */
type CommandModule = { register: (program: Command) => void };

/**
 * Every command module with the top-level commands it registers, in the order `--help`
 * lists them. Only the modules of the commands named on the command line are loaded (all
 * of them for help and for anything unknown), which keeps start-up short.
 */
const COMMAND_MODULES: [names: string[], load: () => Promise<CommandModule>][] = [
  [["tags", "catalog"], () => import("./commands/tags.js")],
  [["manifest"], () => import("./commands/manifest.js")],
  [["digest"], () => import("./commands/digest.js")],
  [["inspect"], () => import("./commands/inspect.js")],
  [["config"], () => import("./commands/config.js")],
  [["blob"], () => import("./commands/blob.js")],
  [["referrers"], () => import("./commands/referrers.js")],
  [["token"], () => import("./commands/token.js")],
  [["pull"], () => import("./commands/pull.js")],
  [["copy", "push"], () => import("./commands/copy.js")],
  [["tag", "delete"], () => import("./commands/tag.js")],
  [["export"], () => import("./commands/export.js")],
  [["files"], () => import("./commands/files.js")],
  [["login", "logout"], () => import("./commands/login.js")],
  [["ratelimit"], () => import("./commands/ratelimit.js")],
  [["verify"], () => import("./commands/verify.js")],
  [["serve"], () => import("./commands/serve.js")],
  [["signatures"], () => import("./commands/signatures.js")],
  [["script"], () => import("./commands/script.js")],
  [["hub"], () => import("./commands/hub.js")],
  [["cache"], () => import("./commands/cache.js")],
  [["sync"], () => import("./commands/sync.js")],
  [["completion"], () => import("./commands/completion.js")],
];

/**
 * The modules to load for these arguments: those of every command name among them (a
 * value that happens to equal a command name only loads one module more), else all.
 */
function modulesFor(args: readonly string[] | undefined): (() => Promise<CommandModule>)[] {
  // A completion script describes every command, so it needs them all.
  const named = args && !args.includes("completion") ? COMMAND_MODULES.filter(([names]) => names.some((n) => args.includes(n))) : [];
  // `--version` without a command (and without help, which lists them) needs none.
  if (!named.length && args?.includes("--version") && !args.some((a) => a === "--help" || a === "-h")) return [];
  return (named.length ? named : COMMAND_MODULES).map(([, load]) => load);
}

/** commander's own error lines (unknown option, missing argument), neutralised like every other line. */
function commanderError(str: string, write: (s: string) => void): void {
  write(`ocidist: ${safeText(str.replace(/^error: /, "").trim())}\n`);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Builds the program with the global options and the commands that `args` (the arguments
 * after the script) name, or every command when `args` is absent or names none.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const modules = await Promise.all(modulesFor(args).map((load) => load()));
  const program = new Command("ocidist")
    .description("A client for OCI and Docker container registries: inspect, pull, push, copy and export images and artifacts without docker.")
    .version(VERSION, "--version", "print the version")
    .option("-u, --username <user>", "username for this call")
    .option("-p, --password <pass>", "password or token for this call (prefer --password-stdin)")
    .option("--password-stdin", "read the password from standard input")
    .option("--anonymous", "ignore stored credentials")
    .option("--docker-config <dir>", "where config.json lives (default $DOCKER_CONFIG, else ~/.docker)")
    .option("--platform <os/arch[/variant][:os.version]>", "which image of an index (default linux/<this machine's arch>)")
    .option("--insecure", "allow plain HTTP and unverified TLS")
    .option("--ca-file <file>", "also trust this PEM bundle (repeatable)", collect)
    .option("--proxy <url>", "HTTP(S) or SOCKS5 proxy, e.g. socks5://127.0.0.1:9050 for Tor (default from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY)")
    .option("--cross-check <via>", "before a tag's digest is used, resolve it again through VIA (a proxy URL, or mirror:HOST[:PORT]) and require the same digest (repeatable)", collect)
    .option("--jobs <n>", "parallel blob transfers (default 4)")
    .option("--retries <n>", "extra attempts for transient failures (default 4)")
    .option("--timeout <seconds>", "give up on a connection that sends nothing for this long (default 60)")
    .option("--max-blob-size <bytes>", "largest blob read when its size is unknown, e.g. schema 1 layers (default 16G)")
    .option("--json", "machine-readable output")
    .addOption(new Option("--progress <mode>", "progress display").choices(["auto", "tty", "plain", "none"]).default("auto"))
    .option("-v, --verbose", "log every HTTP request and status to stderr (secrets redacted)")
    .showHelpAfterError(false)
    .configureOutput({ outputError: commanderError })
    .exitOverride();
  for (const m of modules) m.register(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: commanderError });
  return program;
}

/** Runs the CLI with `argv` (node, script, ...args); every failure ends as one line on stderr and an exit status. */
export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv.slice(2));
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    note(`ocidist: ${errorLine(err)}`);
    process.exitCode = exitStatusFor(err);
  }
}

/**
 * The last resort: an error that escaped every handler (a stream's 'error' event, a promise
 * nobody awaited) still ends as one line and exit status 1, never as Node's stack dump.
 */
function lastResort(err: unknown): void {
  note(`ocidist: internal error: ${errorLine(err)}`);
  process.exitCode = EXIT_FAILURE;
  setTimeout(() => process.exit(EXIT_FAILURE), 1000).unref();
  void cleanupTemps().finally(() => process.exit(EXIT_FAILURE));
}
process.on("uncaughtException", lastResort);
quietWarnings();
process.on("unhandledRejection", lastResort);

// For the benchmark: peak memory and CPU time (user, system) of this process.
if (process.env.OCIDIST_REPORT_RSS) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    note(`maxrss_kb=${u.maxRSS} user_us=${u.userCPUTime} system_us=${u.systemCPUTime}`);
  });
}
await main(process.argv);
