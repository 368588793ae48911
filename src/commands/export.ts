/**
 * `ocidist export REF DIR`: the image's flattened root filesystem. Layers are fetched in
 * parallel into the blob cache and applied in order as each arrives.
 * @module
 */
import type { Command } from "commander";
import type { Descriptor } from "../model/descriptor.js";
import { parseMaxRatio } from "../export/decompress.js";
import { exportRootfs } from "../export/export-rootfs.js";
import { MAX_DECOMPRESSION_RATIO } from "../model/limits.js";
import { imageManifestOf, resolveImage } from "../engine/image.js";
import { parseManifest } from "../model/manifest.js";
import { ProgressDisplay } from "../progress/display.js";
import { cacheOutcome } from "../progress/events.js";
import { convertSchema1 } from "../engine/schema1-convert.js";
import { limiter } from "../util/limit.js";
import { action } from "../cli/action.js";
import { plural, printJson } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";
import { cacheFor } from "./pull.js";
import { FORCE_HELP } from "../util/output-policy.js";

/** Skipped entries named without -v. */
const MAX_SKIP_LINES = 10;

/** Registers `export`. */
export function register(program: Command): void {
  program
    .command("export")
    .summary("write the image's flattened root filesystem into DIR (whiteouts applied, nothing outside DIR)")
    .argument("<ref>", "image reference")
    .argument("<dir>", "a new or empty directory")
    .option("--force", FORCE_HELP)
    .option("--cache-dir <dir>", "blob cache directory")
    .option("--max-ratio <n>", `refuse a layer that decompresses to more than N times its size (past 16 MiB; 0: no limit)`, String(MAX_DECOMPRESSION_RATIO))
    .option("--drop-special-bits", "clear setuid, setgid and sticky bits (kept by default when running as root)")
    .action(
      action(async (ctx, text: string, dir: string, opts: { cacheDir?: string; maxRatio: string; dropSpecialBits?: boolean; force?: boolean }) => {
        const maxRatio = parseMaxRatio(opts.maxRatio);
        const { target, at } = await openReference(ctx, text);
        const cache = cacheFor(opts.cacheDir);
        const display = new ProgressDisplay(ctx.progress);
        const schedule = limiter(ctx.jobs);
        const fetchLayer = (l: Descriptor) =>
          schedule(async () => {
            display.blobStart(l);
            const how = await cache.ensure(target, l, { signal: ctx.signal, onBytes: (n) => display.blobBytes(l, n) });
            display.blobDone(l, cacheOutcome(how));
          });
        const resolved = await resolveImage(target, at, ctx.platform, ctx.signal);
        let layers: Descriptor[];
        const parsed = resolved.manifest.parsed;
        if (parsed.kind === "schema1") {
          const sums = [...new Set(parsed.schema1.fsLayers.map((l) => l.blobSum))];
          // Schema 1 gives no sizes: the registry's (HEAD) bounds each read; else --max-blob-size does.
          const sized = async (digest: string) => ({ mediaType: "", digest, size: (await target.blobSize({ mediaType: "", digest, size: -1 }, ctx.signal)) ?? -1 });
          await Promise.all(sums.map(async (digest) => fetchLayer(await sized(digest))));
          const converted = await convertSchema1(parsed.schema1, cache);
          layers = imageManifestOf(parseManifest(converted.manifestBytes), "converted schema1 manifest").layers;
        } else {
          layers = imageManifestOf(parsed, target.refString(at)).layers;
        }
        display.plan(layers);
        const ready = layers.map((l) => fetchLayer(l));
        for (const r of ready) r.catch(() => undefined);
        async function* inOrder() {
          for (let i = 0; i < layers.length; i++) {
            await ready[i];
            const descriptor = layers[i]!;
            yield { descriptor, open: async () => cache.openVerified(descriptor) };
          }
        }
        // Entries export does not create (devices, FIFOs, names or links leaving the root)
        // are named: the first few always, every one with -v.
        let warned = 0;
        const warn = (line: string) => {
          if (++warned <= MAX_SKIP_LINES) ctx.info(`ocidist: ${line}`);
          else ctx.debug(line);
        };
        try {
          const stats = await exportRootfs(inOrder(), dir, { signal: ctx.signal, warn, maxRatio, preservePrivileged: !opts.dropSpecialBits, replace: opts.force === true });
          display.finish();
          if (warned > MAX_SKIP_LINES) ctx.info(`ocidist: ${plural(warned, "entry", "entries")} skipped in all (-v names each)`);
          if (ctx.progress !== "none") {
            const skipped = stats.skipped ? `, ${stats.skipped} skipped` : "";
            ctx.info(`exported ${target.refString(at)} (${resolved.manifest.descriptor.digest}) into ${dir}: ${plural(stats.files, "file")}, ${plural(stats.dirs, "directory", "directories")}, ${plural(stats.symlinks, "symlink")}, ${plural(stats.hardlinks, "hard link")}${skipped}`);
          }
          if (ctx.opts.json) await printJson({ reference: target.refString(at), digest: resolved.manifest.descriptor.digest, output: dir, ...stats });
        } finally {
          display.finish();
        }
      }),
    );
}
