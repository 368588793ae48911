/**
 * `ocidist token REPO`: a bearer token for the repository, obtained the way every other
 * command obtains one, for `curl -H "Authorization: Bearer …"`.
 * @module
 */
import type { Command } from "commander";
import { parseRepository } from "../model/reference.js";
import { repositoryToken } from "../registry/token.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";

/** Registers `token`. */
export function register(program: Command): void {
  program
    .command("token")
    .summary("print a bearer token for a repository (pull, or pull,push with --push)")
    .argument("<repo>", "repository")
    .option("--push", "ask for pull,push instead of pull")
    .action(
      action(async (ctx, text: string, opts: { push?: boolean }) => {
        const repo = parseRepository(text);
        const client = await ctx.client([repo.registry]);
        const { token, scope, pushUnchecked } = await repositoryToken(client, repo, { push: opts.push, signal: ctx.signal });
        if (pushUnchecked) ctx.info(`ocidist: the token's grants cannot be read (not a JWT); push rights are unchecked`);
        if (ctx.opts.json) await printJson({ registry: repo.registry, scope, token });
        else await printLines([token]);
      }),
    );
}
