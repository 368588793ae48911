/**
 * A content-addressed blob cache under the user's cache directory
 * (`$OCIDIST_CACHE`, else `$XDG_CACHE_HOME/ocidist`, else `~/.cache/ocidist`):
 * `blobs/<alg>/<hex>` holds verified blobs, `<hex>.partial` the bytes of an interrupted
 * download (resumed with a range request next time), and `<hex>.lock` marks a download in
 * progress so that two processes never write one file at once.
 * @module
 */
import { writeSmallAtomic } from "../util/write-file.js";
import { lstat, mkdir, rm } from "node:fs/promises";
import { OwnedFd } from "../util/owned-fd.js";
import { homedir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { openVerifiedBlob } from "./blob-reader.js";
import { markVerified } from "../util/verified-stream.js";
import type { Descriptor } from "../model/descriptor.js";
import { DigestVerifier, VerifyingStream, parseDigest } from "../model/digest.js";
import { fileChunks } from "../util/file-chunks.js";
import { FileReader } from "../util/file-reader.js";
import { sleep, type RetryPolicy } from "../http/retry.js";
import type { ReadableTarget } from "../targets/target.js";
import { DigestMismatchError, OcidistError } from "../model/errors.js";
import { takeLock } from "../util/lock-file.js";
import { CACHE_TAG_FILE, hasCacheTag, writeCacheTag } from "../util/cache-tag.js";
import { FileTee } from "./file-tee.js";
import { APPEND_NO_FOLLOW, CREATE_EXCLUSIVE, createExclusiveWriter, mkdirNoFollow, openFileWriter } from "../util/no-follow.js";
import { removeFile } from "../util/remove-file.js";
import { identityOfFd, openSameFile, type FileIdentity } from "../util/file-identity.js";
import { constants, openSync, renameSync, statSync } from "node:fs";
import { lstatNow } from "../util/lstat-now.js";

/** The default cache directory. */
export function defaultCacheDir(): string {
  return process.env.OCIDIST_CACHE || ownCacheDir();
}

/** `ocidist` in the user's cache home: a directory that is ocidist's by its name. */
function ownCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "ocidist");
}

/** How a blob came to be in the cache. */
export type CacheOutcome = "cached" | "downloaded" | "resumed";

/** Options of {@link BlobCache.ensure}. */
export interface EnsureOptions {
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
  /** When to resume a download cut off mid-way (default: the blob reader's). */
  retry?: RetryPolicy;
}

/** The blob cache. */
export class BlobCache {
  /** The `blobs/<alg>` directories checked (or being checked), by algorithm. */
  private readonly prepared = new Map<string, Promise<void>>();
  /** The files this process verified (downloaded or re-hashed), by digest: see {@link verifiedFile}. */
  private readonly verifiedFiles = new Map<string, FileIdentity>();

  constructor(readonly dir: string = defaultCacheDir()) {}

  /** Path of a blob in the cache (the digest is validated first). */
  path(digest: string): string {
    const { algorithm, encoded } = parseDigest(digest);
    return join(this.dir, "blobs", algorithm, encoded);
  }

  /** True when the verified blob is in the cache with the descriptor's size (a regular file, never a link). */
  async has(desc: Descriptor): Promise<boolean> {
    // On the calling thread, as every per-blob metadata call of the cache (see util/remove-file.ts).
    const s = lstatNow(this.path(desc.digest));
    return !!s && s.isFile() && (desc.size < 0 || s.size === desc.size);
  }

  /** Opens a cached blob. */
  open(desc: Descriptor, offset = 0): Readable {
    return new FileReader(this.path(desc.digest), { start: offset }, true);
  }

  /**
   * The cached blob as a verified stream: when this process verified the file (downloaded
   * or re-hashed it, see {@link verifiedFile}), it is opened and checked to be that very
   * file, without hashing it again; otherwise it is hashed as it is read ({@link openVerified}).
   * @throws ReplacedFileError (as a rejection) when another file was put at its path since
   */
  async openChecked(desc: Descriptor): Promise<Readable> {
    const identity = this.verifiedFiles.get(desc.digest);
    if (!identity) return this.openVerified(desc);
    return markVerified(new FileReader(await openSameFile(this.path(desc.digest), identity)));
  }

