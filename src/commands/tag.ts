/**
 * `ocidist tag REF TAG...` and `ocidist delete REF`.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../model/errors.js";
import { isValidTag, tagError } from "../model/reference.js";
import { putManifest } from "../registry/manifests.js";
import { deleteReference } from "../registry/delete.js";
import { printJson } from "../cli/output.js";
import { action } from "../cli/action.js";
import { openRegistry } from "../cli/locations.js";

/** Registers `tag` and `delete`. */
export function register(program: Command): void {
  program
    .command("tag")
    .summary("add tags to an existing manifest without moving blobs")
    .argument("<ref>", "existing image reference")
    .argument("<tags...>", "new tags")
    .action(
      action(async (ctx, text: string, tags: string[]) => {
        for (const t of tags) if (!isValidTag(t)) throw new UsageError(tagError(t));
        const { ref, target, at } = await openRegistry(ctx, text);
        const got = await target.getManifest(at, ctx.signal);
        for (const t of tags) {
          await putManifest(target.client, { registry: ref.registry, repository: ref.repository, tag: t }, got.bytes, got.descriptor.mediaType, ctx.signal);
          ctx.info(`tagged ${ref.registry}/${ref.repository}:${t} → ${got.descriptor.digest}`);
        }
        if (ctx.opts.json) await printJson({ repository: `${ref.registry}/${ref.repository}`, digest: got.descriptor.digest, mediaType: got.descriptor.mediaType, tags });
      }),
    );

  program
    .command("delete")
    .summary("delete a manifest (a tag alone where the registry can untag; refused when other tags would go too)")
    .argument("<ref>", "image reference")
    .option("--force", "delete the manifest even when other tags name it (they go too)")
    .action(
      action(async (ctx, text: string, opts: { force?: boolean }) => {
        const { ref, target } = await openRegistry(ctx, text);
        const result = await deleteReference(target.client, ref, { force: opts.force, jobs: ctx.jobs, signal: ctx.signal });
        const name = `${ref.registry}/${ref.repository}`;
        if (result.removed === "tag") ctx.info(`deleted tag ${name}:${result.tags[0]} (the manifest ${result.digest} stays)`);
        else ctx.info(`deleted ${name}@${result.digest}${result.tags.length ? ` and its tag${result.tags.length === 1 ? "" : "s"} ${result.tags.join(", ")}` : ""}`);
        if (ctx.opts.json) await printJson({ repository: name, ...result });
      }),
    );
}
