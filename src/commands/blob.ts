/**
 * `ocidist blob REPO@DIGEST [-o FILE]`: a blob's bytes, verified against the digest. No byte
 * reaches stdout before the whole blob is verified: it is spooled into the blob cache first
 * (a file output is written beside FILE and renamed into place only once verified).
 * @module
 */
import type { Command } from "commander";
import { openVerifiedBlob } from "../engine/blob-reader.js";
import { NotFoundError, UsageError } from "../model/errors.js";
import { parseReference } from "../model/reference.js";
import { headBlob } from "../registry/blobs.js";
import { RegistryTarget } from "../targets/registry.js";
import { writeStreamAtomic } from "../util/write-file.js";
import { checkFileOutput, FORCE_HELP } from "../util/output-policy.js";
import { action } from "../cli/action.js";
import { writeData } from "../cli/output.js";
import { cacheFor } from "./pull.js";

/** Registers `blob`. */
export function register(program: Command): void {
  program
    .command("blob")
    .summary("print or save a blob, verified against its digest")
    .argument("<ref>", "REPO@DIGEST, e.g. alpine@sha256:…")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout (- is stdout)")
    .option("--force", FORCE_HELP)
    .option("--cache-dir <dir>", "where the blob is verified before it goes to stdout (default: the blob cache)")
    .action(
      action(async (ctx, text: string, opts: { output?: string; cacheDir?: string; force?: boolean }) => {
        const ref = parseReference(text, { defaultTag: false });
        if (!ref.digest) throw new UsageError(`blob needs REPO@DIGEST, got ${JSON.stringify(text)}`);
        if (opts.output && opts.output !== "-") await checkFileOutput(opts.output, opts.force);
        const client = await ctx.client([ref.registry]);
        const target = new RegistryTarget(client, ref);
        const head = await headBlob(client, ref, ref.digest, ctx.signal);
        if (!head) {
          throw new NotFoundError(`blob ${ref.registry}/${ref.repository}@${ref.digest}: BLOB_UNKNOWN (HTTP 404)`, {
            errors: [{ code: "BLOB_UNKNOWN" }],
          });
        }
        const desc = { mediaType: "application/octet-stream", digest: ref.digest, size: head.size ?? -1 };
        if (opts.output && opts.output !== "-") {
          await writeStreamAtomic(opts.output, await openVerifiedBlob(target, desc, { signal: ctx.signal }), ctx.signal, opts.force === true);
          return;
        }
        const cache = cacheFor(opts.cacheDir);
        if ((await cache.ensure(target, desc, { signal: ctx.signal })) === "cached") await cache.verify(desc);
        for await (const chunk of cache.open(desc)) await writeData(chunk as Buffer);
      }),
    );
}
