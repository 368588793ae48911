/**
 * `ocidist hub repos|repo|tags|search`: Docker Hub's web API, as a table on a terminal,
 * tab-separated lines otherwise, or `--json`.
 * @module
 */
import type { Command } from "commander";
import { DEFAULT_HUB_URL, HubClient } from "../hub/client.js";
import { storedHubCredentialsApply } from "../hub/credentials.js";
import type { HubTagImage } from "../hub/types.js";
import { action } from "../cli/action.js";
import { intOption, type CliContext } from "../cli/context.js";
import { formatBytes, printJson, printLines, renderRows } from "../cli/output.js";
import { DOCKER_HUB_REGISTRY } from "../model/registry-names.js";

interface HubOptions {
  limit?: string;
  hubUrl?: string;
}

function platformOf(i: HubTagImage): string {
  return `${i.os ?? "?"}/${i.architecture ?? "?"}${i.variant ? `/${i.variant}` : ""}${i.os_version ? `:${i.os_version}` : ""}`;
}

/** Runs `fn` with a Hub client over the context's transport, with `-u`/`-p`, else (for Docker Hub itself) the stored Docker Hub credential. */
async function withHub(ctx: CliContext, opts: HubOptions, fn: (hub: HubClient, limit: number | undefined) => Promise<void>): Promise<void> {
  const baseUrl = opts.hubUrl ?? process.env.OCIDIST_HUB_URL ?? DEFAULT_HUB_URL;
  let cred: { username?: string; password?: string } | undefined = await ctx.flagCredential();
  // Credentials stored for Docker Hub go to Docker Hub's own API only; a mirror gets the ones given for this call.
  if (!cred && !ctx.opts.anonymous && storedHubCredentialsApply(baseUrl)) cred = await (await ctx.dockerConfig()).get(DOCKER_HUB_REGISTRY);
  const secret = cred?.username && cred.password ? { username: cred.username, secret: cred.password } : {};
  const hub = new HubClient(ctx.transport(), { baseUrl, ...secret, ...(ctx.opts.insecure ? { insecure: true } : {}) });
  await fn(hub, opts.limit === undefined ? undefined : intOption(opts.limit, "--limit", 0, 1));
}

/** Registers `hub` and its subcommands. */
export function register(program: Command): void {
  const hub = program.command("hub").summary("Docker Hub's web API: repositories, tags with platforms, search");
  const withCommon = (c: Command) =>
    c.option("--limit <n>", "at most this many items (every page is followed until then)").option("--hub-url <url>", "API base URL (default $OCIDIST_HUB_URL, else https://hub.docker.com)");
  const tty = () => !!process.stdout.isTTY;

  withCommon(hub.command("repos").description("repositories of a namespace").argument("<namespace>")).action(
    action(async (ctx, ns: string, opts: HubOptions) => {
      await withHub(ctx, opts, async (client, limit) => {
        const repos = await client.repositories(ns, { limit, signal: ctx.signal });
        if (ctx.opts.json) return void (await printJson(repos));
        await printLines(renderRows(["NAME", "STARS", "PULLS", "UPDATED", "DESCRIPTION"], repos.map((r) => [`${r.namespace}/${r.name}${r.is_private ? " (private)" : ""}`, String(r.star_count ?? 0), String(r.pull_count ?? 0), (r.last_updated ?? "").slice(0, 10), (r.description ?? "").replace(/\s+/g, " ")]), tty()));
      });
    }),
  );

  withCommon(hub.command("repo").description("one repository's details").argument("<repo>")).action(
    action(async (ctx, repo: string, opts: HubOptions) => {
      await withHub(ctx, opts, async (client) => {
        const r = await client.repository(repo, ctx.signal);
        if (ctx.opts.json) return void (await printJson(r));
        await printLines([`name: ${r.namespace}/${r.name}`, `private: ${r.is_private ? "yes" : "no"}`, `stars: ${r.star_count ?? 0}`, `pulls: ${r.pull_count ?? 0}`, `updated: ${r.last_updated ?? ""}`, `description: ${r.description ?? ""}`]);
      });
    }),
  );

  withCommon(hub.command("tags").description("tags with digests, sizes and platforms").argument("<repo>")).action(
    action(async (ctx, repo: string, opts: HubOptions) => {
      await withHub(ctx, opts, async (client, limit) => {
        const tags = await client.tags(repo, { limit, signal: ctx.signal });
        if (ctx.opts.json) return void (await printJson(tags));
        await printLines(renderRows(["TAG", "DIGEST", "PUSHED", "SIZE", "PLATFORMS"], tags.map((t) => [t.name, t.digest ?? "", (t.tag_last_pushed ?? t.last_updated ?? "").slice(0, 19), t.full_size ? formatBytes(t.full_size) : "", (t.images ?? []).map(platformOf).join(",")]), tty()));
      });
    }),
  );

  withCommon(hub.command("search").description("search repositories").argument("<term>")).action(
    action(async (ctx, term: string, opts: HubOptions) => {
      await withHub(ctx, opts, async (client, limit) => {
        const results = await client.search(term, { limit: limit ?? 25, signal: ctx.signal });
        if (ctx.opts.json) return void (await printJson(results));
        await printLines(renderRows(["NAME", "STARS", "OFFICIAL", "DESCRIPTION"], results.map((r) => [r.name, String(r.star_count ?? 0), r.is_official ? "[OK]" : "", (r.description ?? "").replace(/\s+/g, " ")]), tty()));
      });
    }),
  );
}
