/**
 * A bearer token for one repository, obtained exactly as requests obtain theirs, and
 * checked for push rights when those were asked for (token servers grant what the
 * credentials allow and silently drop the rest).
 * @module
 */
import { grantedActions } from "../auth/token-claims.js";
import { OcidistError } from "../model/errors.js";
import type { Reference } from "../model/reference.js";
import type { RegistryClient } from "./client.js";
import { scopeFor } from "./scopes.js";

/** A token and what it was asked for. */
export interface RepositoryToken {
  token: string;
  /** The scope asked for: `repository:NAME:pull` or `…:pull,push`. */
  scope: string;
  /** True when push was asked for and the token's grants could not be read (not a JWT), so push rights are unchecked. */
  pushUnchecked: boolean;
}

/**
 * A bearer token for `repo` with pull, or pull and push.
 * @throws OcidistError when the registry asks for no token, uses Basic authentication, or granted no push when push was asked for
 */
export async function repositoryToken(client: RegistryClient, repo: Reference, options: { push?: boolean; signal?: AbortSignal } = {}): Promise<RepositoryToken> {
  const scope = scopeFor(repo.repository, options.push ? "pull,push" : "pull");
  const token = await client.token(repo.registry, [scope], options.signal);
  if (token === undefined) throw new OcidistError(`${repo.registry} asks for no token: requests need no Authorization header`);
  if (token.startsWith("Basic ")) throw new OcidistError(`${repo.registry} uses Basic authentication, not bearer tokens`);
  if (!options.push) return { token, scope, pushUnchecked: false };
  const granted = grantedActions(token, repo.repository);
  if (granted && !granted.includes("push") && !granted.includes("*")) {
    throw new OcidistError(`${repo.registry} granted ${granted.length ? granted.join(",") : "nothing"} on ${repo.repository}, not push: these credentials may not push there`);
  }
  return { token, scope, pushUnchecked: !granted };
}
