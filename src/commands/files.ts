/**
 * `ocidist files REF -o DIR`: an artifact's files (a Homebrew bottle, an ORAS artifact): each
 * layer saved under its `org.opencontainers.image.title`, verified; all files appear, or none.
 * @module
 */
import type { Command } from "commander";
import { openVerifiedBlob } from "../engine/blob-reader.js";
import { ANNOTATION_REF_NAME, ANNOTATION_TITLE, type Descriptor } from "../model/descriptor.js";
import { OcidistError, UsageError } from "../model/errors.js";
import { imageManifestOf, resolveImage } from "../engine/image.js";
import { ProgressDisplay } from "../progress/display.js";
import { limiter } from "../util/limit.js";
import { FileSet } from "../util/file-set.js";
import { plainFileName } from "../util/safe-name.js";
import { action } from "../cli/action.js";
import { printJson } from "../cli/output.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { openReference } from "../cli/resolve.js";

/**
 * A safe file name for a layer: its title, else a name built from the bottle's ref name,
 * else the digest; whichever it is must be a plain file name.
 * @throws OcidistError for a name that would leave the directory
 */
export function fileNameFor(layer: Descriptor, fallbackBase: string | undefined, index: number): string {
  const title = layer.annotations?.[ANNOTATION_TITLE];
  if (title !== undefined) return plainFileName(title, `layer ${layer.digest}: its title`);
  if (fallbackBase) return plainFileName(index === 0 ? `${fallbackBase}.bottle.tar.gz` : `${fallbackBase}.${index}.bottle.tar.gz`, `layer ${layer.digest}: the name from the index's ${ANNOTATION_REF_NAME}`);
  return plainFileName(layer.digest.replace(":", "-"), `layer ${layer.digest}: its digest`);
}

/** Registers `files`. */
export function register(program: Command): void {
  program
    .command("files")
    .summary("save an artifact's files (e.g. a Homebrew bottle) under their titles, verified")
    .argument("<ref>", "artifact reference, e.g. ghcr.io/homebrew/core/wget:1.24.5")
    .option("-o, --output <dir>", "directory to save the files in (created if missing)")
    .option("--force", FORCE_HELP)
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
        const set = await FileSet.open(opts.output);
        const display = new ProgressDisplay(ctx.progress);
        const schedule = limiter(ctx.jobs);
        try {
          if (!opts.force) {
            for (const n of names) if (await set.occupied(n)) throw new OcidistError(`${set.pathOf(n)} already exists (use --force to replace it)`);
          }
          // Every file is verified into the stage first; they appear together, or none does.
          // The first failure stops the others, and the stage is removed only once all have stopped.
          const stop = new AbortController();
          const signal = AbortSignal.any([ctx.signal, stop.signal]);
          let first: { err: unknown } | undefined;
          await Promise.allSettled(
            manifest.layers.map((layer, i) =>
              schedule(async () => {
                signal.throwIfAborted();
                display.blobStart(layer);
                await set.write(names[i]!, () => openVerifiedBlob(target, layer, { signal, onBytes: (n) => display.blobBytes(layer, n) }), signal);
                display.blobDone(layer, "transferred");
              }).catch((err: unknown) => {
                first ??= { err };
                stop.abort();
              }),
            ),
          );
          if (first) throw first.err;
          await set.commit(names, opts.force === true);
        } catch (err) {
          await set.abort();
          throw err;
        } finally {
          display.finish();
        }
        const files = manifest.layers.map((l, i) => ({ path: set.pathOf(names[i]!), digest: l.digest, size: l.size }));
        if (ctx.opts.json) await printJson({ reference: target.refString(at), manifest: resolved.manifest.descriptor.digest, files });
        else for (const f of files) ctx.info(`${f.path}  ${f.digest}`);
      }),
    );
}
