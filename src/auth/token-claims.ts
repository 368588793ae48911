/**
 * What a bearer token grants, read from its claims where it is a JWT in the docker
 * token-authentication format (`access: [{type, name, actions}]`). Opaque tokens say nothing.
 * Only for telling users what they got: the registry, not this client, enforces the claims.
 * @module
 */

interface AccessClaim {
  type?: unknown;
  name?: unknown;
  actions?: unknown;
}

/**
 * The actions a token grants on a repository, or undefined when the token is not a JWT
 * with an `access` claim (opaque tokens, other formats).
 */
export function grantedActions(token: string, repository: string): string[] | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  let claims: { access?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return undefined;
  }
  if (!claims || typeof claims !== "object" || !Array.isArray(claims.access)) return undefined;
  const actions = new Set<string>();
  for (const a of claims.access as AccessClaim[]) {
    if (a?.type !== "repository" || a.name !== repository || !Array.isArray(a.actions)) continue;
    for (const act of a.actions) if (typeof act === "string") actions.add(act);
  }
  return [...actions];
}
