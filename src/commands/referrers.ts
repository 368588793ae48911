/**
 * `ocidist referrers REF`: manifests whose `subject` is REF (referrers API, falling back to
 * the `sha256-<hex>` tag).
 * @module
 */
import type { Command } from "commander";
import { listReferrers } from "../registry/referrers.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";

/** Registers `referrers`. */
export function register(program: Command): void {
  program
    .command("referrers")
    .summary("list the manifests that refer to REF (signatures, SBOMs, attestations)")
    .argument("<ref>", "image reference")
    .option("--artifact-type <type>", "only referrers of this artifact type")
    .action(
      action(async (ctx, text: string, opts: { artifactType?: string }) => {
        const { ref, target, at } = await openReference(ctx, text);
        const digest = ref.digest ?? (await target.head(at, ctx.signal)).digest;
        const { referrers, source } = await listReferrers(target.client, ref, digest, opts.artifactType, ctx.signal);
        if (ctx.opts.json) await printJson({ subject: digest, source, referrers });
        else await printLines(referrers.map((d) => [d.digest, d.artifactType ?? d.mediaType, String(d.size)]));
      }),
    );
}
