/**
 * `ocidist blob LOCATION@DIGEST [-o FILE]`: a blob's bytes, verified against the digest, from
 * a registry (`REPO@DIGEST`) or a local location (`oci:DIR@DIGEST`, `oci-archive:FILE@DIGEST`,
 * `docker-archive:FILE@DIGEST`). No byte reaches stdout before the whole blob is verified: it
 * is spooled into the blob cache first (a file output is written beside FILE and renamed into
 * place only once verified).
 * @module
 */
import type { Command } from "commander";
import { openVerifiedBlob } from "../engine/blob-reader.js";
import { UsageError } from "../model/errors.js";
import { OCTET_STREAM } from "../model/media-types.js";
import { writeStreamAtomic } from "../util/write-file.js";
import { checkFileOutput, FORCE_HELP } from "../util/output-policy.js";
import { action } from "../cli/action.js";
import { cacheFor } from "../cli/cache.js";
import { writeData } from "../cli/output.js";
import { withSource } from "../cli/locations.js";

/** Registers `blob`. */
export function register(program: Command): void {
  program
    .command("blob")
    .summary("print or save a blob, verified against its digest")
    .argument("<location@digest>", "REPO@DIGEST (alpine@sha256:…), or oci:DIR@DIGEST, oci-archive:FILE@DIGEST, docker-archive:FILE@DIGEST; a tag given too is ignored")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout (- is stdout)")
    .option("--force", FORCE_HELP)
    .option("--cache-dir <dir>", "where the blob is verified before it goes to stdout (default: the blob cache)")
    .action(
      action(async (ctx, text: string, opts: { output?: string; cacheDir?: string; force?: boolean }) => {
        if (opts.output && opts.output !== "-") await checkFileOutput(opts.output, opts.force);
        await withSource(ctx, text, async ({ loc, target }) => {
          if (!loc.digest) throw new UsageError(`blob needs LOCATION@DIGEST (REPO@sha256:…, oci:DIR@sha256:…), got ${JSON.stringify(text)}`);
          const probe = { mediaType: OCTET_STREAM, digest: loc.digest, size: -1 };
          // The size bounds the read; where the location cannot tell, --max-blob-size does.
          const desc = { ...probe, size: (await target.blobSize?.(probe, ctx.signal)) ?? -1 };
          if (opts.output && opts.output !== "-") {
            await writeStreamAtomic(opts.output, await openVerifiedBlob(target, desc, { signal: ctx.signal }), ctx.signal, opts.force === true);
            return;
          }
          const cache = cacheFor(opts.cacheDir);
          // Bytes found in the cache are hashed again before any reaches stdout; then (or after a
          // download) the file read is checked to be the one verified.
          if ((await cache.ensure(target, desc, { signal: ctx.signal })) === "cached") await cache.verify(desc);
          for await (const chunk of await cache.openChecked(desc)) await writeData(chunk as Buffer);
        });
      }),
    );
}
