/**
 * Tag selection: which of a repository's tags a {@link TagSelection} picks. Tags are read as
 * versions by npm's semver in loose mode (`v1.2.3`, `1.2.3-rc.1`); a tag of one or two numbers
 * (`3`, `3.19`, as images are often tagged) reads as `3.0.0`, `3.19.0`. Other tags are no
 * versions and never satisfy a semver range.
 * @module
 */
import semver, { type SemVer } from "semver";
import type { TagSelection } from "./model.js";

/** A tag read as a version, or undefined when it is none. */
export function tagVersion(tag: string): SemVer | undefined {
  const exact = semver.parse(tag, { loose: true });
  if (exact) return exact;
  return /^v?\d+(\.\d+)?$/.test(tag) ? (semver.coerce(tag) ?? undefined) : undefined;
}

/** True when a selection needs the repository's tag list (all but a plain list). */
export function needsTagList(sel: TagSelection): boolean {
  return sel.kind === "filter";
}

/**
 * The tags `sel` picks from `available` (in the registry's order). A list is returned as
 * given (a tag missing at the source fails when it is copied). A filter keeps the tags its
 * `regex` matches (anywhere in the tag, as skopeo matches) and whose version satisfies its
 * `semver` range (npm's grammar, prereleases included only when the range names them); then
 * `latest: N` keeps the N newest by version when any tag left is a version (others are
 * dropped), else the registry's last N. The result keeps the registry's order.
 */
export function selectTags(sel: TagSelection, available: readonly string[]): string[] {
  if (sel.kind === "list") return [...sel.tags];
  let tags = [...new Set(available)];
  if (sel.regex) tags = tags.filter((t) => sel.regex!.test(t));
  if (sel.semver !== undefined) {
    const range = sel.semver;
    tags = tags.filter((t) => {
      const v = tagVersion(t);
      return v !== undefined && semver.satisfies(v, range, { loose: true });
    });
  }
  if (sel.latest === undefined || tags.length <= sel.latest) return tags;
  const versions = tags.map((t) => [t, tagVersion(t)] as const).filter((e): e is readonly [string, SemVer] => e[1] !== undefined);
  let keep: Set<string>;
  if (versions.length) {
    // Newest first; equal versions (v1.2.3 and 1.2.3) by tag text, so the choice is stable.
    versions.sort((a, b) => semver.rcompare(a[1], b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    keep = new Set(versions.slice(0, sel.latest).map((e) => e[0]));
  } else {
    keep = new Set(tags.slice(-sel.latest));
  }
  return tags.filter((t) => keep.has(t));
}
