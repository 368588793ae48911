/**
 * `ocidist verify LOCATION`: re-check a docker archive, OCI layout or OCI archive.
 * @module
 */
import type { Command } from "commander";
import { OcidistError } from "../errors.js";
import { verifyLocation } from "../verify.js";
import { action } from "../cli/action.js";
import { formatBytes, printJson, printLines } from "../cli/output.js";
import { openSource, parseCliLocation } from "../cli/locations.js";

/** Registers `verify`. */
export function register(program: Command): void {
  program
    .command("verify")
    .summary("re-check an archive or layout: blobs, sizes, config and diff IDs")
    .argument("<location>", "docker-archive:FILE, oci:DIR, oci-archive:FILE, or a bare path")
    .action(
      action(async (ctx, text: string) => {
        const loc = await parseCliLocation(text, true);
        if (loc.kind === "registry") throw new OcidistError(`verify checks local archives and layouts; ${JSON.stringify(text)} is not one`);
        const src = await openSource(ctx, loc);
        try {
          const report = await verifyLocation(src, loc.ref ? [loc.ref] : undefined, ctx.signal);
          if (ctx.opts.json) await printJson(report);
          else {
            const out: string[] = [];
            for (const img of report.images) {
              out.push(`${img.ok ? "ok  " : "FAIL"} ${img.name ?? "(unnamed)"} ${img.digest ?? ""}`);
              for (const p of img.problems) out.push(`     ${p}`);
            }
            out.push(`${report.images.length} image(s), ${report.blobs} blobs, ${formatBytes(report.bytes)} checked: ${report.ok ? "all verified" : "PROBLEMS FOUND"}`);
            await printLines(out);
          }
          if (!report.ok) throw new OcidistError(`verify ${text}: ${report.images.filter((i) => !i.ok).length} image(s) failed verification`);
        } finally {
          await src.close?.();
        }
      }),
    );
}
