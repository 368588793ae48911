/**
 * `ocidist serve DIR`: an OCI distribution registry over DIR, one OCI layout per
 * repository (`src/serve/`). Prints `listening on URL` on stderr; SIGINT/SIGTERM stop it.
 * @module
 */
import type { Command } from "commander";
import { action } from "../cli/action.js";
import { note } from "../cli/output.js";
import { DEFAULT_ADDRESS } from "../serve/address.js";
import { serve } from "../serve/server.js";

/** Registers `serve`. */
export function register(program: Command): void {
  program
    .command("serve")
    .summary("serve DIR (one OCI layout per repository) as an OCI distribution registry")
    .argument("<dir>", "directory whose DIR/<repository>/ are OCI image layouts")
    .option("--address <host:port>", "where to listen", DEFAULT_ADDRESS)
    .option("--read-only", "refuse pushes and deletes")
    .option("--htpasswd <file>", "require Basic authentication against this htpasswd file (bcrypt entries, htpasswd -B)")
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate chain")
    .option("--tls-key <file>", "the PEM key of --tls-cert")
    .action(
      action(async (ctx, dir: string, opts: { address: string; readOnly?: boolean; htpasswd?: string; tlsCert?: string; tlsKey?: string }) => {
        const server = await serve(dir, {
          address: opts.address,
          readOnly: !!opts.readOnly,
          ...(opts.htpasswd ? { htpasswd: opts.htpasswd } : {}),
          ...(opts.tlsCert ? { tlsCert: opts.tlsCert } : {}),
          ...(opts.tlsKey ? { tlsKey: opts.tlsKey } : {}),
          ...(ctx.opts.verbose ? { log: (line: string) => note(line) } : {}),
        });
        note(`listening on ${server.url}`);
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        await server.close();
        note("stopped");
      }),
    );
}
