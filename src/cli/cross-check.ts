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
import { UsageError } from "../model/errors.js";
import { formatReference, type Reference } from "../model/reference.js";
import { redactUrl } from "../http/redact.js";
import { Transport } from "../http/transport.js";
import { RegistryClient } from "../registry/client.js";
import { CrossCheckError, crossCheckDigest, type CrossCheckAnswer, type CrossCheckPath } from "../registry/cross-check.js";
import { errorLine } from "./exit.js";
import type { CliContext } from "./context.js";
import type { CrossCheckVia } from "./cross-check-vias.js";

/** The path of one VIA: a client over the proxy (same credentials: the same registry), or the command's own client to the mirror. */
async function pathFor(ctx: CliContext, via: CrossCheckVia, ref: Reference, opened: Transport[]): Promise<CrossCheckPath> {
  if (via.kind === "mirror") return { label: via.label, client: await ctx.client([ref.registry]), ref: { ...ref, registry: via.host } };
  const options = { ...ctx.transportOptions(), proxy: via.proxy };
  const transport = new Transport(options);
  opened.push(transport);
  const client = new RegistryClient({ ...options, transport, credentials: await ctx.credentialStore([ref.registry]), anonymous: ctx.opts.anonymous });
  return { label: via.label, client, ref };
}

/**
 * Resolves `ref`'s tag through the command's own path and every `--cross-check` path, reports
 * each answer on stderr, and returns `ref` pinned to the one digest they all gave. A reference
 * that already names a digest needs no check (its digest is verified on every read) and is
 * returned as it is, as is every reference when no `--cross-check` was given.
 * @throws CrossCheckError when the paths disagree or one of them cannot answer
 */
export async function crossCheckReference(ctx: CliContext, ref: Reference): Promise<Reference> {
  const vias = ctx.crossCheckVias;
  if (!vias.length) return ref;
  const name = formatReference(ref);
  if (ref.digest) {
    ctx.info(`cross-check: ${name} names its digest; every read is verified against it`);
    return ref;
  }
  const opened: Transport[] = [];
  try {
    const own = { label: ctx.opts.proxy ? `via --proxy ${redactUrl(ctx.opts.proxy)}` : "direct", client: await ctx.client([ref.registry]), ref };
    const all = [own, ...(await Promise.all(vias.map((v) => pathFor(ctx, v, ref, opened))))];
    const { digest, answers } = await crossCheckDigest(all, ctx.signal, errorLine).catch((err: unknown) => {
      if (err instanceof CrossCheckError) report(ctx, name, err.answers);
      throw err;
    });
    report(ctx, name, answers);
    ctx.info(`cross-check: ${name}: ${answers.length} paths agree on ${digest}`);
    return { ...ref, digest };
  } finally {
    await Promise.all(opened.map((t) => t.close().catch(() => undefined)));
  }
}

function report(ctx: CliContext, name: string, answers: CrossCheckAnswer[]): void {
  for (const a of answers) ctx.info(`cross-check: ${name} ${a.path}: ${a.digest ?? `no answer (${a.error})`}`);
}

/**
 * A LOCATION with its registry tag cross-checked and pinned ({@link crossCheckReference}).
 * @throws UsageError when `--cross-check` was given for a local location (there is no
 *   second path to a file; its digests are checked as it is read)
 */
export async function crossCheckLocation<L extends { kind: string; reference?: Reference; ref?: string; digest?: string }>(ctx: CliContext, loc: L): Promise<L> {
  if (!ctx.crossCheckVias.length) return loc;
  if (loc.kind !== "registry" || !loc.reference) throw new UsageError(`--cross-check resolves a registry tag through other paths; a ${loc.kind} location is read from local files`);
  const reference = await crossCheckReference(ctx, loc.reference);
  return reference.digest ? { ...loc, reference, ref: reference.digest, digest: reference.digest } : loc;
}
