/**
 * `ocidist config REF`: the image config JSON of the platform-resolved image.
 * @module
 */
import type { Command } from "commander";
import { fetchConfig, resolveImage, schema1Config } from "../engine/image.js";
import { action } from "../cli/action.js";
import { printJson, writeData } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";

/** Registers `config`. */
export function register(program: Command): void {
  program
    .command("config")
    .summary("print the image config JSON (an index is resolved to the platform)")
    .argument("<ref>", "image reference")
    .action(
      action(async (ctx, text: string) => {
        const { target, at } = await openReference(ctx, text);
        const { manifest } = await resolveImage(target, at, ctx.platform, ctx.signal);
        const p = manifest.parsed;
        if (p.kind === "schema1") {
          await printJson(schema1Config(p.schema1), 0);
        } else if (p.kind === "image") {
          const { bytes } = await fetchConfig(target, p.manifest, ctx.signal);
          await writeData(bytes);
        }
      }),
    );
}
