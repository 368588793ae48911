/**
 * `ocidist files LOCATION -o DIR`: an artifact's files (a Homebrew bottle, an ORAS artifact),
 * each layer saved under its `org.opencontainers.image.title`, verified; all or none.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../model/errors.js";
import { saveFiles } from "../ops/files.js";
import { ProgressDisplay } from "../progress/display.js";
import { action } from "../cli/action.js";
import { printJson } from "../cli/output.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { LOCATION_HELP, withSource, type Location } from "../cli/locations.js";
import { addTrustOptions, gateImage, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";

/** The repository an untitled bottle layer's name starts with; a layout or archive does not know it (such layers are named by digest). */
function repositoryName(loc: Location): string | undefined {
  return loc.kind === "registry" ? loc.reference!.repository.split("/").pop() : undefined;
}

/** Registers `files`. */
export function register(program: Command): void {
  const command = program
    .command("files")
    .summary("save an artifact's files (e.g. a Homebrew bottle) under their titles, verified")
    .argument("<location>", `artifact, e.g. ghcr.io/homebrew/core/wget:1.24.5; ${LOCATION_HELP}`)
    .option("-o, --output <dir>", "directory to save the files in (created if missing)")
    .option("--force", FORCE_HELP);
  addTrustOptions(command).action(
      action(async (ctx, text: string, opts: { output?: string; force?: boolean } & TrustCliOptions) => {
        const dir = opts.output;
        if (!dir) throw new UsageError("files needs -o DIR");
        const trust = await trustOptionsFrom(opts);
        const display = new ProgressDisplay(ctx.progress);
        const { name, saved } = await withSource(ctx, text, async ({ loc, target, ref, name }) => {
          try {
            if (trust) ref = (await gateImage(ctx, target, ref, loc, trust)).digest;
            const options = { force: opts.force === true, jobs: ctx.jobs, signal: ctx.signal, progress: display, repositoryName: repositoryName(loc) };
            return { name, saved: await saveFiles(target, ref, ctx.platform, dir, options) };
          } finally {
            display.finish();
          }
        });
        if (ctx.opts.json) await printJson({ reference: name, ...saved });
        else for (const f of saved.files) ctx.info(`${f.path}  ${f.digest}`);
      }),
    );
}
