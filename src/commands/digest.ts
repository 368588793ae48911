/**
 * `ocidist digest REF`: the manifest digest; with `--platform`, the platform manifest's.
 * @module
 */
import type { Command } from "commander";
import { resolveImage } from "../engine/image.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";

/** Registers `digest`. */
export function register(program: Command): void {
  program
    .command("digest")
    .summary("print the manifest digest (sha256:…)")
    .argument("<ref>", "image reference")
    .action(
      action(async (ctx, text: string) => {
        const { target, at } = await openReference(ctx, text);
        const platform = ctx.requestedPlatform;
        // Without --platform a HEAD is enough (and on Docker Hub it does not count as a pull).
        const descriptor = platform ? (await resolveImage(target, at, platform, ctx.signal)).manifest.descriptor : await target.head(at, ctx.signal);
        if (ctx.opts.json) await printJson({ reference: target.refString(at), ...descriptor });
        else await printLines([descriptor.digest]);
      }),
    );
}
