#!/usr/bin/env node
/**
 * The `ocidist` command line: global options and the command table (CLI.md).
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "./version.js";
import { EXIT_USAGE } from "./cli/exit.js";
import { register as registerTags } from "./commands/tags.js";
import { register as registerManifest } from "./commands/manifest.js";
import { register as registerDigest } from "./commands/digest.js";
import { register as registerInspect } from "./commands/inspect.js";
import { register as registerConfig } from "./commands/config.js";
import { register as registerBlob } from "./commands/blob.js";
import { register as registerReferrers } from "./commands/referrers.js";
import { register as registerToken } from "./commands/token.js";
import { register as registerLogin } from "./commands/login.js";
import { register as registerPull } from "./commands/pull.js";
import { register as registerCache } from "./commands/cache.js";
import { register as registerCopy } from "./commands/copy.js";
import { register as registerTag } from "./commands/tag.js";
import { register as registerExport } from "./commands/export.js";
import { register as registerFiles } from "./commands/files.js";
import { register as registerRatelimit } from "./commands/ratelimit.js";
import { register as registerVerify } from "./commands/verify.js";
import { register as registerScript } from "./commands/script.js";
import { register as registerHub } from "./commands/hub.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Builds the program with every command and global option. */
export function buildProgram(): Command {
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
    .option("--proxy <url>", "HTTP(S) proxy (default from HTTPS_PROXY / HTTP_PROXY / NO_PROXY)")
    .option("--jobs <n>", "parallel blob transfers (default 4)")
    .option("--retries <n>", "extra attempts for transient failures (default 4)")
    .option("--timeout <seconds>", "give up on a connection that sends nothing for this long (default 60)")
    .option("--json", "machine-readable output")
    .addOption(new Option("--progress <mode>", "progress display").choices(["auto", "tty", "plain", "none"]).default("auto"))
    .option("-v, --verbose", "log every HTTP request and status to stderr (secrets redacted)")
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`ocidist: ${str.replace(/^error: /, "").trim()}\n`) })
    .exitOverride();
  registerTags(program);
  registerManifest(program);
  registerDigest(program);
  registerInspect(program);
  registerConfig(program);
  registerBlob(program);
  registerReferrers(program);
  registerToken(program);
  registerPull(program);
  registerCopy(program);
  registerTag(program);
  registerExport(program);
  registerFiles(program);
  registerLogin(program);
  registerRatelimit(program);
  registerVerify(program);
  registerScript(program);
  registerHub(program);
  registerCache(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: (str, write) => write(`ocidist: ${str.replace(/^error: /, "").trim()}\n`) });
  return program;
}

/** Runs the CLI with `argv` (node, script, ...args). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw err;
  }
}

if (process.env.OCIDIST_REPORT_RSS) {
  process.on("exit", () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));
}
await main(process.argv);
