/**
 * `ocidist tag REF TAG...` and `ocidist delete REF`.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseReference } from "../reference.js";
import { deleteManifest, putManifest } from "../registry/manifests.js";
import { action } from "../cli/action.js";
import { openReference } from "../cli/resolve.js";

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Registers `tag` and `delete`. */
export function register(program: Command): void {
  program
    .command("tag")
    .summary("add tags to an existing manifest without moving blobs")
    .argument("<ref>", "existing image reference")
    .argument("<tags...>", "new tags")
    .action(
      action(async (ctx, text: string, tags: string[]) => {
        for (const t of tags) if (!TAG.test(t)) throw new UsageError(`invalid tag ${JSON.stringify(t)}: tags are [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
        const { ref, target, at } = await openReference(ctx, text);
        const got = await target.getManifest(at, ctx.signal);
        for (const t of tags) {
          await putManifest(target.client, { registry: ref.registry, repository: ref.repository, tag: t }, got.bytes, got.descriptor.mediaType, ctx.signal);
          ctx.info(`tagged ${ref.registry}/${ref.repository}:${t} → ${got.descriptor.digest}`);
        }
      }),
    );

  program
    .command("delete")
    .summary("delete a manifest (by digest; a tag is resolved first)")
    .argument("<ref>", "image reference")
    .action(
      action(async (ctx, text: string) => {
        const parsed = parseReference(text);
        const { ref, target, at } = await openReference(ctx, text);
        const digest = parsed.digest ?? (await target.head(at, ctx.signal)).digest;
        await deleteManifest(target.client, ref, digest, ctx.signal);
        ctx.info(`deleted ${ref.registry}/${ref.repository}@${digest}`);
      }),
    );
}
