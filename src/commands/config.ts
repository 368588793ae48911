/**
 * `ocidist config LOCATION`: the image config JSON of the platform-resolved image.
 * @module
 */
import type { Command } from "commander";
import { imageConfig } from "../ops/config.js";
import { action } from "../cli/action.js";
import { printJson, writeData } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Registers `config`. */
export function register(program: Command): void {
  program
    .command("config")
    .summary("print the image config JSON (an index is resolved to the platform)")
    .argument("<location>", LOCATION_HELP)
    .action(
      action(async (ctx, text: string) => {
        const config = await withSource(ctx, text, ({ target, ref }) => imageConfig(target, ref, ctx.platform, ctx.signal));
        if ("bytes" in config) await writeData(config.bytes);
        else await printJson(config.schema1, 0);
      }),
    );
}
