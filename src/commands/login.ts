/**
 * `ocidist login HOST` and `ocidist logout HOST`: check credentials against the registry
 * and store them the way docker does; remove them.
 * @module
 */
import type { Command } from "commander";
import { StaticCredentials } from "../auth/credentials.js";
import { DockerConfigStore } from "../auth/docker-config.js";
import { UnauthorizedError, UsageError } from "../model/errors.js";
import { responseError } from "../registry/errors.js";
import { action } from "../cli/action.js";
import { readStdin } from "../cli/context.js";
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
        const { username } = ctx.opts;
        let password = ctx.opts.password;
        if (ctx.opts.passwordStdin) password = (await readStdin()).replace(/\r?\n$/, "");
        if (!username || password === undefined || password === "") {
          throw new UsageError("login needs -u USER and a password (-p, or --password-stdin)");
        }
        const credential = { username, password };
        const client = await ctx.client([registry], new StaticCredentials(registry, credential));
        const state = await client.ping(registry, ctx.signal);
        if (!state.challenge) ctx.info(`ocidist: ${registry} asks for no credentials; storing them anyway`);
        const res = await client.request(registry, { method: "GET", path: "/v2/", scopes: [], signal: ctx.signal });
        if (res.status !== 200) {
          const err = await responseError(res, "GET", `login to ${registry}`);
          if (err instanceof UnauthorizedError) err.message = `login to ${registry} failed: credentials rejected (HTTP ${res.status})`;
          throw err;
        }
        res.body.resume();
        const store = await DockerConfigStore.load(ctx.opts.dockerConfig);
        await store.store(registry, credential);
        const helper = store.helperFor(registry);
        const where = helper ? `docker-credential-${helper}` : store.configPath;
        ctx.info(`Login succeeded: ${registry} (stored in ${where})`);
        if (ctx.opts.json) await printJson({ registry, username, stored: helper ? { helper: `docker-credential-${helper}` } : { file: store.configPath } });
      }),
    );

  program
    .command("logout")
    .summary("remove stored credentials for a registry")
    .argument("<host>", "registry host")
    .action(
      action(async (ctx, hostText: string) => {
        const registry = parseRegistryHost(hostText);
        const store = await DockerConfigStore.load(ctx.opts.dockerConfig);
        const had = await store.get(registry);
        await store.erase(registry);
        ctx.info(had ? `Removed credentials for ${registry}` : `No credentials were stored for ${registry}`);
        if (ctx.opts.json) await printJson({ registry, removed: !!had });
      }),
    );
}
