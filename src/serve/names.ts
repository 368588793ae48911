/**
 * Repository names and references from request paths, validated before they touch the
 * file system (distribution-spec "Pulling manifests": `<name>` grammar, tags, digests).
 * A name that passes is a relative path of plain components inside the served directory.
 * @module
 */
import { isValidDigest } from "../model/digest.js";
import { isValidPathComponent, isValidTag } from "../model/reference.js";
import { ServeError } from "./errors.js";

/** Longest repository name accepted. */
export const MAX_NAME_LENGTH = 255;

/** Why `name` is not a repository name this server stores, or undefined when it is one. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return `must be 1 to ${MAX_NAME_LENGTH} characters`;
  const parts = name.split("/");
  for (const [i, p] of parts.entries()) {
    if (!isValidPathComponent(p)) return `component ${JSON.stringify(p.slice(0, 100))} is not lowercase letters and digits separated by ".", "_", "__" or "-"`;
    // DIR/a/blobs/ is the blob store of the layout DIR/a/, never a repository of its own.
    if (i > 0 && p === "blobs") return `a component named "blobs" would land inside the blob store of ${parts.slice(0, i).join("/")}`;
  }
  return undefined;
}

/** `name` when valid. @throws ServeError 400 NAME_INVALID */
export function checkName(name: string): string {
  const problem = repositoryNameProblem(name);
  if (problem) throw new ServeError(400, "NAME_INVALID", `invalid repository name: ${problem}`, {}, { name: name.slice(0, 300) });
  return name;
}

/** A manifest reference: a tag or a digest. */
export type ManifestRef = { tag: string } | { digest: string };

/** Parses `<reference>` of `/manifests/<reference>`. @throws ServeError 400 */
export function parseManifestRef(text: string): ManifestRef {
  if (text.includes(":")) {
    if (!isValidDigest(text)) throw new ServeError(400, "DIGEST_INVALID", "invalid digest", {}, { digest: text.slice(0, 200) });
    return { digest: text };
  }
  if (!isValidTag(text)) throw new ServeError(400, "TAG_INVALID", "invalid tag", {}, { tag: text.slice(0, 200) });
  return { tag: text };
}

/** A digest from a path or query. @throws ServeError 400 DIGEST_INVALID */
export function checkDigest(text: string | null | undefined): string {
  if (!text || !isValidDigest(text)) throw new ServeError(400, "DIGEST_INVALID", "invalid or unsupported digest", {}, { digest: (text ?? "").slice(0, 200) });
  return text;
}
