/**
 * Logging in as `docker login` does: the credential is checked with an authorised
 * `GET /v2/` (the registry's challenge decides Basic or a token), and stored only when
 * the registry accepts it.
 * @module
 */
import type { Credential, CredentialStore } from "../auth/credentials.js";
import { UnauthorizedError } from "../model/errors.js";
import type { RegistryClient } from "./client.js";
import { responseError } from "./errors.js";

/** What {@link login} found. */
export interface LoginResult {
  /** False when the registry asks for no credentials at all (they were stored anyway). */
  challenged: boolean;
}

/**
 * Checks `credential` against `registry` with a `client` that authenticates with exactly
 * that credential, then stores it in `store`.
 * @throws UnauthorizedError when the registry rejects the credential; another error for other answers
 */
export async function login(client: RegistryClient, registry: string, credential: Credential, store: CredentialStore, signal?: AbortSignal): Promise<LoginResult> {
  const state = await client.ping(registry, signal);
  const res = await client.request(registry, { method: "GET", path: "/v2/", scopes: [], signal });
  if (res.status !== 200) {
    const err = await responseError(res, "GET", `login to ${registry}`);
    if (err instanceof UnauthorizedError) throw new UnauthorizedError(`login to ${registry} failed: credentials rejected (HTTP ${res.status})`, { http: err.http, errors: err.errors });
    throw err;
  }
  res.body.resume();
  await store.store(registry, credential);
  return { challenged: state.challenge !== undefined };
}
