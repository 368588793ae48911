/**
 * Credentials and the store interface.
 * @module
 */

/** A credential for one registry. */
export interface Credential {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Where credentials live. */
export interface CredentialStore {
  get(registry: string): Promise<Credential | undefined>;
  store(registry: string, cred: Credential): Promise<void>;
  erase(registry: string): Promise<void>;
}

/** One credential for one registry (from flags). */
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
