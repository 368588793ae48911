/**
 * `ocidist tags REPO` and `ocidist catalog HOST`: listings, one item per line or `--json`.
 * @module
 */
import type { Command } from "commander";
import { parseRepository } from "../reference.js";
import { listCatalog, listTags } from "../registry/tags.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { parseRegistryHost } from "../cli/host.js";

/** Registers `tags` and `catalog`. */
export function register(program: Command): void {
  program
    .command("tags")
    .summary("list every tag of a repository, one per line")
    .argument("<repo>", "repository, e.g. alpine or ghcr.io/owner/name")
    .action(
      action(async (ctx, repoText: string) => {
        const repo = parseRepository(repoText);
        const client = await ctx.client([repo.registry]);
        const tags = await listTags(client, repo, ctx.signal);
        if (ctx.opts.json) await printJson({ name: `${repo.registry}/${repo.repository}`, tags });
        else await printLines(tags);
      }),
    );

  program
    .command("catalog")
    .summary("list every repository of a registry, one per line")
    .argument("<host>", "registry host, e.g. localhost:5000")
    .action(
      action(async (ctx, host: string) => {
        const registry = parseRegistryHost(host);
        const client = await ctx.client([registry]);
        const repositories = await listCatalog(client, registry, ctx.signal);
        if (ctx.opts.json) await printJson({ registry, repositories });
        else await printLines(repositories);
      }),
    );
}