  /**
   * Opens a cached blob through a verifier once more (a cache file may have been damaged
   * since); a file that fails is removed from the cache.
   */
  openVerified(desc: Descriptor): Readable {
    const verifier = new VerifyingStream({ digest: desc.digest, size: desc.size >= 0 ? desc.size : undefined, what: "cached blob" });
    const file = this.open(desc);
    file.on("error", (err) => verifier.destroy(err));
    verifier.on("error", (err) => {
      if (err instanceof DigestMismatchError) void removeFile(this.path(desc.digest)).catch(() => undefined);
    });
    return markVerified(file.pipe(verifier));
  }

  /**
   * The blob as a verified stream from its first byte, kept in the cache on the way: from
   * the cache when it is there; otherwise downloaded from `source`, each byte appended to
   * the partial file as it passes to the caller, the file becoming the cached blob when the
   * digest checks out. Bytes are written once to the cache and once by the caller, never
   * read back. A partial download from an earlier run is completed first, then streamed.
   */
  async openThrough(source: ReadableTarget, desc: Descriptor, options: EnsureOptions = {}): Promise<{ body: Readable; how: CacheOutcome }> {
    const final = await this.prepare(desc.digest);
    for (;;) {
      if (await this.has(desc)) return { body: this.openVerified(desc), how: "cached" };
      const unlock = await takeLock(final);
      if (!unlock) {
        await sleep(200, options.signal);
        continue;
      }
      let handedOver = false;
      try {
        if (await this.has(desc)) return { body: this.openVerified(desc), how: "cached" };
        const partial = await partialSize(`${final}.partial`, desc);
        if (partial > 0) {
          // Completed and verified just now, under the lock: no second hash pass.
          const how = await this.download(source, desc, final, options);
          return { body: await this.openChecked(desc), how };
        }
        handedOver = true;
        return { body: await this.tee(source, desc, final, unlock, partial === 0, options), how: "downloaded" };
      } finally {
        if (!handedOver) await unlock();
      }
    }
  }

  /**
   * Downloads into the partial file while yielding the same bytes; releases the lock when
   * the stream ends, fails or is destroyed (even before its first read).
   */
  private async tee(source: ReadableTarget, desc: Descriptor, final: string, unlock: () => Promise<void>, stale: boolean, options: EnsureOptions): Promise<Readable> {
    const partial = `${final}.partial`;
    const file = new OwnedFd();
    try {
      if (stale) await removeFile(partial);
      file.fd = openSync(partial, CREATE_EXCLUSIVE, 0o644);
      const body = await openVerifiedBlob(source, desc, { signal: options.signal, onBytes: options.onBytes, retry: options.retry });
      return markVerified(new FileTee(body, file, partial, final, unlock));
    } catch (err) {
      file.closeQuietly();
      await unlock();
      throw err;
    }
  }

  /**
   * The file (device and inode) whose bytes this process last verified for `digest`: a
   * consumer that links or copies the cached file by its path checks it is still that file,
   * since a shared cache directory lets others rename another file over the path meanwhile.
   */
  verifiedFile(digest: string): FileIdentity | undefined {
    return this.verifiedFiles.get(digest);
  }

  /** Re-hashes a cached blob; a damaged one is removed and reported. @throws DigestMismatchError */
  async verify(desc: Descriptor): Promise<void> {
    const verifier = new DigestVerifier({ digest: desc.digest, size: desc.size >= 0 ? desc.size : undefined, what: "cached blob" });
    try {
      const fd = openSync(this.path(desc.digest), constants.O_RDONLY | constants.O_NOFOLLOW);
      const identity = identityOfFd(fd);
      for await (const chunk of fileChunks(fd)) verifier.update(chunk);
      verifier.check();
      this.verifiedFiles.set(desc.digest, identity);
    } catch (err) {
      await removeFile(this.path(desc.digest));
      throw err;
    }
  }

  /** The size of a cached blob. */
  async size(desc: Descriptor): Promise<number> {
    return statSync(this.path(desc.digest)).size;
  }

  /**
   * Makes sure the blob is in the cache, verified: already there, resumed from a partial
   * download, or downloaded from `source`. Concurrent callers (other processes too) wait
   * for the one holding the blob's lock.
   */
  async ensure(source: ReadableTarget, desc: Descriptor, options: EnsureOptions = {}): Promise<CacheOutcome> {
    const final = await this.prepare(desc.digest);
    for (;;) {
      if (await this.has(desc)) return "cached";
      const unlock = await takeLock(final);
      if (!unlock) {
        await sleep(200, options.signal);
        continue;
      }
      try {
        if (await this.has(desc)) return "cached";
        return await this.download(source, desc, final, options);
      } finally {
        await unlock();
      }
    }
  }

