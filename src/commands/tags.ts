/**
 * `ocidist tags REPO` and `ocidist catalog HOST`: listings, one item per line or `--json`.
 * @module
 */
import type { Command } from "commander";
import { parseRepository } from "../model/reference.js";
import { listCatalog, listTags } from "../registry/tags.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { parseRegistryHost } from "../cli/host.js";
import { intOption } from "../cli/options.js";
import { MAX_LISTED_NAMES } from "../model/limits.js";

/** Registers `tags` and `catalog`. */
export function register(program: Command): void {
  program
    .command("tags")
    .summary("list every tag of a repository, one per line")
    .argument("<repo>", "repository, e.g. alpine or ghcr.io/owner/name")
    .option("--max-tags <n>", `refuse a list of more tags than this (default ${MAX_LISTED_NAMES})`)
    .action(
      action(async (ctx, repoText: string, opts: { maxTags?: string }) => {
        const maxNames = intOption(opts.maxTags, "--max-tags", MAX_LISTED_NAMES, 1);
        const repo = parseRepository(repoText);
        const client = await ctx.client([repo.registry]);
        const tags = await listTags(client, repo, ctx.signal, { maxNames });
        if (ctx.opts.json) await printJson({ name: `${repo.registry}/${repo.repository}`, tags });
        else await printLines(tags);
      }),
    );

  program
    .command("catalog")
    .summary("list every repository of a registry, one per line")
    .argument("<host>", "registry host, e.g. localhost:5000")
    .option("--max-repositories <n>", `refuse a catalog of more repositories than this (default ${MAX_LISTED_NAMES})`)
    .action(
      action(async (ctx, host: string, opts: { maxRepositories?: string }) => {
        const maxNames = intOption(opts.maxRepositories, "--max-repositories", MAX_LISTED_NAMES, 1);
        const registry = parseRegistryHost(host);
        const client = await ctx.client([registry]);
        const repositories = await listCatalog(client, registry, ctx.signal, { maxNames });
        if (ctx.opts.json) await printJson({ registry, repositories });
        else await printLines(repositories);
      }),
    );
}
