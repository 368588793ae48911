/**
 * ocidist's library API: references, a registry client with challenge-driven auth, typed
 * read operations, targets for registries and local formats, and the copy engine that pull,
 * push and copy are made of.
 *
 * @example
 * ```ts
 * import { RegistryClient, DockerConfigStore, parseReference, RegistryTarget, listTags, inspect } from "ocidist";
 * const client = new RegistryClient({ credentials: await DockerConfigStore.load() });
 * const ref = parseReference("alpine:3.20");
 * console.log(await listTags(client, ref));
 * console.log(await inspect(new RegistryTarget(client, ref), ref.tag, { os: "linux", architecture: "arm64" }));
 * await client.close();
 * ```
 * @module
 */
export * from "./model/errors.js";
export * from "./model/descriptor.js";
export * from "./model/media-types.js";
export { parseDigest, isValidDigest, digestOf, verifyBytes, VerifyingStream } from "./model/digest.js";
export * from "./model/manifest.js";
export * from "./model/reference.js";
export * from "./model/platform.js";
export { parseChallenges, preferredChallenge, type Challenge } from "./auth/challenge.js";
export type { Credential, CredentialStore } from "./auth/credentials.js";
export { StaticCredentials } from "./auth/credentials.js";
export { DockerConfigStore } from "./auth/docker-config.js";
export { Transport, type TransportOptions, type HttpRequest, type HttpResponse } from "./http/transport.js";
export { RegistryClient, type ClientOptions } from "./registry/client.js";
export { getManifest, headManifest, putManifest, deleteManifest, type FetchedManifest } from "./registry/manifests.js";
export { fetchBlob, headBlob, blobExists } from "./registry/blobs.js";
export { uploadBlob, type UploadOptions, type UploadOutcome } from "./registry/upload.js";
export { listTags, listCatalog } from "./registry/tags.js";
export { listReferrers, referrersTag } from "./registry/referrers.js";
export { crossCheckDigest, CrossCheckError, type CrossCheckPath, type CrossCheckAnswer } from "./registry/cross-check.js";
export { openVerifiedBlob, type OpenBlobOptions } from "./engine/blob-reader.js";
/** Resolving a reference in any target to one image (the one platform resolution), its manifest and config. */
export { resolveImage, resolveDigest, readManifest, fetchConfig, choosePlatform, type ImageConfig, type ReadManifest, type ResolvedImage } from "./engine/image.js";
/** A readable summary of an image or index in any target. */
export { inspect, type InspectResult } from "./ops/inspect.js";
/** An image's config document, from any target. */
export { imageConfig } from "./ops/config.js";
/** An artifact's files (Homebrew bottles, ORAS artifacts) from any target, verified, all or none. */
export { saveFiles, fileNameFor, type SaveFilesOptions, type SavedFiles } from "./ops/files.js";
/** An image's flattened root filesystem from any target. */
export { exportImage, type ExportImageOptions, type ExportedImage } from "./ops/export.js";
/** The referrers of a manifest in any target. */
export { referrersOf, type ReferrersResult } from "./ops/referrers.js";
export { BlobCache, defaultCacheDir } from "./engine/cache.js";
export { copy, copyInto, fetchManifestBytes, type CopyHooks, type CopyOptions, type CopyResult } from "./engine/copy.js";
export { chooseStrategy, type BlobRoute, type CopyStrategy } from "./engine/copy-strategy.js";
export { retryPolicy, defaultRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from "./http/retry.js";
export { convertSchema1 } from "./engine/schema1-convert.js";
export type { ReadableTarget, WritableTarget, FetchOptions, FetchResult, BlobIntake, BodyOpener } from "./targets/target.js";
export { MemoryTarget } from "./targets/memory.js";
export { RegistryTarget, type RegistryTargetOptions } from "./targets/registry.js";
export type { ProgressListener, BlobOutcome } from "./progress/events.js";
export { openLocalSink, openLocalSource, parseLocation, detectLocalFormat, type LocalKind } from "./targets/local.js";
export { exportRootfs, type ExportLayer } from "./export/export-rootfs.js";
export { verifyLocation, type VerifyReport } from "./ops/verify.js";
export { pullImages, type PullOutput, type PullReport, type PulledImage } from "./ops/pull.js";
export { generateScript, type ScriptPlan } from "./ops/script.js";
export { getRateLimit, type RateLimit } from "./registry/ratelimit.js";
export { HubClient, parseHubRepo, DEFAULT_HUB_URL, type HubClientOptions, type ListOptions as HubListOptions } from "./hub/client.js";
export type { HubPage, HubRepository, HubTag, HubTagImage, HubSearchResult } from "./hub/types.js";
/** Mirroring many images from one file (`ocidist sync`): read and check a mirror file, then sync it. */
export { sync, type SyncOptions, type SyncReport } from "./sync/sync.js";
export { readSyncConfig, parseSyncConfig, SyncFileError, type ReadSyncOptions } from "./sync/read-config.js";
export type { SyncConfig, SyncImage, SyncDestination, TagSelection } from "./sync/model.js";
export { parseShard, shardOf, type Shard } from "./sync/shard.js";
export { readLock, writeLock, type LockEntry, type LockFile } from "./sync/lock.js";
export type { ItemResult, ItemStatus, SyncObserver } from "./sync/runner.js";
export type { SyncItem } from "./sync/plan.js";
/** An OCI distribution registry over a directory of OCI layouts (one per repository), started and stopped in-process. */
export { serve, type ServeOptions, type RunningServer } from "./serve/server.js";
export { SERVE_LIMITS, type ServeLimits } from "./model/limits.js";