  private async download(source: ReadableTarget, desc: Descriptor, final: string, options: EnsureOptions): Promise<CacheOutcome> {
    const partial = `${final}.partial`;
    const offset = await partialSize(partial, desc);
    try {
      return await this.fill(source, desc, final, partial, offset, options);
    } catch (err) {
      // A partial file whose bytes do not lead to the digest (written by something else, or
      // complete but wrong) is deleted by fill; start once more from the first byte.
      if (offset <= 0 || !(err instanceof DigestMismatchError)) throw err;
      return await this.fill(source, desc, final, partial, 0, options);
    }
  }

  /**
   * Downloads the blob into `partial` from `offset` on (resuming what is there; 0: from the
   * start, replacing what is there; -1: from the start, nothing there), verifies it and
   * moves it into place.
   */
  private async fill(source: ReadableTarget, desc: Descriptor, final: string, partial: string, at: number, options: EnsureOptions): Promise<CacheOutcome> {
    if (at === 0) await removeFile(partial);
    const offset = Math.max(at, 0);
    // The file is opened first: the body must have its reader attached as soon as it exists.
    const file = offset > 0 ? await openFileWriter(partial, APPEND_NO_FOLLOW) : await createExclusiveWriter(partial);
    try {
      const body = await openVerifiedBlob(source, desc, {
        offset,
        signal: options.signal,
        onBytes: options.onBytes,
        retry: options.retry,
        seed: async (verifier) => {
          for await (const chunk of new FileReader(partial, { end: offset - 1 }, true)) verifier.seed(chunk as Buffer);
        },
      });
      await pipeline(body, file, { signal: options.signal });
      if (file.identity) this.verifiedFiles.set(desc.digest, file.identity);
    } catch (err) {
      file.destroy();
      // Bytes that failed verification are worthless; bytes cut off by a network failure are kept for resumption.
      if (err instanceof DigestMismatchError) await removeFile(partial);
      throw err;
    }
    renameSync(partial, final);
    return offset > 0 ? "resumed" : "downloaded";
  }

  /**
   * Removes every cached blob and partial download: the `blobs` tree of a directory that
   * ocidist marked as its cache when it created it (or of `<cache home>/ocidist`, which is
   * ocidist's by name, as caches made before the mark are).
   * @throws OcidistError for any other directory (it may be someone else's)
   */
  async clear(): Promise<void> {
    if (!(await lstat(join(this.dir, "blobs")).catch(() => undefined))) return;
    if (this.dir !== ownCacheDir() && !(await hasCacheTag(this.dir))) throw new OcidistError(`${this.dir} is not marked as an ocidist cache (no ${CACHE_TAG_FILE} written by ocidist); refusing to delete anything in it`);
    await rm(join(this.dir, "blobs"), { recursive: true, force: true });
    this.prepared.clear();
  }

  /**
   * Makes sure `blobs/<alg>` is a real directory below the cache (a planted symlink is
   * refused) and returns the blob's path; a cache directory created now is marked as ocidist's.
   */
  private async prepare(digest: string): Promise<string> {
    const final = this.path(digest);
    const algorithm = parseDigest(digest).algorithm;
    // Checked once per cache and algorithm: every blob of a pull would repeat the same
    // mkdir and lstat calls (a failed check is not kept: the next blob checks again).
    let ready = this.prepared.get(algorithm);
    if (!ready) {
      ready = this.makeDirs(algorithm);
      this.prepared.set(algorithm, ready);
      ready.catch(() => this.prepared.delete(algorithm));
    }
    await ready;
    return final;
  }

  private async makeDirs(algorithm: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const made = await mkdirNoFollow(this.dir, `blobs/${algorithm}`);
    if (made[0] === join(this.dir, "blobs")) await writeCacheTag(this.dir);
  }

  /** Records a blob that is at hand in memory (a synthesized config). */
  async put(digest: string, bytes: Uint8Array): Promise<void> {
    await writeSmallAtomic(await this.prepare(digest), bytes);
  }
}

/**
 * How many bytes of an earlier download can be resumed from: the partial file's size; 0
 * when it is too long (to be replaced); -1 when nothing is there. Anything but a regular
 * file of its own (a planted symlink or hard link) is removed, never read or appended to.
 */
async function partialSize(partial: string, desc: Descriptor): Promise<number> {
  const st = lstatNow(partial);
  if (!st) return -1;
  try {
    if (!st.isFile() || st.nlink !== 1) {
      await removeFile(partial);
      return -1;
    }
    return desc.size >= 0 && st.size > desc.size ? 0 : st.size;
  } catch {
    return 0;
  }
}
