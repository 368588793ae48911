/**
 * The planning walk of a copy into a destination that lays its output out in order (a tar):
 * the whole graph's manifests are read first, and every descriptor the copy will push is
 * listed in graph order (children before parents, an index's children in its order, each
 * once), so that the output's bytes depend on the content alone, not on which transfer
 * finished first. The manifests read are handed to the copy, which does not read them again.
 * @module
 */
import type { Descriptor } from "../model/descriptor.js";
import { OcidistError } from "../model/errors.js";
import { childDescriptors, parseManifest, type ParsedManifest } from "../model/manifest.js";
import { isManifestMediaType } from "../model/media-types.js";
import type { ReadableTarget } from "../targets/target.js";
import { MAX_GRAPH_DEPTH, MAX_GRAPH_NODES } from "../model/limits.js";

/** How deep a planning walk goes before it refuses the graph (the copy walk's own bound). */
const MAX_PLAN_DEPTH = MAX_GRAPH_DEPTH;

/** What the planning walk found. */
export interface CopyPlan {
  /** Everything the copy will push, in the order an ordered destination should hold it. */
  order: Descriptor[];
  /** The bytes of every manifest read, by digest (verified). */
  manifests: Map<string, Buffer>;
}

/** Options of {@link planCopy}. */
export interface PlanOptions {
  referrers?: boolean;
  convertSchema1?: boolean;
  signal?: AbortSignal;
}

/** Reads a manifest's verified bytes (the copy engine's reader, passed in to keep this module below it). */
export type ManifestReader = (src: ReadableTarget, desc: Descriptor, signal?: AbortSignal) => Promise<Buffer>;

/** Walks the graph under `top` (already read) and lists what a copy of it pushes, in order. */
export async function planCopy(src: ReadableTarget, top: Descriptor, bytes: Buffer, parsed: ParsedManifest, read: ManifestReader, options: PlanOptions = {}): Promise<CopyPlan> {
  const order: Descriptor[] = [];
  const listed = new Set<string>();
  const manifests = new Map<string, Buffer>([[top.digest, bytes]]);
  const add = (d: Descriptor) => {
    if (listed.has(d.digest)) return;
    listed.add(d.digest);
    order.push(d);
  };
  const visit = async (desc: Descriptor, p: ParsedManifest, depth: number): Promise<void> => {
    if (depth > MAX_PLAN_DEPTH) throw new OcidistError(`the graph is more than ${MAX_PLAN_DEPTH} manifests deep; refused at ${desc.digest}`);
    listed.add(desc.digest);
    const children = childDescriptors(p);
    if (p.kind === "schema1") {
      // Their sizes are not in the manifest: ask the source, else they are laid out when written.
      for (const c of children) add(src.blobSize ? { ...c, size: (await src.blobSize(c, options.signal)) ?? -1 } : c);
      // A converted image's config and manifest are made later, and laid out when written.
      if (!options.convertSchema1) order.push(desc);
      return;
    }
    await visitAll(children, depth);
    order.push(desc);
    if (options.referrers && src.referrers) await visitAll(await src.referrers(desc, undefined, options.signal), depth);
  };
  const visitAll = async (children: Descriptor[], depth: number): Promise<void> => {
    const fresh = children.filter((c) => isManifestMediaType(c.mediaType) && !listed.has(c.digest));
    if (manifests.size + fresh.length > MAX_GRAPH_NODES) throw new OcidistError(`the graph has more than ${MAX_GRAPH_NODES} manifests (the limit of one walk)`);
    // Read the child manifests at once, then visit them in their order.
    await Promise.all(fresh.map(async (c) => manifests.set(c.digest, manifests.get(c.digest) ?? (await read(src, c, options.signal)))));
    for (const c of children) {
      if (!isManifestMediaType(c.mediaType)) add(c);
      else if (!listed.has(c.digest)) await visit(c, parseManifest(manifests.get(c.digest)!, c.mediaType), depth + 1);
    }
  };
  await visit(top, parsed, 0);
  return { order, manifests };
}
