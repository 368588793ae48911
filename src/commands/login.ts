/**
 * `ocidist login HOST` and `ocidist logout HOST`: check credentials against the registry
 * and store them the way docker does; remove them.
 * @module
 */
import type { Command } from "commander";
import { StaticCredentials } from "../auth/credentials.js";
import { UsageError } from "../model/errors.js";
import { login } from "../registry/login.js";
import { action } from "../cli/action.js";
import { parseRegistryHost } from "../cli/host.js";
import { printJson } from "../cli/output.js";

/** Registers `login` and `logout`. */
export function register(program: Command): void {
  program
    .command("login")
    .summary("check credentials against a registry and store them as docker does")
    .argument("<host>", "registry host, e.g. ghcr.io or localhost:5000")
    .action(
      action(async (ctx, hostText: string) => {
        const registry = parseRegistryHost(hostText);
        const credential = await ctx.flagCredential().catch(() => undefined);
        if (!credential?.username || !credential.password) throw new UsageError("login needs -u USER and a password (-p, or --password-stdin)");
        const client = await ctx.client([registry], new StaticCredentials(registry, credential));
        const store = await ctx.dockerConfig();
        const { challenged } = await login(client, registry, credential, store, ctx.signal);
        if (!challenged) ctx.info(`ocidist: ${registry} asks for no credentials; stored them anyway`);
        const helper = store.helperFor(registry);
        const where = helper ? `docker-credential-${helper}` : store.configPath;
        ctx.info(`Login succeeded: ${registry} (stored in ${where})`);
        if (ctx.opts.json) await printJson({ registry, username: credential.username, stored: helper ? { helper: `docker-credential-${helper}` } : { file: store.configPath } });
      }),
    );

  program
    .command("logout")
    .summary("remove stored credentials for a registry")
    .argument("<host>", "registry host")
    .action(
      action(async (ctx, hostText: string) => {
        const registry = parseRegistryHost(hostText);
        const store = await ctx.dockerConfig();
        const had = await store.get(registry);
        await store.erase(registry);
        ctx.info(had ? `Removed credentials for ${registry}` : `No credentials were stored for ${registry}`);
        if (ctx.opts.json) await printJson({ registry, removed: !!had });
      }),
    );
}
