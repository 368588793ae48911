/**
 * Docker Hub's pull limit, read from the `ratelimit-*` headers of a manifest `HEAD` (which
 * does not count as a pull): `ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`,
 * `docker-ratelimit-source`. Absent headers mean no limit applies.
 * @module
 */
import { headManifest } from "./manifests.js";
import type { RegistryClient } from "./client.js";
import type { Reference } from "../model/reference.js";

/** The pull limit as the registry reports it. */
export interface RateLimit {
  /** False when the registry sent no limit headers (no limit applies). */
  limited: boolean;
  limit?: number;
  remaining?: number;
  /** The window in seconds (`w=`). */
  windowSeconds?: number;
  /** Who the limit is counted against (an IP address or an account id). */
  source?: string;
}

/** Parses `N;w=S` into its count and window. */
export function parseRateLimitHeader(value: string | undefined): { count?: number; window?: number } {
  if (!value) return {};
  const [count, ...params] = value.split(";").map((s) => s.trim());
  const out: { count?: number; window?: number } = {};
  if (count && /^\d+$/.test(count)) out.count = Number(count);
  for (const p of params) {
    const m = /^w=(\d+)$/.exec(p);
    if (m) out.window = Number(m[1]);
  }
  return out;
}

/** Reads the headers from a HEAD of `ref`'s manifest. */
export async function getRateLimit(client: RegistryClient, ref: Reference, signal?: AbortSignal): Promise<RateLimit> {
  const { headers } = await headManifest(client, ref, signal);
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const limit = parseRateLimitHeader(one("ratelimit-limit"));
  const remaining = parseRateLimitHeader(one("ratelimit-remaining"));
  const source = one("docker-ratelimit-source");
  if (limit.count === undefined && remaining.count === undefined) return { limited: false, ...(source ? { source } : {}) };
  return {
    limited: true,
    ...(limit.count !== undefined ? { limit: limit.count } : {}),
    ...(remaining.count !== undefined ? { remaining: remaining.count } : {}),
    ...((limit.window ?? remaining.window) !== undefined ? { windowSeconds: limit.window ?? remaining.window } : {}),
    ...(source ? { source } : {}),
  };
}
