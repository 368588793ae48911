/**
 * `ocidist export LOCATION DIR`: the image's flattened root filesystem.
 * @module
 */
import type { Command } from "commander";
import { parseMaxRatio } from "../export/decompress.js";
import { MAX_DECOMPRESSION_RATIO } from "../model/limits.js";
import { exportImage } from "../ops/export.js";
import { ProgressDisplay } from "../progress/display.js";
import { action } from "../cli/action.js";
import { cacheFor } from "../cli/cache.js";
import { plural, printJson } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { addTrustOptions, gateImage, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";

/** Skipped entries named without -v. */
const MAX_SKIP_LINES = 10;

/** Registers `export`. */
export function register(program: Command): void {
  const command = program
    .command("export")
    .summary("write the image's flattened root filesystem into DIR (whiteouts applied, nothing outside DIR)")
    .argument("<location>", LOCATION_HELP)
    .argument("<dir>", "a new or empty directory")
    .option("--force", FORCE_HELP)
    .option("--cache-dir <dir>", "blob cache directory")
    .option("--max-ratio <n>", `refuse a layer that decompresses to more than N times its size (past 16 MiB; 0: no limit)`, String(MAX_DECOMPRESSION_RATIO))
    .option("--drop-special-bits", "clear setuid, setgid and sticky bits (kept by default when running as root)");
  addTrustOptions(command).action(
      action(async (ctx, text: string, dir: string, opts: { cacheDir?: string; maxRatio: string; dropSpecialBits?: boolean; force?: boolean } & TrustCliOptions) => {
        const maxRatio = parseMaxRatio(opts.maxRatio);
        const trust = await trustOptionsFrom(opts);
        const display = new ProgressDisplay(ctx.progress);
        // Entries export does not create (devices, FIFOs, names or links leaving the root)
        // are named: the first few always, every one with -v.
        let warned = 0;
        const warn = (line: string) => {
          if (++warned <= MAX_SKIP_LINES) ctx.info(`ocidist: ${line}`);
          else ctx.debug(line);
        };
        const { name, digest, stats } = await withSource(ctx, text, async ({ loc, target, ref, name }) => {
          try {
            if (trust) ref = (await gateImage(ctx, target, ref, loc, trust)).digest;
            const options = { cache: cacheFor(opts.cacheDir), jobs: ctx.jobs, progress: display, signal: ctx.signal, warn, maxRatio, preservePrivileged: !opts.dropSpecialBits, replace: opts.force === true };
            return { name, ...(await exportImage(target, ref, ctx.platform, dir, options)) };
          } finally {
            display.finish();
          }
        });
        if (warned > MAX_SKIP_LINES) ctx.info(`ocidist: ${plural(warned, "entry", "entries")} skipped in all (-v names each)`);
        if (ctx.progress !== "none") {
          const skipped = stats.skipped ? `, ${stats.skipped} skipped` : "";
          ctx.info(`exported ${name} (${digest}) into ${dir}: ${plural(stats.files, "file")}, ${plural(stats.dirs, "directory", "directories")}, ${plural(stats.symlinks, "symlink")}, ${plural(stats.hardlinks, "hard link")}${skipped}`);
        }
        if (ctx.opts.json) await printJson({ reference: name, digest, output: dir, ...stats });
      }),
    );
}
