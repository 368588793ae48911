/**
 * Helpers of the sync tests: write a mirror file, and read what a registry holds (every tag
 * of some repositories with the digest it names), through the library's own client.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../../src/model/errors.js";
import { RegistryClient } from "../../src/registry/client.js";
import { RegistryTarget } from "../../src/targets/registry.js";
import type { RigInfo } from "../rig/rig.js";
import { tempDir } from "./cli.js";

/** Writes `text` to a new file and returns its path. */
export function mirrorFile(text: string, name = "mirror.yaml"): string {
  const path = join(tempDir("ocidist-sync-"), name);
  writeFileSync(path, text);
  return path;
}

/** `repo:tag` → digest for every tag of `repos` on `host` (a repository that does not exist has none). */
export async function registryState(rig: RigInfo, host: string, repos: string[]): Promise<Record<string, string>> {
  const client = new RegistryClient({ caFiles: [rig.caFile], retries: 0 });
  const out: Record<string, string> = {};
  try {
    for (const repository of repos) {
      const target = new RegistryTarget(client, { registry: host, repository });
      let tags: string[] = [];
      try {
        tags = await target.tags();
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      for (const tag of tags.sort()) out[`${repository}:${tag}`] = (await target.head(tag)).digest;
    }
  } finally {
    await client.close();
  }
  return out;
}

/** The JSON document of `ocidist sync --json`. */
export interface SyncJson {
  dryRun: boolean;
  total: number;
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  images: { source: string; destination: string; result: string; digest?: string; manifest?: string; bytes: number; blobs: Record<string, number>; error?: string }[];
  repositories: { repository: string; result: string; error: string }[];
}
