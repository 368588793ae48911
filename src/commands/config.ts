/**
 * `ocidist config REF`: the image config JSON of the platform-resolved image.
 * @module
 */
import type { Command } from "commander";
import { fetchConfig, resolveImage, schema1Config } from "../image.js";
import { action } from "../cli/action.js";
import { writeOut } from "../cli/output.js";
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
          await writeOut(`${JSON.stringify(schema1Config(p.schema1))}\n`);
        } else if (p.kind === "image") {
          const { bytes } = await fetchConfig(target, p.manifest, ctx.signal);
          await writeOut(bytes);
        }
      }),
    );
}
