/**
 * What every command gets from the global options: one HTTP transport, a configured
 * registry client over it (with credentials from flags, then docker's config), docker's
 * config store, the platform asked for, the output mode, a cancellation signal tied to
 * Ctrl-C, and stderr logging.
 * @module
 */
import { setMaxListeners } from "node:events";
import type { Command } from "commander";
import { StaticCredentials, type Credential, type CredentialStore } from "../auth/credentials.js";
import { DockerConfigStore } from "../auth/docker-config.js";
import type { Platform } from "../model/descriptor.js";
import { UsageError } from "../model/errors.js";
import { hostPlatform, parsePlatform } from "../model/platform.js";
import { Transport, type TransportOptions } from "../http/transport.js";
import { RegistryClient } from "../registry/client.js";
import { retryPolicy, type RetryPolicy } from "../http/retry.js";
import { VERSION } from "./version.js";
import { parseByteSize } from "../model/limits.js";
import { checkGlobalOptions, type CheckedOptions } from "./options.js";
import { note } from "./output.js";
import { parseCrossCheckVias, type CrossCheckVia } from "./cross-check-vias.js";

/** The global options of CLI.md, as commander hands them over. */
export interface GlobalOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  anonymous?: boolean;
  dockerConfig?: string;
  platform?: string;
  insecure?: boolean;
  caFile?: string[];
  proxy?: string;
  crossCheck?: string[];
  jobs?: string;
  retries?: string;
  timeout?: string;
  maxBlobSize?: string;
  json?: boolean;
  progress?: string;
  verbose?: boolean;
}

/** Progress display modes. */
export type ProgressMode = "tty" | "plain" | "none";

/** Tries several stores in order; stores and erases go to the last (docker's config). */
class LayeredCredentials implements CredentialStore {
  constructor(private readonly stores: CredentialStore[]) {}
  async get(registry: string): Promise<Credential | undefined> {
    for (const s of this.stores) {
      const c = await s.get(registry);
      if (c) return c;
    }
    return undefined;
  }
  store(registry: string, cred: Credential): Promise<void> {
    return this.stores[this.stores.length - 1]!.store(registry, cred);
  }
  erase(registry: string): Promise<void> {
    return this.stores[this.stores.length - 1]!.erase(registry);
  }
}

let stdinText: Promise<string> | undefined;

/** Reads all of standard input once (for `--password-stdin`). */
export function readStdin(): Promise<string> {
  stdinText ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  })();
  return stdinText;
}

export { intOption } from "./options.js";

/** Per-invocation state shared by the commands. */
export class CliContext {
  readonly opts: GlobalOptions;
  /** The numeric global options, checked. */
  readonly checked: CheckedOptions;
  readonly controller = new AbortController();
  private clientPromise?: Promise<RegistryClient>;
  private storePromise?: Promise<CredentialStore | undefined>;
  /** Registries this command was given credentials for (flags, or a store of its own): see `ClientOptions.authenticateFirst`. */
  private readonly givenFor: string[] = [];
  private readonly paths: CrossCheckVia[];
  private sharedTransport?: Transport;
  private configStore?: Promise<DockerConfigStore>;

