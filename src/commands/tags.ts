/**
 * `ocidist tags REPO|LOCATION` and `ocidist catalog HOST`: listings, one item per line or
 * `--json`. On an OCI layout or archive, `tags` lists the names of its index; on a docker
 * archive, its `RepoTags`.
 * @module
 */
import type { Command } from "commander";
import { LimitError, UsageError } from "../model/errors.js";
import { parseRepository } from "../model/reference.js";
import { listCatalog, listTags } from "../registry/tags.js";
import { parseLocation } from "../targets/local.js";
import { describeLocation, withSource } from "../cli/locations.js";
import { action } from "../cli/action.js";
import { printJson, printLines } from "../cli/output.js";
import { parseRegistryHost } from "../cli/host.js";
import { intOption } from "../cli/options.js";
import type { CliContext } from "../cli/context.js";
import { MAX_LISTED_NAMES } from "../model/limits.js";

/** A repository's tags, following pagination. */
async function registryTags(ctx: CliContext, text: string, maxNames: number): Promise<{ name: string; tags: string[] }> {
  const repo = parseRepository(text.replace(/^docker:\/\//, ""));
  const client = await ctx.client([repo.registry]);
  return { name: `${repo.registry}/${repo.repository}`, tags: await listTags(client, repo, ctx.signal, { maxNames }) };
}

/** The names a layout's index or a docker archive's manifest.json holds. */
function localNames(ctx: CliContext, text: string, maxNames: number): Promise<{ name: string; tags: string[] }> {
  return withSource(ctx, text, async ({ loc, target }) => {
    const name = describeLocation({ ...loc, ref: undefined, digest: undefined });
    if (loc.ref) throw new UsageError(`tags lists every name of ${name}; give it without :TAG or @DIGEST`);
    const tags = (await target.tags?.(ctx.signal)) ?? [];
    if (tags.length > maxNames) throw new LimitError(`${name} has ${tags.length} names, over --max-tags ${maxNames}`);
    return { name, tags };
  });
}

/** Registers `tags` and `catalog`. */
export function register(program: Command): void {
  program
    .command("tags")
    .summary("list every tag of a repository, one per line")
    .argument("<repo>", "repository (alpine, ghcr.io/owner/name), or oci:DIR, oci-archive:FILE, docker-archive:FILE for the names they hold")
    .option("--max-tags <n>", `refuse a list of more tags than this (default ${MAX_LISTED_NAMES})`)
    .action(
      action(async (ctx, repoText: string, opts: { maxTags?: string }) => {
        const maxNames = intOption(opts.maxTags, "--max-tags", MAX_LISTED_NAMES, 1);
        const { name, tags } = parseLocation(repoText).kind === "registry" ? await registryTags(ctx, repoText, maxNames) : await localNames(ctx, repoText, maxNames);
        if (ctx.opts.json) await printJson({ name, tags });
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
