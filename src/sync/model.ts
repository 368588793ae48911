/**
 * What a mirror file says, once read and checked: the images to mirror, each with its
 * source repository, destination, tag selection, platforms and referrers, and the
 * per-registry settings a skopeo-format file carries (credentials, TLS).
 * @module
 */
import type { Credential } from "../auth/credentials.js";
import type { Platform } from "../model/descriptor.js";
import type { Reference } from "../model/reference.js";

/**
 * Which tags of a source repository to mirror: a list given by name, or every tag the
 * registry lists, narrowed by `regex` and `semver` (both when both are given), then to the
 * `latest` N (the newest by semver when the tags are versions, else the registry's last N).
 */
export type TagSelection = { kind: "list"; tags: string[] } | { kind: "filter"; regex?: RegExp; semver?: string; latest?: number };

/** A destination: a registry repository, or an OCI layout directory (`dir:PATH/REPO`). */
export type SyncDestination = { kind: "registry"; repo: Reference } | { kind: "dir"; path: string };

/** One entry of a mirror file. */
export interface SyncImage {
  /** The source repository (no tag, no digest). */
  from: Reference;
  to: SyncDestination;
  tags: TagSelection;
  /** Narrow an index to these platforms' images (absent: the whole index, digests kept). */
  platforms?: Platform[];
  /** Also copy the referrers (signatures, SBOMs) of each copied manifest. */
  referrers: boolean;
  /** Where the entry is in the file, `FILE:LINE:COLUMN`, for messages. */
  where: string;
}

/** A mirror file, read and checked. */
export interface SyncConfig {
  /** The file's path, as given. */
  file: string;
  format: "ocidist" | "skopeo";
  images: SyncImage[];
  /** Credentials the file gives, by registry (skopeo's `credentials`). Never printed. */
  credentials: Map<string, Credential>;
  /** CA files found in the file's `cert-dir`s (`*.crt`). */
  caFiles: string[];
}
