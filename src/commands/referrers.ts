/**
 * `ocidist referrers LOCATION`: manifests whose `subject` is what LOCATION names (a
 * registry's referrers API, falling back to the `sha256-<hex>` tag; a layout's index).
 * @module
 */
import type { Command } from "commander";
import { referrersOf } from "../ops/referrers.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Registers `referrers`. */
export function register(program: Command): void {
  program
    .command("referrers")
    .summary("list the manifests that refer to REF (signatures, SBOMs, attestations)")
    .argument("<location>", LOCATION_HELP)
    .option("--artifact-type <type>", "only referrers of this artifact type")
    .action(
      action(async (ctx, text: string, opts: { artifactType?: string }) => {
        const result = await withSource(ctx, text, ({ target, ref }) => referrersOf(target, ref, opts.artifactType, ctx.signal));
        if (ctx.opts.json) await printJson(result);
        else await printLines(result.referrers.map((d) => [d.digest, d.artifactType ?? d.mediaType, String(d.size)]));
      }),
    );
}
