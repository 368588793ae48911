/**
 * Credentials, and the store interface every source of them implements.
 * @module
 */

/** A credential for one registry. */
export interface Credential {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`, or a helper's `<token>` user). */
  identityToken?: string;
  /** A bearer token to send as is (docker's `registrytoken`). */
  registryToken?: string;
}

/** Where credentials live: keyed by registry name (`docker.io`, `ghcr.io`, `localhost:5000`). */
export interface CredentialStore {
  get(registry: string): Promise<Credential | undefined>;
  store(registry: string, cred: Credential): Promise<void>;
  erase(registry: string): Promise<void>;
}

/** One credential for one registry (from `-u/-p`); other registries get none. */
export class StaticCredentials implements CredentialStore {
  constructor(
    private readonly registry: string,
    private readonly cred: Credential,
  ) {}
  async get(registry: string): Promise<Credential | undefined> {
    return registry === this.registry ? this.cred : undefined;
  }
  async store(): Promise<void> {}
  async erase(): Promise<void> {}
}
