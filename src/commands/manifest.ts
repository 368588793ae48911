/**
 * `ocidist manifest REF`: the manifest exactly as served, byte for byte; with `--platform`
 * an index is resolved to that platform's manifest.
 * @module
 */
import type { Command } from "commander";
import { resolveImage } from "../engine/image.js";
import { action } from "../cli/action.js";
import { writeData } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";

/** Registers `manifest`. */
export function register(program: Command): void {
  program
    .command("manifest")
    .summary("print the manifest exactly as served (pipe to sha256sum for its digest)")
    .argument("<ref>", "image reference, e.g. alpine:3.20 or host/repo@sha256:…")
    .action(
      action(async (ctx, text: string) => {
        const { target, at } = await openReference(ctx, text);
        const { manifest } = await resolveImage(target, at, ctx.requestedPlatform, ctx.signal);
        await writeData(manifest.bytes);
      }),
    );
}
