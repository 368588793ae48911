/**
 * Upload sessions (distribution-spec "Pushing blobs"): each is a file in the server's work
 * area and a running hash, advanced only by bytes that reached the file, so that the
 * session's offset, file and hash always agree. Sessions live in memory: a restarted
 * server has none (their files went with the dead process's work area). They are capped
 * (`maxUploadSessions`, then 429) and one that no request touched for `uploadSessionTimeout`
 * is dropped, its file removed; its URL then answers 404 BLOB_UPLOAD_UNKNOWN, as the spec
 * allows for an expired upload. A session being written to is never dropped.
 * @module
 */
import { randomUUID, type Hash } from "node:crypto";
import { open, rm, type FileHandle } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { createDigester } from "../model/digest.js";
import { maxBlobSize } from "../model/limits.js";
import { ServeError, uploadUnknown } from "./errors.js";

/** One upload in progress. */
export interface Session {
  id: string;
  repo: string;
  path: string;
  /** Bytes held. */
  offset: number;
  hash: Hash;
  /** True while a request writes to it. */
  busy: boolean;
  touched: number;
}

/** The open sessions of one server. */
export class Sessions {
  private readonly open = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  /**
   * @param tempPath a fresh path in the work area
   * @param max most sessions open at once
   * @param idleMs a session untouched this long is dropped
   */
  constructor(
    private readonly tempPath: () => string,
    private readonly max: number,
    private readonly idleMs: number,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  /** Starts a session. @throws ServeError 429 TOOMANYREQUESTS at the cap */
  async create(repo: string): Promise<Session> {
    if (this.open.size >= this.max) await this.sweep();
    if (this.open.size >= this.max) throw new ServeError(429, "TOOMANYREQUESTS", "too many upload sessions in progress; try again later", { "Retry-After": "60" });
    const s: Session = { id: randomUUID(), repo, path: this.tempPath(), offset: 0, hash: createDigester("sha256"), busy: false, touched: Date.now() };
    // Counted before the file exists, so that concurrent creates cannot pass the cap together.
    this.open.set(s.id, s);
    try {
      const fh = await open(s.path, "wx");
      await fh.close();
    } catch (err) {
      this.open.delete(s.id);
      throw err;
    }
    return s;
  }

  /** The session `id` of `repo`. @throws ServeError 404 BLOB_UPLOAD_UNKNOWN, also when it expired */
  get(repo: string, id: string): Session {
    const s = this.open.get(id);
    if (!s || s.repo !== repo) throw uploadUnknown();
    if (this.expired(s, Date.now())) {
      void this.drop(s).catch(() => undefined);
      throw uploadUnknown();
    }
    s.touched = Date.now();
    return s;
  }

  /** How many sessions are open. */
  get size(): number {
    return this.open.size;
  }

  private expired(s: Session, now: number): boolean {
    return !s.busy && now - s.touched > this.idleMs;
  }

  /** Appends a request body to the session, hashing what is written; caps the total at the largest blob. */
  async append(s: Session, body: Readable): Promise<void> {
    if (s.busy) throw new ServeError(416, "BLOB_UPLOAD_INVALID", "another request is writing to this upload", rangeHeaders(s));
    s.busy = true;
    const fh = await open(s.path, "a");
    try {
      await pipeline(body, sessionWriter(s, fh));
    } finally {
      s.busy = false;
      s.touched = Date.now();
      await fh.close();
    }
  }

  /** Ends a session, removing its file (a completed upload's file has been moved away before). */
  async drop(s: Session): Promise<void> {
    this.open.delete(s.id);
    await rm(s.path, { force: true });
  }

  /** Drops idle sessions. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    await Promise.all([...this.open.values()].filter((s) => this.expired(s, now)).map((s) => this.drop(s)));
  }

  /** Drops every session (at close). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.open.values()].map((s) => this.drop(s)));
  }
}

/** The `Range` a session reports: `0-<last byte held>`, `0-0` when it holds nothing (as docker-registry says it). */
export function rangeHeaders(s: Session): Record<string, string> {
  return { Range: `0-${Math.max(s.offset - 1, 0)}` };
}

function sessionWriter(s: Session, fh: FileHandle): Writable {
  const cap = maxBlobSize();
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      if (s.offset + chunk.length > cap) {
        cb(new ServeError(413, "SIZE_INVALID", `blob larger than the ${cap} bytes this server accepts`));
        return;
      }
      writeFully(fh, chunk).then(
        () => {
          s.hash.update(chunk);
          s.offset += chunk.length;
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
}

async function writeFully(fh: FileHandle, chunk: Buffer): Promise<void> {
  let done = 0;
  while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
}
