/**
 * `ocidist files REF -o DIR`: an artifact's files (a Homebrew bottle, an ORAS artifact): each
 * layer saved under its `org.opencontainers.image.title`, verified, written atomically.
 * @module
 */
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { openVerifiedBlob } from "../blob-reader.js";
import { ANNOTATION_REF_NAME, ANNOTATION_TITLE, type Descriptor } from "../descriptor.js";
import { OcidistError, UsageError } from "../errors.js";
import { imageManifestOf, resolveImage } from "../image.js";
import { ProgressDisplay } from "../progress/display.js";
import { limiter } from "../util/limit.js";
import { writeStreamAtomic } from "../util/write-file.js";
import { action } from "../cli/action.js";
import { printJson } from "../cli/output.js";
import { openReference } from "../cli/resolve.js";

/**
 * A safe file name for a layer: its title when it is a plain name (no separators, not `.`
 * or `..`, no control characters), else a name built from the bottle's ref name, else the
 * digest. @throws OcidistError for a title that would leave the directory
 */
export function fileNameFor(layer: Descriptor, fallbackBase: string | undefined, index: number): string {
  const title = layer.annotations?.[ANNOTATION_TITLE];
  if (title !== undefined) {
    if (title === "" || title === "." || title === ".." || /[/\\\0]/.test(title) || /[\x00-\x1f]/.test(title)) {
      throw new OcidistError(`refusing layer ${layer.digest}: its title ${JSON.stringify(title)} is not a plain file name`);
    }
    return title;
  }
  if (fallbackBase) return index === 0 ? `${fallbackBase}.bottle.tar.gz` : `${fallbackBase}.${index}.bottle.tar.gz`;
  return layer.digest.replace(":", "-");
}

/** Registers `files`. */
export function register(program: Command): void {
  program
    .command("files")
    .summary("save an artifact's files (e.g. a Homebrew bottle) under their titles, verified")
    .argument("<ref>", "artifact reference, e.g. ghcr.io/homebrew/core/wget:1.24.5")
    .option("-o, --output <dir>", "directory to save the files in (created if missing)")
    .option("--force", "replace files that already exist")
    .action(
      action(async (ctx, text: string, opts: { output?: string; force?: boolean }) => {
        if (!opts.output) throw new UsageError("files needs -o DIR");
        const { ref, target, at } = await openReference(ctx, text);
        const resolved = await resolveImage(target, at, ctx.platform, ctx.signal);
        const manifest = imageManifestOf(resolved.manifest.parsed, target.refString(at));
        const entry = resolved.index?.parsed.kind === "index" ? resolved.index.parsed.index.manifests.find((d) => d.digest === resolved.manifest.descriptor.digest) : undefined;
        const refName = entry?.annotations?.[ANNOTATION_REF_NAME];
        const base = refName ? `${ref.repository.split("/").pop()}--${refName}` : undefined;
        const names = manifest.layers.map((l, i) => fileNameFor(l, base, i));
        if (new Set(names).size !== names.length) throw new OcidistError(`${target.refString(at)}: two layers have the same title`);
        await mkdir(opts.output, { recursive: true });
        if (!opts.force) {
          for (const n of names) {
            if (await stat(join(opts.output, n)).then(() => true, () => false)) {
              throw new OcidistError(`${join(opts.output, n)} already exists (use --force to replace it)`);
            }
          }
        }
        const display = new ProgressDisplay(ctx.progress);
        const schedule = limiter(ctx.jobs);
        try {
          await Promise.all(
            manifest.layers.map((layer, i) =>
              schedule(async () => {
                display.blobStart(layer);
                const body = await openVerifiedBlob(target, layer, { signal: ctx.signal, onBytes: (n) => display.blobBytes(layer, n) });
                await writeStreamAtomic(join(opts.output!, names[i]!), body, ctx.signal);
                display.blobDone(layer, "transferred");
              }),
            ),
          );
        } finally {
          display.finish();
        }
        const files = manifest.layers.map((l, i) => ({ path: join(opts.output!, names[i]!), digest: l.digest, size: l.size }));
        if (ctx.opts.json) await printJson({ reference: target.refString(at), manifest: resolved.manifest.descriptor.digest, files });
        else for (const f of files) ctx.info(`${f.path}  ${f.digest}`);
      }),
    );
}
