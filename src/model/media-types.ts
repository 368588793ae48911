/**
 * Media types of the OCI image spec and Docker's image manifest formats, and their
 * classification. See image-spec `media-types.md` and Docker's "Image Manifest V2, Schema 2".
 * @module
 */

/** OCI image index (image-spec `image-index.md`). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image manifest (image-spec `manifest.md`). */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** OCI image config. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** OCI empty descriptor payload `{}` (image-spec `manifest.md#guidance-for-an-empty-descriptor`). */
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
export const OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar";
export const OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
export const OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/** Docker manifest list (a multi-platform index). */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker schema 1, JWS-signed. */
export const DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/** Docker schema 1, unsigned. */
export const DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
export const DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/** Bytes of no stated type: the `Content-Type` of a blob upload, and the media type of a blob known only by digest. */
export const OCTET_STREAM = "application/octet-stream";

/** Every manifest media type this client reads, in the order sent in `Accept`. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1_SIGNED,
  DOCKER_SCHEMA1,
];

/** The `Accept` header value for manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** Strips parameters (`; charset=utf-8`) and lower-cases a `Content-Type`. */
export function baseMediaType(contentType: string | undefined | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** True for an OCI index or a Docker manifest list. */
export function isIndexMediaType(mt: string): boolean {
  return mt === OCI_INDEX || mt === DOCKER_MANIFEST_LIST;
}

/** True for an OCI image manifest or a Docker schema 2 manifest. */
export function isImageManifestMediaType(mt: string): boolean {
  return mt === OCI_MANIFEST || mt === DOCKER_MANIFEST;
}

/** True for Docker schema 1, signed or not. */
export function isSchema1MediaType(mt: string): boolean {
  return mt === DOCKER_SCHEMA1 || mt === DOCKER_SCHEMA1_SIGNED;
}

/** True for any manifest media type this client reads. */
export function isManifestMediaType(mt: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mt);
}

/** Layer compression, as told by the media type. */
export type Compression = "none" | "gzip" | "zstd";

/**
 * The compression a layer media type declares, or `undefined` when the type is not a
 * known layer type (artifacts: the bytes decide, see {@link sniffCompression}).
 */
export function layerCompression(mt: string): Compression | undefined {
  if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) return "gzip";
  if (mt.endsWith("+zstd") || mt.endsWith(".tar.zstd")) return "zstd";
  if (mt === OCI_LAYER || mt === OCI_LAYER_NONDIST || mt === DOCKER_LAYER) return "none";
  return undefined;
}

/** Compression told by magic bytes: gzip `1f 8b`, zstd `28 b5 2f fd`; otherwise none. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

/** Media types known to name something other than a manifest or index: a descriptor, a config, a layer, the empty blob. */
export function isKnownNonManifestMediaType(t: string): boolean {
  const base = baseMediaType(t);
  return (
    base === "application/vnd.oci.descriptor.v1+json" ||
    base === OCI_CONFIG ||
    base === OCI_EMPTY ||
    base === DOCKER_CONFIG ||
    base.startsWith("application/vnd.oci.image.layer.") ||
    base.startsWith("application/vnd.docker.image.rootfs.")
  );
}
