/**
 * `ocidist ratelimit [REF]`: Docker Hub's pull limit for this client, from a HEAD request
 * that does not count as a pull.
 * @module
 */
import type { Command } from "commander";
import { getRateLimit } from "../registry/ratelimit.js";
import { parseReference } from "../model/reference.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";

/** The image Docker documents for checking the limit. */
const RATELIMIT_PREVIEW_REF = "docker.io/ratelimitpreview/test:latest";

/** Registers `ratelimit`. */
export function register(program: Command): void {
  program
    .command("ratelimit")
    .summary("show Docker Hub's pull limit for this client (a HEAD request, not counted as a pull)")
    .argument("[ref]", "image to ask about", RATELIMIT_PREVIEW_REF)
    .action(
      action(async (ctx, text: string) => {
        const ref = parseReference(text);
        const client = await ctx.client([ref.registry]);
        const rl = await getRateLimit(client, ref, ctx.signal);
        if (ctx.opts.json) {
          await printJson({ registry: ref.registry, ...rl });
          return;
        }
        if (!rl.limited) {
          await printLines([`${ref.registry}: no pull limit reported (unlimited)${rl.source ? `; source ${rl.source}` : ""}`]);
          return;
        }
        const window = rl.windowSeconds !== undefined ? ` per ${rl.windowSeconds % 3600 === 0 ? `${rl.windowSeconds / 3600} h` : `${rl.windowSeconds} s`}` : "";
        await printLines([`limit: ${rl.limit ?? "?"}${window}`, `remaining: ${rl.remaining ?? "?"}`, ...(rl.source ? [`source: ${rl.source}`] : [])]);
      }),
    );
}
