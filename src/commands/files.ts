/**
 * `ocidist files LOCATION -o DIR`: an artifact's files (a Homebrew bottle, an ORAS artifact),
 * each layer saved under its `org.opencontainers.image.title`, verified; all or none.
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../model/errors.js";
import { saveFiles } from "../ops/files.js";
import { ProgressDisplay } from "../progress/display.js";
import { action } from "../cli/action.js";
import { printJson } from "../cli/output.js";
import { FORCE_HELP } from "../util/output-policy.js";
import { LOCATION_HELP, withSource, type Location } from "../cli/locations.js";
import { addTrustOptions, gateImage, keylessFrom, trustOptionsFrom, type TrustCliOptions } from "../cli/trust.js";
import { readFile } from "node:fs/promises";

/** The repository an untitled bottle layer's name starts with; a layout or archive does not know it (such layers are named by digest). */
function repositoryName(loc: Location): string | undefined {
  return loc.kind === "registry" ? loc.reference!.repository.split("/").pop() : undefined;
}

/** The bundle file of `--attestation` and the keyless options it is checked with. */
async function attestationInput(path: string, opts: TrustCliOptions) {
  const keyless = await keylessFrom(opts);
  if (!keyless) throw new UsageError("--attestation needs --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`--attestation ${path} cannot be read`);
  }
  return { text, keyless };
}

/** Registers `files`. */
export function register(program: Command): void {
  const command = program
    .command("files")
    .summary("save an artifact's files (e.g. a Homebrew bottle) under their titles, verified")
    .argument("<location>", `artifact, e.g. ghcr.io/homebrew/core/wget:1.24.5; ${LOCATION_HELP}`)
    .option("-o, --output <dir>", "directory to save the files in (created if missing)")
    .option("--force", FORCE_HELP)
    .option("--attestation <bundle>", "require a sigstore bundle (e.g. a GitHub attestation) whose in-toto statement names each file's digest; checked with the keyless options");
  addTrustOptions(command).action(
      action(async (ctx, text: string, opts: { output?: string; force?: boolean; attestation?: string } & TrustCliOptions) => {
        const dir = opts.output;
        if (!dir) throw new UsageError("files needs -o DIR");
        const trust = await trustOptionsFrom(opts, opts.attestation !== undefined);
        const attestation = opts.attestation !== undefined ? await attestationInput(opts.attestation, opts) : undefined;
        const display = new ProgressDisplay(ctx.progress);
        const { name, saved } = await withSource(ctx, text, async ({ loc, target, ref, name }) => {
          try {
            if (trust) ref = (await gateImage(ctx, target, ref, loc, trust)).digest;
            if (attestation) {
              const { verifyAttestation } = await import("../trust/attestation.js");
              const ok = await verifyAttestation(target, ref, ctx.platform, attestation.text, `--attestation ${opts.attestation}`, attestation.keyless.trust, attestation.keyless.identity, ctx.signal);
              ref = ok.resolved;
              if (ctx.progress !== "none") ctx.info(`ocidist: ${name}: ${ok.digests.join(", ")} attested by ${ok.signer.identity}${ok.signer.issuer ? ` (${ok.signer.issuer})` : ""}${ok.predicateType ? `, ${ok.predicateType}` : ""}`);
            }
            const options = { force: opts.force === true, jobs: ctx.jobs, signal: ctx.signal, progress: display, repositoryName: repositoryName(loc) };
            return { name, saved: await saveFiles(target, ref, ctx.platform, dir, options) };
          } finally {
            display.finish();
          }
        });
        if (ctx.opts.json) await printJson({ reference: name, ...saved });
        else for (const f of saved.files) ctx.info(`${f.path}  ${f.digest}`);
      }),
    );
}