  constructor(command: Command) {
    this.opts = command.optsWithGlobals() as GlobalOptions;
    this.checked = checkGlobalOptions(this.opts);
    this.paths = parseCrossCheckVias(this.opts.crossCheck);
    // Every request in flight listens on the one signal; dozens at once are normal here.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Logs a line to stderr (always shown: progress and notices). */
  info(line: string): void {
    note(line);
  }

  /** Logs a line to stderr only with `-v`. */
  debug(line: string): void {
    if (this.opts.verbose) note(`ocidist: ${line}`);
  }

  /** `--max-blob-size` in bytes, or undefined when not given. @throws UsageError when malformed */
  get maxBlobSize(): number | undefined {
    const text = this.opts.maxBlobSize;
    if (text === undefined) return undefined;
    const n = parseByteSize(text);
    if (n === undefined) throw new UsageError(`--max-blob-size wants a byte count such as 20000000000 or 32G, not ${JSON.stringify(text)}`);
    return n;
  }

  /** `--jobs`, default 4. */
  get jobs(): number {
    return this.checked.jobs;
  }

  /** The retry policy of `--retries` (a shorter backoff base with `OCIDIST_RETRY_BASE_MS`, for fault tests), for blob transfers. */
  get retry(): RetryPolicy {
    return retryPolicy({ retries: this.checked.retries, ...(process.env.OCIDIST_RETRY_BASE_MS ? { baseMs: Number(process.env.OCIDIST_RETRY_BASE_MS) } : {}) });
  }

  /** The platform asked for with `--platform`, else undefined. */
  get requestedPlatform(): Platform | undefined {
    return this.opts.platform ? parsePlatform(this.opts.platform) : undefined;
  }

  /** The platform to resolve indexes to: `--platform`, else `linux/<this machine's arch>`. */
  get platform(): Platform {
    return this.requestedPlatform ?? hostPlatform();
  }

  /** `--progress`: `auto` becomes `tty` on a terminal, else `plain`. */
  get progress(): ProgressMode {
    const p = this.opts.progress ?? "auto";
    if (p === "auto") return process.stderr.isTTY ? "tty" : "plain";
    if (p === "tty" || p === "plain" || p === "none") return p;
    throw new UsageError(`--progress wants auto, tty, plain or none, not ${JSON.stringify(p)}`);
  }

  /**
   * The credential given with `-u` and `-p` (or `--password-stdin`), or undefined when none was.
   * @throws UsageError when only one of the two is given
   */
  async flagCredential(): Promise<{ username: string; password: string } | undefined> {
    const { username } = this.opts;
    let password = this.opts.password;
    if (this.opts.passwordStdin) {
      if (password !== undefined) throw new UsageError("give --password or --password-stdin, not both");
      password = (await readStdin()).replace(/\r?\n$/, "");
    }
    if ((username === undefined) !== (password === undefined)) {
      throw new UsageError(username === undefined ? "a password was given without --username" : "--username needs --password or --password-stdin");
    }
    return username !== undefined && password !== undefined ? { username, password } : undefined;
  }

  /** docker's `config.json` (`--docker-config`), loaded once. */
  dockerConfig(): Promise<DockerConfigStore> {
    this.configStore ??= DockerConfigStore.load(this.opts.dockerConfig);
    return this.configStore;
  }

  /** The settings of the HTTP transport, from the global options. */
  transportOptions(): TransportOptions {
    return {
      insecure: this.opts.insecure,
      caFiles: this.opts.caFile,
      proxy: this.opts.proxy,
      retries: this.checked.retries,
      timeoutMs: this.checked.timeoutMs,
      // For tests that inject faults: a shorter backoff base (milliseconds).
      ...(process.env.OCIDIST_RETRY_BASE_MS ? { retryBaseMs: Number(process.env.OCIDIST_RETRY_BASE_MS) } : {}),
      userAgent: `ocidist/${VERSION} (node ${process.version}; ${process.platform}/${process.arch})`,
      log: this.opts.verbose ? (line) => note(`ocidist: ${line}`) : undefined,
    };
  }

  /** The one HTTP transport of this invocation (its connection pools), built on first use. */
  transport(): Transport {
    this.sharedTransport ??= new Transport(this.transportOptions());
    return this.sharedTransport;
  }

  /**
   * The credential store: `perRegistry` first (a command's own flags, such as copy's
   * `--src-creds`), then `-u/-p` for the named registries, then docker's config.json.
   */
  async credentials(registries: string[], perRegistry: ReadonlyMap<string, Credential> = new Map()): Promise<CredentialStore | undefined> {
    if (this.opts.anonymous) return undefined;
    const stores: CredentialStore[] = [...perRegistry].map(([registry, cred]) => new StaticCredentials(registry, cred));
    const given = await this.flagCredential();
    if (given) for (const r of registries) stores.push(new StaticCredentials(r, given));
    this.givenFor.push(...perRegistry.keys(), ...(given ? registries : []));
    stores.push(await this.dockerConfig());
    return new LayeredCredentials(stores);
  }

  /**
   * The registry client, built once; `registries` are the ones flags' credentials apply to.
   * `credentials` replaces the usual stores (login checks exactly what it was given).
   */
  client(registries: string[], credentials?: CredentialStore): Promise<RegistryClient> {
    this.clientPromise ??= (async () => {
      const store = await this.credentialStore(registries, credentials);
      if (credentials) this.givenFor.push(...registries);
      return new RegistryClient({
        ...this.transportOptions(),
        transport: this.transport(),
        credentials: store,
        authenticateFirst: this.givenFor,
        anonymous: this.opts.anonymous,
        warn: (line) => note(`ocidist: ${line}`),
      });
    })();
    return this.clientPromise;
  }

  /** The credential store of the registry client (built once, as {@link client} builds it). */
  credentialStore(registries: string[], given?: CredentialStore): Promise<CredentialStore | undefined> {
    this.storePromise ??= given ? Promise.resolve(given) : this.credentials(registries);
    return this.storePromise;
  }

  /** The `--cross-check` paths. */
  get crossCheckVias(): CrossCheckVia[] {
    return this.paths;
  }

  /** Releases connections. */
  async close(): Promise<void> {
    // A client that failed to build has already reported its error; nothing to release.
    await this.clientPromise?.catch(() => undefined);
    await this.sharedTransport?.close().catch(() => undefined);
  }
}
