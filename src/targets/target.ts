/**
 * The content-store abstraction every location implements: a registry repository, an OCI
 * layout directory, an OCI archive, a docker archive. `copy()` in `src/engine/copy.ts` walks the
 * graph from a {@link ReadableTarget} into a {@link WritableTarget} and needs nothing else.
 * @module
 */
import type { FileIdentity } from "../util/file-identity.js";
import type { Readable } from "node:stream";
import type { Descriptor } from "../model/descriptor.js";

/** Options of a fetch. */
export interface FetchOptions {
  /** Start at this byte offset (resume); the target may ignore it and report so via {@link FetchResult.offset}. */
  offset?: number;
  signal?: AbortSignal;
}

/** A body being fetched. */
export interface FetchResult {
  /** The bytes, starting at {@link offset}. Not verified: callers wrap it in a VerifyingStream. */
  body: Readable;
  /** The offset the body really starts at (0 when a range request was not honoured). */
  offset: number;
}

/** Opens the bytes of a blob to push, when they are needed. */
export type BodyOpener = () => Promise<Readable>;

/** A location content can be read from. */
export interface ReadableTarget {
  /** Human-readable name of the location, for messages (`oci:./dir`, `registry.example/repo`). */
  readonly description: string;
  /**
   * Resolves a tag or digest within the location to the descriptor of the manifest or index
   * it names. `undefined` means the location's only or default image.
   * @throws NotFoundError when nothing has that name.
   */
  resolve(ref: string | undefined, signal?: AbortSignal): Promise<Descriptor>;
  /**
   * Optional: resolves like {@link resolve} without reading the manifest's body, where that
   * is cheaper or counts differently (a registry's `HEAD`, which Docker Hub does not count
   * as a pull).
   */
  head?(ref: string | undefined, signal?: AbortSignal): Promise<Descriptor>;
  /** Streams a blob or manifest named by its descriptor. @throws NotFoundError */
  fetch(desc: Descriptor, options?: FetchOptions): Promise<FetchResult>;
  /** Whether the content is present. */
  exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean>;
  /** A blob's size when its descriptor does not tell (schema 1 layers), when the location can say. */
  blobSize?(desc: Descriptor, signal?: AbortSignal): Promise<number | undefined>;
  /** Tags (or reference names) the location holds, when it can list them. */
  tags?(signal?: AbortSignal): Promise<string[]>;
  /** Manifests whose `subject` is `desc` (referrers), when the location can list them. */
  referrers?(desc: Descriptor, artifactType?: string, signal?: AbortSignal): Promise<Descriptor[]>;
  /** Releases file handles and connections. */
  close?(): Promise<void>;
}

/**
 * How a destination takes blob bytes, declared by the destination; the copy engine picks
 * one route per blob from it (see `src/engine/copy-strategy.ts`):
 * - `"stream"`: {@link WritableTarget.push} takes streams, several at once (registries,
 *   tars written by regions). With a blob cache, one stream feeds the cache and the
 *   destination: no second pass over the bytes.
 * - `"file"`: {@link WritableTarget.pushFile} costs less than writing the bytes (it
 *   hard-links, as a directory layout does). With a blob cache, each blob is completed in the
 *   cache first and the file is handed over. Such a target must implement `pushFile`.
 */
export type BlobIntake = "stream" | "file";

/** A location content can be written to. */
export interface WritableTarget {
  readonly description: string;
  /** How the target takes blob bytes (default `"stream"`). */
  readonly accepts?: BlobIntake;
  /** Whether the content is already there (then it is not pushed again). */
  exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean>;
  /**
   * Stores a blob or a manifest. `open()` yields exactly `desc.size` bytes that hash to
   * `desc.digest`; the target still must not keep content that fails to (it may verify).
   */
  push(desc: Descriptor, open: BodyOpener, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: makes a blob present without moving its bytes, by mounting it from another
   * repository of the same registry (distribution-spec "Mounting a blob from another
   * repository"). Resolves true when the blob was mounted, false when the registry declined
   * (then the blob must be pushed). The copy engine asks only when source and destination
   * are repositories of one registry reached through one client.
   */
  mount?(desc: Descriptor, fromRepository: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Optional: everything the copy will push, in graph order (children before parents), before
   * any of it moves. A target that writes one file lays it out in this order, so that its
   * bytes do not depend on the order transfers happen to finish in.
   */
  plan?(descs: Descriptor[], signal?: AbortSignal): Promise<void>;
  /**
   * Optional (required with `accepts: "file"`): stores a blob that is already a local file (a
   * hard link where possible). With `identity` (the file whose bytes were verified), a file
   * at `path` that is no longer that one is refused, not stored.
   */
  pushFile?(desc: Descriptor, path: string, signal?: AbortSignal, identity?: FileIdentity): Promise<void>;
  /**
   * Names a manifest or index that was pushed: a tag in a registry, an `index.json` entry
   * with `org.opencontainers.image.ref.name` in a layout, `RepoTags` in a docker archive.
   * `ref` is what the user asked for (a tag, or a full reference for archives).
   */
  tag(desc: Descriptor, ref: string | undefined, signal?: AbortSignal): Promise<void>;
  /** Finishes the output: writes indexes and renames into place. Nothing exists at the destination before. */
  commit(): Promise<void>;
  /** Gives up: removes every temporary file, leaves what was at the destination before untouched. */
  abort(): Promise<void>;
}
