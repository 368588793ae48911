/**
 * What the manifests a layout's index.json names reach (manifests, configs, layers), so
 * that a delete never removes a file a remaining image needs.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { MAX_GRAPH_NODES, MAX_MANIFEST_BYTES } from "../model/limits.js";
import { childDescriptors, parseManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import type { Storage } from "./storage.js";

/** Every digest reachable from `roots` in the layout (the roots included). */
export async function referencedDigests(storage: Storage, name: string, roots: readonly Descriptor[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = roots.map((d) => ({ digest: d.digest, mediaType: d.mediaType }));
  let manifests = 0;
  while (queue.length) {
    const d = queue.pop()!;
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    if (!isManifestMediaType(d.mediaType) || ++manifests > MAX_GRAPH_NODES) continue;
    const bytes = await storage.readBlob(name, d.digest, MAX_MANIFEST_BYTES);
    if (!bytes) continue;
    try {
      const parsed = parseManifest(bytes, d.mediaType);
      // Only digests not yet seen: an index naming one digest many times cannot grow the queue.
      for (const c of childDescriptors(parsed)) if (!seen.has(c.digest)) queue.push({ digest: c.digest, mediaType: c.mediaType });
    } catch {
      // An unreadable manifest names nothing.
    }
  }
  return seen;
}
