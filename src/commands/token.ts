/**
 * `ocidist token REPO`: a bearer token for the repository, obtained the way every other
 * command obtains one, for `curl -H "Authorization: Bearer …"`.
 * @module
 */
import type { Command } from "commander";
import { OcidistError } from "../model/errors.js";
import { grantedActions } from "../auth/token-claims.js";
import { parseRepository } from "../model/reference.js";
import { scopeFor } from "../registry/scopes.js";
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
        const scope = scopeFor(repo.repository, opts.push ? "pull,push" : "pull");
        const token = await client.token(repo.registry, [scope], ctx.signal);
        if (token === undefined) throw new OcidistError(`${repo.registry} asks for no token: requests need no Authorization header`);
        if (token.startsWith("Basic ")) throw new OcidistError(`${repo.registry} uses Basic authentication, not bearer tokens`);
        if (opts.push) {
          // Token servers grant what the credentials allow and silently drop the rest.
          const granted = grantedActions(token, repo.repository);
          if (granted && !granted.includes("push") && !granted.includes("*")) {
            throw new OcidistError(`${repo.registry} granted ${granted.length ? granted.join(",") : "nothing"} on ${repo.repository}, not push: these credentials may not push there`);
          }
          if (!granted) ctx.info(`ocidist: the token's grants cannot be read (not a JWT); push rights are unchecked`);
        }
        if (ctx.opts.json) await printJson({ registry: repo.registry, scope, token });
        else await printLines([token]);
      }),
    );
}
