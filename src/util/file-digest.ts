/**
 * The sha256 of a file, read in large chunks: what `sha256sum` prints, so that a user can
 * compare an archive's hash across machines (the same image gives the same archive bytes).
 * @module
 */
import { createDigester } from "../model/digest.js";
import { fileChunks } from "./file-chunks.js";

/** `sha256:<hex>` of a file's bytes. */
export async function fileDigest(path: string): Promise<string> {
  const hash = createDigester("sha256");
  for await (const chunk of fileChunks(path)) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}
