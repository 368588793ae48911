/**
 * `ocidist verify LOCATION`: re-check a docker archive, OCI layout or OCI archive; with
 * `--key`, keyless options or `--policy`, verify the signatures of what any LOCATION names.
 * @module
 */
import { parseMaxRatio } from "../export/decompress.js";
import { MAX_DECOMPRESSION_RATIO } from "../model/limits.js";
import type { Command } from "commander";
import { OcidistError } from "../model/errors.js";
import { verifyLocation } from "../ops/verify.js";
import { action } from "../cli/action.js";
import { formatBytes, plural, printJson, printLines } from "../cli/output.js";
import { openSource, parseLocalLocation, withSource } from "../cli/locations.js";
import { addTrustOptions, describeVerdict, gateImage, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";
import type { TrustOptions } from "../trust/verify-image.js";
import type { CliContext } from "../cli/context.js";

/** `verify REF --key …`: exit 0 only when REF's digest is accepted; says which signature matched. */
async function verifySignatures(ctx: CliContext, text: string, trust: TrustOptions): Promise<void> {
  const { name, passed } = await withSource(ctx, text, async ({ loc, target, ref, name }) => ({ name, passed: await gateImage(ctx, target, ref, loc, trust, false) }));
  if (ctx.opts.json) await printJson({ reference: name, ...passed.verdict, verified: true });
  else await printLines([describeVerdict(name, passed.verdict).replace(/^ocidist: /, "")]);
}

/** Registers `verify`. */
export function register(program: Command): void {
  const command = program
    .command("verify")
    .summary("re-check an archive or layout; with --key, keyless options or --policy, verify REF's signatures")
    .argument("<location>", "docker-archive:FILE, oci:DIR, oci-archive:FILE, or a bare path; with signature options, any LOCATION")
    .option("--max-ratio <n>", "refuse a layer that decompresses to more than N times its size (past 16 MiB; 0: no limit)", String(MAX_DECOMPRESSION_RATIO));
  addTrustOptions(command).action(
      action(async (ctx, text: string, opts: { maxRatio: string } & TrustCliOptions) => {
        const trust = await trustOptionsFrom(opts);
        if (trust) return verifySignatures(ctx, text, trust);
        const maxRatio = parseMaxRatio(opts.maxRatio);
        const loc = await parseLocalLocation(text, "verify");
        const src = await openSource(ctx, loc, { keepUncompressed: true });
        try {
          const report = await verifyLocation(src, loc.ref ? [loc.ref] : undefined, ctx.signal, maxRatio);
          if (ctx.opts.json) await printJson(report);
          else {
            const out: string[] = [];
            for (const img of report.images) {
              out.push(`${img.ok ? "ok  " : "FAIL"} ${img.name ?? "(unnamed)"} ${img.digest ?? ""}`);
              for (const p of img.problems) out.push(`     ${p}`);
            }
            out.push(`${plural(report.images.length, "image")}, ${plural(report.blobs, "blob")}, ${formatBytes(report.bytes)} checked: ${report.ok ? "all verified" : "PROBLEMS FOUND"}`);
            await printLines(out);
          }
          if (!report.ok) throw new OcidistError(`verify ${text}: ${plural(report.images.filter((i) => !i.ok).length, "image")} failed verification`);
        } finally {
          await src.close?.();
        }
      }),
    );
}
