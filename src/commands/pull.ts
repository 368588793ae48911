/**
 * `ocidist pull REF... -o PATH`: images into a docker archive (default), an OCI layout or an
 * OCI archive, through the resumable blob cache, with progress on stderr.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../model/errors.js";
import { formatPlatform } from "../model/platform.js";
import { parseReference, type Reference } from "../model/reference.js";
import { crossCheckReference } from "../cli/cross-check.js";
import type { LocalKind } from "../targets/local.js";
import { pullImages, type PullReport } from "../ops/pull.js";
import { ProgressDisplay } from "../progress/display.js";
import { action } from "../cli/action.js";
import { cacheFor } from "../cli/cache.js";
import { printJson } from "../cli/output.js";
import type { CliContext } from "../cli/context.js";
import { formatBytes, plural } from "../cli/output.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { isStdout, stdoutFile } from "../cli/stdout-file.js";
import { addTrustOptions, gateImage, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";
import { RegistryTarget } from "../targets/registry.js";
import type { RegistryClient } from "../registry/client.js";

const FORMATS: Record<string, LocalKind> = { "docker-archive": "docker-archive", oci: "oci", "oci-archive": "oci-archive" };

/** Options of `pull`. */
interface PullOptions extends TrustCliOptions {
  output?: string;
  path?: string;
  format: string;
  allPlatforms?: boolean;
  cacheDir?: string;
  /** commander's negation of --no-cache. */
  cache?: boolean;
  force?: boolean;
}

async function pull(ctx: CliContext, refs: string[], opts: PullOptions): Promise<void> {
  const named = opts.output ?? opts.path;
  if (!named) throw new UsageError("pull needs -o PATH (or --path PATH; - for stdout)");
  const kind = FORMATS[opts.format];
  if (!kind) throw new UsageError(`--format wants docker-archive, oci or oci-archive, not ${JSON.stringify(opts.format)}`);
  if (isStdout(named) && kind === "oci") throw new UsageError("an OCI layout is a directory and cannot go to stdout: use --format oci-archive or docker-archive with -o -");
  if (isStdout(named) && ctx.opts.json) throw new UsageError("--json and -o - both write to stdout: choose one");
  const trust = await trustOptionsFrom(opts);
  const toStdout = isStdout(named) ? await stdoutFile("pull.tar") : undefined;
  try {
    await pullInto(ctx, refs, opts, kind, toStdout?.path ?? named, toStdout ? "stdout" : named, trust);
    await toStdout?.emit(ctx.signal);
  } finally {
    await toStdout?.discard();
  }
}

/** The trust gate of `pull`: each reference verified before anything is written, then pinned to the digest verified. */
async function gateAll(ctx: CliContext, client: RegistryClient, refs: Reference[], trust: Awaited<ReturnType<typeof trustOptionsFrom>>): Promise<Reference[]> {
  if (!trust) return refs;
  const pinned: Reference[] = [];
  for (const ref of refs) {
    const { digest } = await gateImage(ctx, new RegistryTarget(client, ref), ref.digest ?? ref.tag, { kind: "registry", reference: ref }, trust);
    pinned.push({ ...ref, digest });
  }
  return pinned;
}

async function pullInto(ctx: CliContext, refs: string[], opts: PullOptions, kind: LocalKind, output: string, shown: string, trust: Awaited<ReturnType<typeof trustOptionsFrom>>): Promise<void> {
  if (opts.allPlatforms && kind === "docker-archive") throw new UsageError("--all-platforms needs --format oci or oci-archive: a docker archive holds one image per name");
  const given = refs.map((r) => parseReference(r));
  const client = await ctx.client([...new Set(given.map((r) => r.registry))]);
  const parsed: Reference[] = [];
  for (const ref of given) parsed.push(await crossCheckReference(ctx, ref));
  const verified = await gateAll(ctx, client, parsed, trust);
  const cache = opts.cache === false ? undefined : cacheFor(opts.cacheDir);
  const display = new ProgressDisplay(ctx.progress);
  let report: PullReport;
  try {
    // The archive's digest is a second pass over every byte: made only when it is shown.
    const digestArchive = ctx.progress !== "none" || ctx.opts.json === true;
    report = await pullImages(client, verified, { kind, path: output, force: opts.force, digestArchive }, {
      platform: opts.allPlatforms ? undefined : ctx.platform,
      jobs: ctx.jobs,
      signal: ctx.signal,
      retry: ctx.retry,
      ...(cache ? { cache } : {}),
      convertSchema1: true,
      progress: display,
    });
  } catch (err) {
    display.finish();
    throw err;
  }
  const { images, archiveDigest } = report;
  display.finish(`pulled ${plural(images.length, "image")} into ${shown} (${kind}, ${formatBytes(display.transferred)} downloaded)`);
  if (archiveDigest && ctx.progress !== "none") ctx.info(`archive ${archiveDigest}`);
  for (const { reference, result } of images) {
    const parts = [`${reference}: ${result.source.digest}`];
    if (result.root.digest !== result.source.digest) parts.push(`→ ${result.root.digest}`);
    if (result.platform) parts.push(`(${formatPlatform(result.platform)})`);
    if (ctx.progress !== "none") ctx.info(parts.join(" "));
  }
  if (ctx.opts.json) {
    await printJson({
      output: shown,
      format: kind,
      ...(archiveDigest ? { archiveDigest } : {}),
      images: images.map(({ reference, result }) => ({
        reference,
        digest: result.source.digest,
        manifest: result.root.digest,
        mediaType: result.root.mediaType,
        ...(result.platform ? { platform: formatPlatform(result.platform) } : {}),
      })),
    });
  }
}

/** Registers `pull`. */
export function register(program: Command): void {
  const command = program
    .command("pull")
    .summary("save images as a docker archive (default), an OCI layout or an OCI archive")
    .argument("<ref...>", "image references; several go into one output")
    .option("-o, --output <path>", "where to write the archive or layout (- for stdout, archives only)")
    .option("--path <path>", "alias of --output")
    .option("--format <format>", "docker-archive, oci or oci-archive", "docker-archive")
    .option("--force", FORCE_HELP)
    .option("--all-platforms", "keep a whole index (oci and oci-archive only)")
    .option("--cache-dir <dir>", "blob cache directory (default $OCIDIST_CACHE, else ~/.cache/ocidist)")
    .option("--no-cache", "stream blobs straight into the output (faster; an interrupted pull starts over)");
  addTrustOptions(command).action(action(pull));
}
