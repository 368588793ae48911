/**
 * The one validator for names that come from content (a registry, a layout's index.json, an
 * archive's manifest.json) and become paths on this machine: a file name is a single plain
 * path component, and a relative path is a sequence of such components. Nothing that passes
 * can climb out of the directory it is joined to, name a device, or hide a separator.
 * @module
 */
import { OcidistError } from "../model/errors.js";

/** The longest file name most file systems take (bytes of UTF-8). */
const MAX_NAME_BYTES = 255;

/** Why `name` is not a plain file name, or undefined when it is one. */
export function plainNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return "is not a string";
  if (name === "" || name === "." || name === "..") return "is empty, . or ..";
  if (/[/\\]/.test(name)) return "contains a path separator";
  if (/[\x00-\x1f\x7f-\x9f]/.test(name)) return "contains a control character";
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/**
 * `name` itself when it is a plain file name: no `/` or `\`, not empty, `.` or `..`, no
 * control characters, at most 255 bytes.
 * @param what names the source for the error, e.g. `layer sha256:…'s title`
 * @throws OcidistError otherwise
 */
export function plainFileName(name: unknown, what: string): string {
  const problem = plainNameProblem(name);
  if (problem) throw new OcidistError(`refusing ${what} ${JSON.stringify(String(name).slice(0, 300))}: it ${problem}, not a plain file name`);
  return name as string;
}

/**
 * `rel` when it is a relative `/`-separated path of plain names (`blobs/sha256/<hex>`).
 * @throws OcidistError otherwise
 */
export function safeRelativePath(rel: string, what: string): string {
  if (typeof rel !== "string" || rel === "") throw new OcidistError(`refusing ${what}: empty path`);
  for (const part of rel.split("/")) {
    if (plainNameProblem(part)) throw new OcidistError(`refusing ${what} ${JSON.stringify(rel.slice(0, 300))}: it is not a relative path of plain names`);
  }
  return rel;
}
