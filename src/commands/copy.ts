/**
 * `ocidist copy SRC DST` and `ocidist push SRC REF`: any location to any location, the
 * manifest bytes and digests kept; registry to registry streams without touching disk.
 * @module
 */
import type { Command } from "commander";
import { copyInto, type CopyOptions, type CopyResult } from "../engine/copy.js";
import { UsageError } from "../model/errors.js";
import { formatPlatform } from "../model/platform.js";
import { formatReference } from "../model/reference.js";
import { ProgressDisplay } from "../progress/display.js";
import { action } from "../cli/action.js";
import type { CliContext } from "../cli/context.js";
import type { Credential } from "../auth/credentials.js";
import { formatBytes, plural, printJson } from "../cli/output.js";
import { crossCheckLocation } from "../cli/cross-check.js";
import { describeLocation, openSink, openSource, parseCliLocation, parseLocalLocation, registriesOf, type Location } from "../cli/locations.js";
import { cacheFor } from "../cli/cache.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { addTrustOptions, gateImage, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";
import { copySignatureTags } from "../trust/copy-signatures.js";
import type { ReadableTarget, WritableTarget } from "../targets/target.js";

interface CopyCliOptions extends TrustCliOptions {
  referrers?: boolean;
  signatures?: boolean;
  chunkSize?: string;
  cacheDir?: string;
  srcCreds?: string;
  destCreds?: string;
  keepUncompressed?: boolean;
  force?: boolean;
}

/** `USER:PASSWORD` of `--src-creds` / `--dest-creds`, for the registry of `loc`. */
function flagCredential(flag: string, text: string, loc: Location): [string, Credential] {
  if (loc.kind !== "registry") throw new UsageError(`${flag} is for a registry, and ${describeLocation(loc)} is not one`);
  const colon = text.indexOf(":");
  if (colon <= 0) throw new UsageError(`${flag} wants USER:PASSWORD`);
  return [loc.reference!.registry, { username: text.slice(0, colon), password: text.slice(colon + 1) }];
}

/** Credentials given per side of a copy; both sides on one registry must agree. */
function sideCredentials(src: Location, dst: Location, opts: CopyCliOptions): Map<string, Credential> {
  const sides = [
    ...(opts.srcCreds !== undefined ? [flagCredential("--src-creds", opts.srcCreds, src)] : []),
    ...(opts.destCreds !== undefined ? [flagCredential("--dest-creds", opts.destCreds, dst)] : []),
  ];
  const out = new Map<string, Credential>();
  for (const [registry, cred] of sides) {
    const other = out.get(registry);
    if (other && (other.username !== cred.username || other.password !== cred.password)) {
      throw new UsageError(`source and destination are both on ${registry}: one set of credentials serves both`);
    }
    out.set(registry, cred);
  }
  return out;
}

/** The name the copy gets at the destination. */
function destinationName(src: Location, dst: Location): string | undefined {
  if (dst.kind === "registry") return dst.reference!.digest ? undefined : dst.reference!.tag;
  if (dst.ref) return dst.ref;
  if (src.kind === "registry" && src.reference!.tag) {
    const r = src.reference!;
    return dst.kind === "docker-archive" ? formatReference({ registry: r.registry, repository: r.repository, tag: r.tag }) : r.tag;
  }
  return src.kind === "registry" ? undefined : src.ref;
}

/** Copies `srcRef` (and, with `signatures`, its cosign tags) into `sink` and commits it; on failure nothing is left. */
async function copyAll(source: ReadableTarget, srcRef: string | undefined, sink: WritableTarget, dstRef: string | undefined, options: CopyOptions, signatures: boolean): Promise<CopyResult & { signatures?: string[] }> {
  try {
    const result = await copyInto(source, srcRef, sink, dstRef, options);
    const tags = signatures ? await copySignatureTags(source, sink, [result.source.digest, result.root.digest], options) : undefined;
    await sink.commit();
    return { ...result, ...(tags ? { signatures: tags } : {}) };
  } catch (err) {
    await sink.abort().catch(() => undefined);
    throw err;
  }
}

