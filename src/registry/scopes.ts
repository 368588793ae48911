/**
 * Token scopes for repository operations.
 * @module
 */
import { formatScope } from "../auth/scope.js";

/** `repository:<name>:<actions>` for a request on one repository. */
export function scopeFor(repository: string, actions: "pull" | "pull,push" | "delete" | "push"): string {
  return formatScope({ type: "repository", name: repository, actions: actions.split(",") });
}
