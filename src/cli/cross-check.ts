/**
 * `--cross-check VIA` (CLI.md): before a tag's digest is used, the tag is resolved again
 * through each VIA — a proxy (`http://`, `https://`, `socks5://`: another network path to
 * the same registry) or `mirror:HOST[:PORT]` (the same repository on another registry) —
 * and every path must name the same manifest digest. The reference is then pinned to that
 * digest (`host/repo:tag@sha256:…`), so everything the command reads afterwards is fetched
 * by digest and verified against it: a registry cannot answer the check with one manifest
 * and the download with another. This is "trust on first use" from several places at once
 * (3TOFU), done by the tool in one command.
 * @module
 */
import { OcidistError, UsageError } from "../model/errors.js";
import { formatReference, type Reference } from "../model/reference.js";
import { parseProxyUrl } from "../http/proxy-env.js";
import { redactUrl } from "../http/redact.js";
import { Transport } from "../http/transport.js";
import { RegistryClient } from "../registry/client.js";
import { headManifest } from "../registry/manifests.js";
import { errorLine } from "./exit.js";
import { parseRegistryHost } from "./host.js";
import type { CliContext } from "./context.js";

/** One independent path to a tag's digest. */
export type CrossCheckPath = { kind: "proxy"; proxy: string; label: string } | { kind: "mirror"; host: string; label: string };

/** What one path answered. */
export interface CrossCheckAnswer {
  /** `direct` (or the `--proxy` in use), `via <proxy>`, `mirror <host>`. */
  path: string;
  digest?: string;
  /** Why this path gave no digest. */
  error?: string;
}

/** The paths disagreed, or one could not answer: nothing was read or written. */
export class CrossCheckError extends OcidistError {
  override name = "CrossCheckError";
  constructor(
    message: string,
    /** Every path's answer. */
    readonly answers: CrossCheckAnswer[],
  ) {
    super(message, { errors: [{ code: "CROSS_CHECK_FAILED", message }] });
  }
}

/**
 * Parses the `--cross-check` values.
 * @throws UsageError for a value that is neither a proxy URL nor `mirror:HOST[:PORT]`
 */
export function parseCrossCheckPaths(values: readonly string[] = []): CrossCheckPath[] {
  return values.map((v) => {
    if (v.startsWith("mirror:")) {
      const host = parseRegistryHost(v.slice("mirror:".length).replace(/^\/\//, ""));
      return { kind: "mirror", host, label: `mirror ${host}` };
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new UsageError(`--cross-check wants a proxy URL (http://, https://, socks5://) or mirror:HOST[:PORT], not ${JSON.stringify(v)}`);
    const proxy = parseProxyUrl(v, "--cross-check").href;
    return { kind: "proxy", proxy, label: `via ${redactUrl(proxy)}` };
  });
}

/** A registry client for one path: the command's own for the direct path and mirrors, one over the proxy otherwise (same credentials: the same registry). */
async function clientFor(ctx: CliContext, path: CrossCheckPath, registries: string[]): Promise<{ client: RegistryClient; close?: () => Promise<void> }> {
  const main = await ctx.client(registries);
  if (path.kind === "mirror") return { client: main };
  const options = { ...ctx.transportOptions(), proxy: path.proxy };
  const transport = new Transport(options);
  const client = new RegistryClient({ ...options, transport, credentials: await ctx.credentialStore(registries), anonymous: ctx.opts.anonymous });
  return { client, close: () => transport.close() };
}

/** The digest one path gives for `ref`'s tag. */
async function answer(ctx: CliContext, ref: Reference, path: CrossCheckPath | undefined): Promise<CrossCheckAnswer> {
  const label = path?.label ?? (ctx.opts.proxy ? `via --proxy ${redactUrl(ctx.opts.proxy)}` : "direct");
  let opened: Awaited<ReturnType<typeof clientFor>> | undefined;
  try {
    opened = path ? await clientFor(ctx, path, [ref.registry]) : { client: await ctx.client([ref.registry]) };
    const at = path?.kind === "mirror" ? { ...ref, registry: path.host } : ref;
    const { descriptor } = await headManifest(opened.client, at, ctx.signal);
    return { path: label, digest: descriptor.digest };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return { path: label, error: errorLine(err) };
  } finally {
    await opened?.close?.().catch(() => undefined);
  }
}

/**
 * Resolves `ref`'s tag through the command's own path and every `--cross-check` path, reports
 * each answer on stderr, and returns `ref` pinned to the one digest they all gave. A reference
 * that already names a digest needs no check (its digest is verified on every read) and is
 * returned as it is, as is every reference when no `--cross-check` was given.
 * @throws CrossCheckError when the paths disagree or one of them cannot answer
 */
export async function crossCheckReference(ctx: CliContext, ref: Reference): Promise<Reference> {
  const paths = ctx.crossCheckPaths;
  if (!paths.length) return ref;
  const name = formatReference(ref);
  if (ref.digest) {
    ctx.info(`cross-check: ${name} names its digest; every read is verified against it`);
    return ref;
  }
  const answers = await Promise.all([undefined, ...paths].map((p) => answer(ctx, ref, p)));
  for (const a of answers) ctx.info(`cross-check: ${name} ${a.path}: ${a.digest ?? `no answer (${a.error})`}`);
  const digests = [...new Set(answers.map((a) => a.digest))];
  if (answers.some((a) => !a.digest)) {
    throw new CrossCheckError(`cross-check of ${name} failed: ${answers.filter((a) => !a.digest).map((a) => a.path).join(", ")} gave no digest; nothing was read`, answers);
  }
  if (digests.length > 1) {
    const says = answers.map((a) => `${a.path} says ${a.digest}`).join(", ");
    throw new CrossCheckError(`cross-check of ${name} failed: the paths disagree (${says}); nothing was read`, answers);
  }
  ctx.info(`cross-check: ${name}: ${answers.length} paths agree on ${digests[0]}`);
  return { ...ref, digest: digests[0]! };
}

/**
 * A LOCATION with its registry tag cross-checked and pinned ({@link crossCheckReference}).
 * @throws UsageError when `--cross-check` was given for a local location (there is no
 *   second path to a file; its digests are checked as it is read)
 */
export async function crossCheckLocation<L extends { kind: string; reference?: Reference; ref?: string; digest?: string }>(ctx: CliContext, loc: L): Promise<L> {
  if (!ctx.crossCheckPaths.length) return loc;
  if (loc.kind !== "registry" || !loc.reference) throw new UsageError(`--cross-check resolves a registry tag through other paths; a ${loc.kind} location is read from local files`);
  const reference = await crossCheckReference(ctx, loc.reference);
  return reference.digest ? { ...loc, reference, ref: reference.digest, digest: reference.digest } : loc;
}
