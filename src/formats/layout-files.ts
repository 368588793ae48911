/**
 * The small JSON files of an OCI image layout and of docker's save format, built in one
 * place so that every writer (the archive targets, the `script` command) produces the same
 * bytes. See image-spec `image-layout.md` and docker's image save format.
 * @module
 */
import type { Descriptor } from "../descriptor.js";
import { parseDigest } from "../digest.js";
import { OCI_INDEX } from "../media-types.js";

/** The content of `oci-layout`. */
export const OCI_LAYOUT_CONTENT = `${JSON.stringify({ imageLayoutVersion: "1.0.0" })}`;

/** `blobs/<alg>/<hex>`: where a layout keeps a blob (the digest is validated first). */
export function blobPathInLayout(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `blobs/${algorithm}/${encoded}`;
}

/** The content of `index.json` listing these manifests. */
export function ociIndexJson(manifests: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}

/** One image of a docker archive's `manifest.json`. */
export interface DockerSaveEntry {
  config: Descriptor;
  layers: Descriptor[];
  /** Familiar names (`alpine:latest`). */
  repoTags: string[];
}

/** The content of a docker archive's `manifest.json` (paths in the docker 25+ `blobs/` shape). */
export function dockerManifestJson(entries: DockerSaveEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({
      Config: blobPathInLayout(e.config.digest),
      RepoTags: e.repoTags,
      Layers: e.layers.map((l) => blobPathInLayout(l.digest)),
    })),
  );
}
