/**
 * Challenge-driven authentication for one client: credentials per registry (looked up once),
 * Basic when the registry asks for Basic, bearer tokens fetched from the challenge's realm
 * and cached per registry and scope set until they expire.
 * @module
 */
import type { Transport } from "../http/transport.js";
import type { Challenge } from "./challenge.js";
import type { Credential, CredentialStore } from "./credentials.js";
import { fetchToken, type BearerToken } from "./token.js";

/** Settings of an {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Ignore stored credentials entirely. */
  anonymous?: boolean;
  insecure?: boolean;
}

/** Computes `Authorization` headers for registry requests. */
export class Authenticator {
  private readonly credentials = new Map<string, Promise<Credential | undefined>>();
  private readonly tokens = new Map<string, Promise<BearerToken>>();

  constructor(
    private readonly transport: Transport,
    private readonly store: CredentialStore | undefined,
    private readonly options: AuthenticatorOptions = {},
  ) {}

  /** The credential for a registry (`docker.io`, `host:port`), looked up once per client. */
  credential(registry: string): Promise<Credential | undefined> {
    if (this.options.anonymous || !this.store) return Promise.resolve(undefined);
    let c = this.credentials.get(registry);
    if (!c) {
      c = this.store.get(registry);
      this.credentials.set(registry, c);
      c.catch(() => this.credentials.delete(registry));
    }
    return c;
  }

  /**
   * The `Authorization` value for a request to `registry` needing `scopes`, given the
   * registry's challenge; undefined when no header should be sent. `fresh` skips the cache
   * (after a 401 with a cached token).
   */
  async authorization(
    registry: string,
    challenge: Challenge | undefined,
    scopes: string[],
    context: { registryIsHttps: boolean; fresh?: boolean; signal?: AbortSignal },
  ): Promise<string | undefined> {
    if (!challenge) return undefined;
    const cred = await this.credential(registry);
    if (challenge.scheme === "basic") {
      if (cred?.username === undefined || cred.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}`;
    }
    if (challenge.scheme !== "bearer") return undefined;
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const realm = challenge.params.realm;
    if (!realm) return undefined;
    const sorted = [...new Set(scopes)].sort();
    const key = `${registry}\n${realm}\n${challenge.params.service ?? ""}\n${sorted.join(" ")}`;
    const cached = this.tokens.get(key);
    if (cached && !context.fresh) {
      const t = await cached.catch(() => undefined);
      if (t && t.expiresAt > Date.now()) return `Bearer ${t.token}`;
    }
    const pending = fetchToken(this.transport, {
      realm,
      service: challenge.params.service,
      scopes: sorted,
      credential: cred,
      registryIsHttps: context.registryIsHttps,
      insecure: this.options.insecure,
      signal: context.signal,
    });
    this.tokens.set(key, pending);
    pending.catch(() => {
      if (this.tokens.get(key) === pending) this.tokens.delete(key);
    });
    return `Bearer ${(await pending).token}`;
  }
}
