/**
 * Token scopes (`repository:name:pull,push`).
 * @module
 */

/** A scope. */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** Parses a scope: type at the first colon, actions after the last. */
export function parseScope(s: string): Scope {
  const first = s.indexOf(":");
  const last = s.lastIndexOf(":");
  if (first < 0 || last === first) return { type: s, name: "", actions: [] };
  return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(",").filter(Boolean) };
}

/** Formats a scope. */
export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(",")}`;
}

/** The catalog scope. */
export const CATALOG_SCOPE = "registry:catalog:*";

/** Merges scopes on the same resource. */
export function mergeScopes(scopes: Scope[]): Scope[] {
  const out: Scope[] = [];
  for (const s of scopes) {
    const same = out.find((o) => o.type === s.type && o.name === s.name);
    if (same) {
      for (const a of s.actions) if (!same.actions.includes(a)) same.actions.push(a);
    } else {
      out.push({ ...s, actions: [...new Set(s.actions)] });
    }
  }
  return out;
}

/** Splits a challenge's space-separated scope list. */
export function parseScopeList(s: string): Scope[] {
  return s.split(/\s+/).filter(Boolean).map(parseScope);
}