async function run(ctx: CliContext, given: Location, dst: Location, opts: CopyCliOptions): Promise<void> {
  if (opts.signatures && dst.kind === "docker-archive") throw new UsageError("--signatures needs a registry, oci or oci-archive destination: a docker archive holds no cosign tags");
  const trust = await trustOptionsFrom(opts);
  const registries = registriesOf(given, dst);
  await ctx.client(registries, await ctx.credentials(registries, sideCredentials(given, dst, opts)));
  const src = await crossCheckLocation(ctx, given);
  const chunkSize = opts.chunkSize ? Number(opts.chunkSize) : 0;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 0) throw new UsageError(`--chunk-size wants a number of bytes, not ${JSON.stringify(opts.chunkSize)}`);
  const display = new ProgressDisplay(ctx.progress);
  const source = await openSource(ctx, src, { keepUncompressed: opts.keepUncompressed });
  let result: CopyResult & { signatures?: string[] };
  try {
    const srcRef = trust ? (await gateImage(ctx, source, src.ref, src, trust)).digest : src.ref;
    const sink = await openSink(ctx, dst, { chunkSize, force: opts.force });
    result = await copyAll(source, srcRef, sink, destinationName(src, dst), {
      platform: ctx.requestedPlatform,
      jobs: ctx.jobs,
      signal: ctx.signal,
      retry: ctx.retry,
      progress: display,
      referrers: opts.referrers,
      convertSchema1: dst.kind !== "registry",
      ...(src.kind === "registry" && dst.kind !== "registry" ? { cache: cacheFor(opts.cacheDir) } : {}),
    }, opts.signatures === true);
  } finally {
    display.finish();
    await source.close?.();
  }
  const moved = (["transferred", "resumed", "cached"] as const).reduce((n, o) => n + (result.blobs[o] ?? 0), 0);
  const mounted = result.blobs.mounted ?? 0;
  if (ctx.progress !== "none") {
    const what = dst.kind === "registry" ? `${plural(moved, "blob")} uploaded, ${mounted} mounted` : `${plural(moved, "blob")} written`;
    const refs = (result.referrers !== undefined ? `, ${plural(result.referrers, "referrer")}` : "") + (result.signatures ? `, ${plural(result.signatures.length, "signature tag")}` : "");
    ctx.info(`copied ${describeLocation(src)} → ${describeLocation(dst)}: ${result.root.digest}${result.platform ? ` (${formatPlatform(result.platform)})` : ""}; ${what}${refs}, ${formatBytes(display.transferred)} moved`);
  }
  if (ctx.opts.json) {
    const counts = dst.kind === "registry" ? { uploaded: moved, mounted } : { written: moved };
    await printJson({ source: describeLocation(src), destination: describeLocation(dst), digest: result.source.digest, manifest: result.root.digest, mediaType: result.root.mediaType, ...counts, ...(result.referrers !== undefined ? { referrers: result.referrers } : {}), ...(result.signatures ? { signatures: result.signatures } : {}) });
  }
}

/** Registers `copy` and `push`. */
export function register(program: Command): void {
  const common = (c: Command) =>
    addTrustOptions(c)
      .option("--referrers", "also copy manifests that refer to the copied ones (signatures, SBOMs)")
      .option("--signatures", "also copy cosign's tag-scheme signatures and attestations (sha256-<hex>.sig, .att)")
      .option("--chunk-size <bytes>", "upload in chunks of this many bytes (default: one request per blob)")
      .option("--cache-dir <dir>", "blob cache directory for registry-to-file copies")
      .option("--keep-uncompressed", "push a docker archive's uncompressed layers as they are (default: gzip them)");
  common(
    program
      .command("copy")
      .summary("copy an image or index between any two locations, digests kept")
      .argument("<src>", "REF, docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]")
      .argument("<dst>", "same forms as SRC")
      .option("--src-creds <user:password>", "credentials for the source registry only (else -u/-p, then config.json)")
      .option("--dest-creds <user:password>", "credentials for the destination registry only (else -u/-p, then config.json)")
      .option("--force", FORCE_HELP),
  ).action(
    action(async (ctx, srcText: string, dstText: string, opts: CopyCliOptions) => {
      await run(ctx, await parseCliLocation(srcText), await parseCliLocation(dstText), opts);
    }),
  );
  common(
    program
      .command("push")
      .summary("push a docker archive, OCI layout or OCI archive to a registry")
      .argument("<src>", "a docker archive, OCI layout or OCI archive (detected by content), or a prefixed location")
      .argument("<ref>", "destination reference"),
  ).action(
    action(async (ctx, srcText: string, refText: string, opts: CopyCliOptions) => {
      const src = await parseLocalLocation(srcText, "push", "; use copy between registries");
      const dst = await parseCliLocation(refText);
      if (dst.kind !== "registry") throw new UsageError(`push writes to a registry; use copy for ${JSON.stringify(refText)}`);
      await run(ctx, src, dst, opts);
    }),
  );
}
