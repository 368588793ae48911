/**
 * `ocidist manifest LOCATION`: the manifest exactly as stored, byte for byte; with
 * `--platform` an index is resolved to that platform's manifest.
 * @module
 */
import type { Command } from "commander";
import { resolveImage } from "../engine/image.js";
import { action } from "../cli/action.js";
import { writeData } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Registers `manifest`. */
export function register(program: Command): void {
  program
    .command("manifest")
    .summary("print the manifest exactly as served (pipe to sha256sum for its digest)")
    .argument("<location>", `${LOCATION_HELP}; for a docker archive without an OCI layout inside, the manifest ocidist synthesizes from its manifest.json (what push stores)`)
    .action(
      action(async (ctx, text: string) => {
        const { manifest } = await withSource(ctx, text, ({ target, ref }) => resolveImage(target, ref, ctx.requestedPlatform, ctx.signal));
        await writeData(manifest.bytes);
      }),
    );
}
