/**
 * `ocidist signatures LOCATION`: the signatures and attestations attached to what LOCATION
 * names (cosign's tag scheme, sigstore bundle and notation referrers), unverified.
 * @module
 */
import type { Command } from "commander";
import { isValidDigest } from "../model/digest.js";
import { listSignatures } from "../trust/signatures.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Registers `signatures`. */
export function register(program: Command): void {
  program
    .command("signatures")
    .summary("list the signatures and attestations attached to REF (cosign, sigstore bundles, notation)")
    .argument("<location>", LOCATION_HELP)
    .action(
      action(async (ctx, text: string) => {
        const found = await withSource(ctx, text, async ({ target, ref, name }) => {
          const digest = ref !== undefined && isValidDigest(ref) ? ref : (await target.resolve(ref, ctx.signal)).digest;
          return { reference: name, digest, signatures: await listSignatures(target, digest, ctx.signal) };
        });
        if (ctx.opts.json) await printJson(found);
        else {
          await printLines(found.signatures.map((s) => [s.kind, s.digest, s.signer ?? "-", s.tag ?? `referrer ${s.manifest}`]));
          if (!found.signatures.length && ctx.progress !== "none") ctx.info(`ocidist: nothing is attached to ${found.reference} (${found.digest})`);
        }
      }),
    );
}
