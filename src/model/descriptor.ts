/**
 * The content descriptor (image-spec `descriptor.md`) and the platform object it may carry.
 * @module
 */

/** A platform as written in an index (image-spec `image-index.md#platform`). */
export interface Platform {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  features?: string[];
}

/** A content descriptor: what a piece of content is, how big, and its digest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  platform?: Platform;
  artifactType?: string;
}

/** Annotation holding a blob's file name (image-spec `annotations.md`). */
export const ANNOTATION_TITLE = "org.opencontainers.image.title";
/** Annotation naming an index.json entry in an OCI layout. */
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
/** Annotation on image creation time. */
export const ANNOTATION_CREATED = "org.opencontainers.image.created";
/** BuildKit's marker for attestation manifests in an index. */
export const ANNOTATION_DOCKER_REFERENCE_TYPE = "vnd.docker.reference.type";
/** BuildKit's annotation pointing an attestation at the image it describes. */
export const ANNOTATION_DOCKER_REFERENCE_DIGEST = "vnd.docker.reference.digest";
