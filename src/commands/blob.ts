/**
 * `ocidist blob REPO@DIGEST [-o FILE]`: a blob's bytes, verified against the digest.
 * @module
 */
import type { Command } from "commander";
import { openVerifiedBlob } from "../blob-reader.js";
import { NotFoundError, UsageError } from "../errors.js";
import { parseReference } from "../reference.js";
import { headBlob } from "../registry/blobs.js";
import { RegistryTarget } from "../targets/registry.js";
import { writeStreamAtomic } from "../util/write-file.js";
import { action } from "../cli/action.js";
import { writeData } from "../cli/output.js";

/** Registers `blob`. */
export function register(program: Command): void {
  program
    .command("blob")
    .summary("print or save a blob, verified against its digest")
    .argument("<ref>", "REPO@DIGEST, e.g. alpine@sha256:…")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout")
    .action(
      action(async (ctx, text: string, opts: { output?: string }) => {
        const ref = parseReference(text, { defaultTag: false });
        if (!ref.digest) throw new UsageError(`blob needs REPO@DIGEST, got ${JSON.stringify(text)}`);
        const client = await ctx.client([ref.registry]);
        const target = new RegistryTarget(client, ref);
        const head = await headBlob(client, ref, ref.digest, ctx.signal);
        if (!head) {
          throw new NotFoundError(`blob ${ref.registry}/${ref.repository}@${ref.digest}: BLOB_UNKNOWN (HTTP 404)`, {
            status: 404,
            method: "HEAD",
            url: "",
            errors: [{ code: "BLOB_UNKNOWN" }],
          });
        }
        const desc = { mediaType: "application/octet-stream", digest: ref.digest, size: head.size ?? -1 };
        const stream = await openVerifiedBlob(target, desc, { signal: ctx.signal });
        if (opts.output) {
          await writeStreamAtomic(opts.output, stream, ctx.signal);
          return;
        }
        for await (const chunk of stream) await writeData(chunk as Buffer);
      }),
    );
}
