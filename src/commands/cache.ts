/**
 * `ocidist cache path` and `ocidist cache clear`: the resumable blob cache.
 * @module
 */
import type { Command } from "commander";
import { BlobCache } from "../engine/cache.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";

/** Registers `cache`. */
export function register(program: Command): void {
  const cache = program.command("cache").summary("show or clear the blob cache that makes pulls resumable");
  cache
    .command("path")
    .description("print the cache directory")
    .option("--cache-dir <dir>", "cache directory")
    .action(
      action(async (ctx, opts: { cacheDir?: string }) => {
        const dir = new BlobCache(opts.cacheDir).dir;
        if (ctx.opts.json) await printJson({ path: dir });
        else await printLines([dir]);
      }),
    );
  cache
    .command("clear")
    .description("remove every cached blob and partial download")
    .option("--cache-dir <dir>", "cache directory")
    .action(
      action(async (ctx, opts: { cacheDir?: string }) => {
        const c = new BlobCache(opts.cacheDir);
        await c.clear();
        ctx.info(`cleared ${c.dir}`);
        if (ctx.opts.json) await printJson({ path: c.dir, cleared: true });
      }),
    );
}
