/**
 * `ocidist hub repos|repo|tags|search`: Docker Hub's web API, as a table on a terminal,
 * tab-separated lines otherwise, or `--json`.
 * @module
 */
import type { Command } from "commander";
import { DockerConfigStore } from "../auth/docker-config.js";
import { Transport } from "../http/transport.js";
import { DEFAULT_HUB_URL, HubClient } from "../hub/client.js";
import { storedHubCredentialsApply } from "../hub/credentials.js";
import type { HubTagImage } from "../hub/types.js";
import { action } from "../cli/action.js";
import { intOption, readStdin, type CliContext } from "../cli/context.js";
import { formatBytes, printJson, printLines, safeText, type Line } from "../cli/output.js";
import { UsageError } from "../model/errors.js";

interface HubOptions {
  limit?: string;
  hubUrl?: string;
}

/** Lays rows out as an aligned table (terminal) or tab-separated lines; cells are neutralised first, so widths are what shows. */
export function renderRows(header: string[], rows: string[][], tty: boolean): Line[] {
  if (!tty) return rows;
  const cells = rows.map((r) => r.map(safeText));
  const widths = header.map((h, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...cells.map(line)];
}

function platformOf(i: HubTagImage): string {
  return `${i.os ?? "?"}/${i.architecture ?? "?"}${i.variant ? `/${i.variant}` : ""}${i.os_version ? `:${i.os_version}` : ""}`;
}

/** Runs `fn` with a Hub client for the context's options, closing its connections after. */
async function withHub(ctx: CliContext, opts: HubOptions, fn: (hub: HubClient, limit: number | undefined) => Promise<void>): Promise<void> {
  const { hub, transport, limit } = await hubClient(ctx, opts);
  try {
    await fn(hub, limit);
  } finally {
    await transport.close();
  }
}

async function hubClient(ctx: CliContext, opts: HubOptions): Promise<{ hub: HubClient; transport: Transport; limit?: number }> {
  const transport = new Transport({
    insecure: ctx.opts.insecure,
    caFiles: ctx.opts.caFile,
    proxy: ctx.opts.proxy,
    retries: ctx.checked.retries,
    timeoutMs: ctx.checked.timeoutMs,
    log: ctx.opts.verbose ? (l) => ctx.debug(l) : undefined,
  });
  const baseUrl = opts.hubUrl ?? process.env.OCIDIST_HUB_URL ?? DEFAULT_HUB_URL;
  let username = ctx.opts.username;
  let secret = ctx.opts.password;
  if (ctx.opts.passwordStdin) secret = (await readStdin()).replace(/\r?\n$/, "");
  if ((username === undefined) !== (secret === undefined)) {
    throw new UsageError(username === undefined ? "a password was given without --username" : "--username needs --password or --password-stdin");
  }
  // Credentials stored for Docker Hub go to Docker Hub's own API only; a mirror gets the ones given for this call.
  if (username === undefined && !ctx.opts.anonymous && storedHubCredentialsApply(baseUrl)) {
    const stored = await (await DockerConfigStore.load(ctx.opts.dockerConfig)).get("docker.io");
    if (stored?.username && stored.password) {
      username = stored.username;
      secret = stored.password;
    }
  }
  const hub = new HubClient(transport, { baseUrl, ...(username && secret ? { username, secret } : {}), ...(ctx.opts.insecure ? { insecure: true } : {}) });
  const limit = opts.limit === undefined ? undefined : intOption(opts.limit, "--limit", 0, 1);
  return { hub, transport, ...(limit !== undefined ? { limit } : {}) };
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
