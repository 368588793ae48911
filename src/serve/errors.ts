/**
 * The distribution spec's error answers ("Error Codes"): a status, a code from the spec's
 * table and the JSON body `{"errors":[{"code","message","detail"}]}`.
 * @module
 */
import type { ServerResponse } from "node:http";

/** The spec's error codes this server sends. */
export type ErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "RANGE_INVALID"
  | "PAGINATION_NUMBER_INVALID"
  | "TAG_INVALID"
  | "UNKNOWN";

/** An answer that is an error: thrown by handlers, sent by the router. */
export class ServeError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra headers (`Range` on a 416, `WWW-Authenticate` on a 401). */
    readonly headers: Record<string, string> = {},
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

/**
 * JSON text with `<`, `>`, `&`, U+2028 and U+2029 escaped, as Go's encoding/json (and so
 * docker-registry) writes them: a document echoing what a client sent cannot become markup
 * or script wherever it is shown.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Sends an error answer (headers only for HEAD). */
export function sendError(res: ServerResponse, err: ServeError, head: boolean): void {
  const body = safeJson({ errors: [{ code: err.code, message: err.message, ...(err.detail !== undefined ? { detail: err.detail } : {}) }] });
  res.writeHead(err.status, { ...err.headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/** 404 BLOB_UNKNOWN. */
export const blobUnknown = (digest: string): ServeError => new ServeError(404, "BLOB_UNKNOWN", "blob unknown to registry", {}, { digest });
/** 404 MANIFEST_UNKNOWN. */
export const manifestUnknown = (reference: string): ServeError => new ServeError(404, "MANIFEST_UNKNOWN", "manifest unknown", {}, { reference });
/** 404 NAME_UNKNOWN. */
export const nameUnknown = (name: string): ServeError => new ServeError(404, "NAME_UNKNOWN", "repository name not known to registry", {}, { name });
/** 404 BLOB_UPLOAD_UNKNOWN. */
export const uploadUnknown = (): ServeError => new ServeError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
/** 400 DIGEST_INVALID. */
export const digestInvalid = (message: string, digest?: string): ServeError => new ServeError(400, "DIGEST_INVALID", message, {}, digest === undefined ? undefined : { digest });
