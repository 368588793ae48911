/**
 * `ocidist sync FILE`: mirror the images a file lists (ocidist's YAML, or skopeo sync's with
 * `--dest`), skipping what the destination holds, pinned by `--lock`/`--from-lock`, shared
 * out by `--shard K/N`. The work is `sync()` of src/sync/; this file is flags and output.
 * @module
 */
import type { Command } from "commander";
import type { Reference } from "../model/reference.js";
import { crossCheckReference } from "../cli/cross-check.js";
import { OcidistError, UsageError } from "../model/errors.js";
import { action } from "../cli/action.js";
import type { CliContext } from "../cli/context.js";
import { errorLine } from "../cli/exit.js";
import { note, printJson, printLines, renderRows } from "../cli/output.js";
import { describeDestination, sourceKey } from "../sync/plan.js";
import { SyncProgress } from "../sync/progress.js";
import { readSyncConfig, SyncFileError } from "../sync/read-config.js";
import { parseShard } from "../sync/shard.js";
import { checkSkopeoDest } from "../sync/skopeo.js";
import { summaryJson, summaryTable, summaryTotals } from "../sync/summary.js";
import { sync } from "../sync/sync.js";

interface SyncCliOptions {
  dest?: string;
  scoped?: boolean;
  dryRun?: boolean;
  lock?: string;
  fromLock?: string;
  shard?: string;
}

async function readConfig(ctx: CliContext, file: string, opts: SyncCliOptions) {
  if (opts.dest !== undefined) checkSkopeoDest({ dest: opts.dest, scoped: opts.scoped });
  try {
    return await readSyncConfig(file, { dest: opts.dest, scoped: opts.scoped, insecure: ctx.opts.insecure });
  } catch (err) {
    if (!(err instanceof SyncFileError) || err.problems.length === 1) throw err;
    for (const line of err.problems) note(`ocidist: ${line}`);
    throw new UsageError(`${file}: ${err.problems.length} problems; nothing was copied`);
  }
}

async function run(ctx: CliContext, file: string, opts: SyncCliOptions): Promise<void> {
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
  if (opts.lock !== undefined && opts.lock === opts.fromLock) throw new UsageError("--lock and --from-lock name the same file");
  const config = await readConfig(ctx, file, opts);
  // A skopeo cert-dir's CA certificates join --ca-file before the one transport is built.
  if (config.caFiles.length) ctx.opts.caFile = [...(ctx.opts.caFile ?? []), ...config.caFiles];
  const registries = [...new Set(config.images.flatMap((i) => [i.from.registry, ...(i.to.kind === "registry" ? [i.to.repo.registry] : [])]))];
  const client = await ctx.client(registries, await ctx.credentials(registries, config.credentials));
  const progress = new SyncProgress(ctx.progress, 0);
  let report;
  try {
    report = await sync(config, {
      client,
      jobs: ctx.jobs,
      retry: ctx.retry,
      signal: ctx.signal,
      dryRun: opts.dryRun,
      ...(shard ? { shard } : {}),
      ...(opts.lock !== undefined ? { lock: opts.lock } : {}),
      ...(opts.fromLock !== undefined ? { fromLock: opts.fromLock } : {}),
      observer: progress,
      // --cross-check: each source tag through every path before it is copied.
      ...(ctx.crossCheckVias.length ? { pin: async (ref: Reference) => (await crossCheckReference(ctx, ref)).digest! } : {}),
      planned: (plan) => progress.setTotal(plan.items.length),
    });
  } finally {
    progress.finish();
  }
  for (const f of report.planFailures) note(`ocidist: ${f.what}: ${errorLine(f.error)}`);
  for (const r of report.results) if (r.error !== undefined) note(`ocidist: ${sourceKey(r.item)} → ${describeDestination(r.item.to)}:${r.item.tag}: ${errorLine(r.error)}`);
  if (ctx.opts.json) await printJson(summaryJson(report, errorLine, opts.dryRun));
  else {
    const { header, rows } = summaryTable(report, opts.dryRun);
    await printLines(renderRows(header, rows, Boolean(process.stdout.isTTY)));
  }
  if (ctx.progress !== "none") ctx.info(summaryTotals(report, opts.dryRun));
  if (report.failed) throw new OcidistError(`${report.failed} of ${report.results.length + report.planFailures.length} failed`);
}

/** Registers `sync`. */
export function register(program: Command): void {
  program
    .command("sync")
    .summary("mirror the images a file lists; skips what is there, pins with a lock, shards across machines")
    .argument("<file>", "ocidist's mirror YAML (images: [{from, to, tags, platforms, referrers}]) or skopeo sync's YAML with --dest")
    .option("--dest <dest>", "for a skopeo-format file: REGISTRY/PREFIX or dir:PATH")
    .option("--scoped", "for a skopeo-format file: name destinations DEST/<registry>/<repository> (default DEST/<last path component>)")
    .option("--dry-run", "print what would be copied; change nothing")
    .option("--lock <file>", "write every source tag mirrored with its digest (JSON)")
    .option("--from-lock <file>", "copy exactly the digests of this lock file")
    .option("--shard <k/n>", "copy only shard K of N (1 ≤ K ≤ N), by a hash of source repository and tag")
    .action(
      action(async (ctx, file: string, opts: SyncCliOptions) => {
        await run(ctx, file, opts);
      }),
    );
}
