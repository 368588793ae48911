/**
 * `ocidist script REF`: print a POSIX sh script that performs the same pull with only curl,
 * sha256sum and tar, pinned to today's digests.
 * @module
 */
import type { Command } from "commander";
import { OcidistError, UsageError } from "../model/errors.js";
import { resolveImage } from "../engine/image.js";
import { formatReference } from "../model/reference.js";
import { generateScript, type ScriptFormat } from "../ops/script.js";
import { VERSION } from "../cli/version.js";
import { action } from "../cli/action.js";
import { writeData } from "../cli/output.js";
import { openRegistry } from "../cli/locations.js";

const FORMATS = new Set<ScriptFormat>(["docker-archive", "oci", "oci-archive"]);

/** Registers `script`. */
export function register(program: Command): void {
  program
    .command("script")
    .summary("print a sh script that pulls REF with only curl, sha256sum and tar, pinned to today's digests")
    .argument("<ref>", "image reference")
    .option("--format <format>", "docker-archive, oci or oci-archive", "docker-archive")
    .action(
      action(async (ctx, text: string, opts: { format: string }) => {
        if (!FORMATS.has(opts.format as ScriptFormat)) throw new UsageError(`--format wants docker-archive, oci or oci-archive, not ${JSON.stringify(opts.format)}`);
        const format = opts.format as ScriptFormat;
        const { ref, target, at } = await openRegistry(ctx, text);
        const resolved = await resolveImage(target, at, ctx.platform, ctx.signal);
        const parsed = resolved.manifest.parsed;
        if (parsed.kind !== "image") {
          throw new OcidistError(`${target.refString(at)} is a ${parsed.kind === "schema1" ? "Docker schema1 manifest, which a shell script cannot convert; use ocidist pull" : "nested index"}`);
        }
        const state = await target.client.ping(ref.registry, ctx.signal);
        const name = ref.tag ? (format === "docker-archive" ? formatReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag }) : ref.tag) : undefined;
        const script = generateScript({
          reference: target.refString(at),
          base: state.base,
          repository: ref.repository,
          ...(state.challenge ? { challenge: state.challenge } : {}),
          ...(resolved.index ? { index: resolved.index.descriptor } : {}),
          manifest: resolved.manifest.descriptor,
          image: parsed.manifest,
          format,
          ...(name ? { name } : {}),
          generator: `ocidist ${VERSION} on ${new Date().toISOString().slice(0, 10)}`,
        });
        await writeData(Buffer.from(script));
      }),
    );
}
