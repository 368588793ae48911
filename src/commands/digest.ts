/**
 * `ocidist digest LOCATION`: the manifest digest; with `--platform`, the platform manifest's.
 * @module
 */
import type { Command } from "commander";
import { resolveDigest } from "../engine/image.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Registers `digest`. */
export function register(program: Command): void {
  program
    .command("digest")
    .summary("print the manifest digest (sha256:…)")
    .argument("<location>", LOCATION_HELP)
    .action(
      action(async (ctx, text: string) => {
        const { name, descriptor } = await withSource(ctx, text, async ({ target, ref, name }) => ({ name, descriptor: await resolveDigest(target, ref, ctx.requestedPlatform, ctx.signal) }));
        if (ctx.opts.json) await printJson({ reference: name, ...descriptor });
        else await printLines([descriptor.digest]);
      }),
    );
}
