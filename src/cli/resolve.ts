/**
 * Turning a command-line reference into a registry target for a command.
 * @module
 */
import { parseReference, type Reference } from "../model/reference.js";
import { RegistryTarget, type RegistryTargetOptions } from "../targets/registry.js";
import type { CliContext } from "./context.js";

/** A parsed reference and the registry target of its repository. */
export interface CliTarget {
  ref: Reference;
  target: RegistryTarget;
  /** The tag or digest to resolve (the digest wins when both are given). */
  at: string | undefined;
}

/** Parses `REF` and opens its repository with the context's client. */
export async function openReference(ctx: CliContext, text: string, options?: RegistryTargetOptions): Promise<CliTarget> {
  const ref = parseReference(text);
  const client = await ctx.client([ref.registry]);
  return { ref, target: new RegistryTarget(client, ref, options), at: ref.digest ?? ref.tag };
}
