/**
 * The small JSON files of an OCI image layout and of docker's save format, built in one
 * place so that every writer (the layout and archive targets, the `script` command)
 * produces the same bytes. See image-spec `image-layout.md` and docker's image save format
 * (docker 25+ writes both in one tar, which is what ocidist writes for docker archives).
 * @module
 */
import { ANNOTATION_REF_NAME, type Descriptor } from "../model/descriptor.js";
import { parseDigest } from "../model/digest.js";
import { UsageError } from "../model/errors.js";
import { OCI_INDEX } from "../model/media-types.js";
import { familiarName, formatReference, parseReference } from "../model/reference.js";

/** The content of `oci-layout`. */
export const OCI_LAYOUT_CONTENT = JSON.stringify({ imageLayoutVersion: "1.0.0" });

/** containerd's (and docker's) annotation with an image's full name in index.json. */
export const ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name";

/** `blobs/<alg>/<hex>`: where a layout keeps a blob (the digest is validated first). */
export function blobPathInLayout(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `blobs/${algorithm}/${encoded}`;
}

/** One named (or unnamed) manifest of a layout's index.json. */
export interface LayoutEntry {
  descriptor: Descriptor;
  /** `org.opencontainers.image.ref.name` (a tag, as skopeo writes). */
  refName?: string;
  /** `io.containerd.image.name` (the full reference; docker archives). */
  imageName?: string;
}

/** The index.json descriptor of an entry. */
export function layoutIndexDescriptor(e: LayoutEntry): Descriptor {
  const annotations = { ...(e.descriptor.annotations ?? {}) };
  if (e.imageName) annotations[ANNOTATION_CONTAINERD_NAME] = e.imageName;
  if (e.refName) annotations[ANNOTATION_REF_NAME] = e.refName;
  const { annotations: _drop, ...rest } = e.descriptor;
  return Object.keys(annotations).length ? { ...rest, annotations } : rest;
}

/** The content of `index.json` for these entries. */
export function ociIndexJson(entries: LayoutEntry[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries.map(layoutIndexDescriptor) });
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

/** The legacy `repositories` file: familiar repository → tag → hex of the top layer. */
export function repositoriesJson(entries: DockerSaveEntry[]): string {
  const repos: Record<string, Record<string, string>> = {};
  for (const e of entries) {
    const top = e.layers[e.layers.length - 1];
    if (!top) continue;
    for (const t of e.repoTags) {
      const i = t.lastIndexOf(":");
      if (i <= 0) continue;
      (repos[t.slice(0, i)] ??= {})[t.slice(i + 1)] = parseDigest(top.digest).encoded;
    }
  }
  return JSON.stringify(repos);
}

/** Every metadata file of an output, in the order they are written (after the blobs, `oci-layout` first). */
export function metadataFiles(kind: "oci" | "oci-archive" | "docker-archive", layout: LayoutEntry[], save: DockerSaveEntry[]): { path: string; content: string }[] {
  const files = [{ path: "index.json", content: ociIndexJson(layout) }];
  if (kind === "docker-archive") {
    files.push({ path: "manifest.json", content: dockerManifestJson(save) });
    files.push({ path: "repositories", content: repositoriesJson(save) });
  }
  return files;
}

/** The names a docker archive gives an image: `RepoTags` (familiar) and index.json annotations. */
export interface DockerArchiveNames {
  familiar: string;
  imageName: string;
  refName: string;
}

/** Names for `ref` (`alpine:3`, `host/repo:tag`) in a docker archive; undefined when it names no tag. @throws UsageError */
export function dockerArchiveNames(ref: string | undefined): DockerArchiveNames | undefined {
  if (ref === undefined) return undefined;
  let name;
  try {
    name = parseReference(ref);
  } catch {
    throw new UsageError(`invalid image name ${JSON.stringify(ref)} for a docker archive: want NAME[:TAG]`);
  }
  if (!name.tag) return undefined;
  const plain = { registry: name.registry, repository: name.repository, tag: name.tag };
  return { familiar: familiarName(plain), imageName: formatReference(plain), refName: name.tag };
}
