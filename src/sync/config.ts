/**
 * ocidist's mirror file:
 *
 * ```yaml
 * images:
 *   - from: registry.example/team/app
 *     to: mirror.example/app          # or dir:/srv/mirror/app (an OCI layout)
 *     tags: [v1, v2]                   # or {regex: ^v1\.}, {semver: ">=1.2 <2"}, {latest: 3}
 *     platforms: [linux/amd64]         # optional; default the whole index
 *     referrers: true                  # optional; signatures, SBOMs
 * ```
 * @module
 */
import { isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import type { Platform } from "../model/descriptor.js";
import { checkCount, checkDestination, checkPlatform, checkRegex, checkRepository, checkSemverRange, checkTagList } from "./checks.js";
import type { SyncImage, TagSelection } from "./model.js";
import { boolAt, checkKeys, keyText, mapAt, seqAt, textAt, valueAt, type Problems } from "./yaml-file.js";

const ENTRY_KEYS = ["from", "to", "tags", "platforms", "referrers"] as const;
const FILTER_KEYS = ["regex", "semver", "latest"] as const;

/** `tags:` — a list of tags, or `{regex, semver, latest}` (any of them; none means every tag). */
function readTags(node: Node | undefined, problems: Problems): TagSelection | undefined {
  if (node === undefined) return undefined;
  if (isSeq(node)) {
    const tags = checkTagList(node as YAMLSeq<Node>, problems);
    if (node.items.length === 0) problems.add(node, "tags: [] selects nothing; leave tags out, or give {regex: .}, to mirror every tag");
    return { kind: "list", tags };
  }
  if (!isMap(node)) {
    problems.add(node, "tags must be a list of tags, or a mapping with regex, semver or latest");
    return undefined;
  }
  const map = node as YAMLMap<Node, Node>;
  checkKeys(map, FILTER_KEYS, problems, "tags");
  const sel: TagSelection = { kind: "filter" };
  for (const pair of map.items) {
    const value = pair.value as Node;
    const k = keyText(pair);
    const text = (FILTER_KEYS as readonly string[]).includes(k) ? textAt(value, problems, `tags.${k}`) : undefined;
    if (text === undefined) continue;
    if (k === "regex") sel.regex = checkRegex(text, value, problems);
    else if (k === "semver") sel.semver = checkSemverRange(text, value, problems);
    else sel.latest = checkCount(text, value, problems, "tags.latest");
  }
  return sel;
}

function readPlatforms(node: Node | undefined, problems: Problems): Platform[] | undefined {
  if (node === undefined) return undefined;
  const seq = seqAt(node, problems, "platforms");
  if (!seq) return undefined;
  if (seq.items.length === 0) problems.add(seq, "platforms: [] selects nothing; leave it out to copy whole indexes");
  // Several platforms would need a new index of some of the source's images: new digests, no longer a mirror.
  if (seq.items.length > 1) problems.add(seq.items[1] as Node, "one platform per entry (several would make a new index with new digests); leave platforms out to copy the whole index");
  const out: Platform[] = [];
  for (const item of seq.items as Node[]) {
    const text = textAt(item, problems, "a platform");
    const p = text === undefined ? undefined : checkPlatform(text, item, problems);
    if (p) out.push(p);
  }
  return out;
}

function readEntry(node: Node, problems: Problems): SyncImage | undefined {
  const map = mapAt(node, problems, "an entry of images");
  if (!map) return undefined;
  checkKeys(map, ENTRY_KEYS, problems, "an image entry");
  const get = (k: string) => valueAt(map, k);
  const fromNode = get("from");
  const toNode = get("to");
  if (fromNode === undefined) problems.add(map, "an image entry needs from: (the source repository)");
  if (toNode === undefined) problems.add(map, "an image entry needs to: (a repository or dir:PATH/REPO)");
  const fromText = fromNode === undefined ? undefined : textAt(fromNode, problems, "from");
  const toText = toNode === undefined ? undefined : textAt(toNode, problems, "to");
  const from = fromText === undefined ? undefined : checkRepository(fromText, fromNode!, problems);
  const to = toText === undefined ? undefined : checkDestination(toText, toNode!, problems);
  const tagsNode = get("tags");
  const tags = tagsNode === undefined ? ({ kind: "filter" } as const) : readTags(tagsNode, problems);
  const platforms = readPlatforms(get("platforms"), problems);
  const refNode = get("referrers");
  const referrers = refNode === undefined ? false : boolAt(refNode, problems, "referrers");
  if (!from || !to || !tags || referrers === undefined) return undefined;
  return { from, to, tags, referrers, where: problems.where(map), ...(platforms ? { platforms } : {}) };
}

/** Reads the entries of ocidist's format from the document's root mapping. */
export function readOcidistFormat(root: YAMLMap<Node, Node>, problems: Problems): SyncImage[] {
  checkKeys(root, ["images"], problems, "the file");
  const images = valueAt(root, "images");
  const seq = seqAt(images, problems, "images");
  if (!seq) return [];
  if (seq.items.length === 0) problems.add(seq, "images is empty: nothing to mirror");
  const out: SyncImage[] = [];
  for (const item of seq.items as Node[]) {
    const entry = readEntry(item, problems);
    if (entry) out.push(entry);
  }
  return out;
}
