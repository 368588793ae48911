/**
 * Checks of single values of a mirror file, shared by ocidist's format and skopeo's: tags,
 * repositories, destinations, regular expressions, semver ranges, counts and platforms.
 * Each records its problem at the node and gives undefined, so a file is checked whole.
 * @module
 */
import semver from "semver";
import type { Node } from "yaml";
import { isValidTag, parseRepository, tagError, type Reference } from "../model/reference.js";
import { parsePlatform } from "../model/platform.js";
import type { Platform } from "../model/descriptor.js";
import type { SyncDestination } from "./model.js";
import type { YAMLSeq } from "yaml";
import { textAt, type Problems } from "./yaml-file.js";

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `parse(text)`, or its error recorded at `node` and undefined. */
function parsed<T>(parse: (text: string) => T, text: string, node: Node, problems: Problems): T | undefined {
  try {
    return parse(text);
  } catch (err) {
    problems.add(node, messageOf(err));
    return undefined;
  }
}

/** A tag, checked against the distribution grammar (for {@link checkTagList}). */
function checkTag(text: string, node: Node, problems: Problems): string | undefined {
  if (isValidTag(text)) return text;
  problems.add(node, tagError(text));
  return undefined;
}

/** The tags of a YAML list, each checked (a digest where a tag belongs is named as such), without repeats. */
export function checkTagList(seq: YAMLSeq<Node>, problems: Problems): string[] {
  const tags: string[] = [];
  for (const item of seq.items) {
    const t = textAt(item, problems, "a tag");
    if (t !== undefined && t.includes(":")) problems.add(item, `${JSON.stringify(t)}: digests in tags are not supported; give tags`);
    else if (t !== undefined && checkTag(t, item, problems) !== undefined && !tags.includes(t)) tags.push(t);
  }
  return tags;
}

/** A repository without tag or digest. */
export function checkRepository(text: string, node: Node, problems: Problems): Reference | undefined {
  return parsed(parseRepository, text, node, problems);
}

/** `dir:PATH` (an OCI layout directory) or a registry repository. */
export function checkDestination(text: string, node: Node, problems: Problems): SyncDestination | undefined {
  if (text.startsWith("dir:")) {
    const path = text.slice(4);
    if (path) return { kind: "dir", path };
    problems.add(node, "dir: needs a path (dir:PATH/REPO)");
    return undefined;
  }
  const repo = checkRepository(text, node, problems);
  return repo ? { kind: "registry", repo } : undefined;
}

/** A regular expression (JavaScript syntax, unanchored, as skopeo's Go expressions are matched). */
export function checkRegex(text: string, node: Node, problems: Problems): RegExp | undefined {
  try {
    return new RegExp(text, "u");
  } catch (err) {
    problems.add(node, `invalid regular expression: ${messageOf(err)}`);
    return undefined;
  }
}

/** A semver range as npm's semver reads it (`>=1.2 <2`, `^3.19`, `1.x || 2.x`). */
export function checkSemverRange(text: string, node: Node, problems: Problems): string | undefined {
  if (semver.validRange(text, { loose: true }) !== null) return text;
  problems.add(node, `invalid semver range ${JSON.stringify(text)}`);
  return undefined;
}

/** A whole number of at least 1. */
export function checkCount(text: string, node: Node, problems: Problems, what: string): number | undefined {
  if (/^[1-9]\d{0,5}$/.test(text)) return Number(text);
  problems.add(node, `${what} must be a whole number from 1, not ${JSON.stringify(text)}`);
  return undefined;
}

/** A platform, `os/arch[/variant][:os.version]`. */
export function checkPlatform(text: string, node: Node, problems: Problems): Platform | undefined {
  return parsed(parsePlatform, text, node, problems);
}
