/**
 * The shapes every HTTP layer shares: a request, a response, and the round-tripper that
 * turns one into the other. The layers (`sender`, `logging`, `redirects`, `retrying`) are
 * each a round-tripper wrapping the next, as go-containerregistry chains its
 * `http.RoundTripper`s; `Transport` composes them.
 * @module
 */
import type { Readable } from "node:stream";

/** HTTP methods the registry API uses. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A request body: bytes, or a stream (which can be sent only once, so is never retried). */
export type RequestBody = Buffer | Uint8Array | string | Readable;

/**
 * One HTTP request. The body is a factory called once per attempt, so that a retry or an
 * auth round can replay it; a factory that cannot make a fresh body goes with `retry: false`.
 */
export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: () => RequestBody;
  /** Follow redirects (default: for GET and HEAD). */
  followRedirects?: boolean;
  /** Retry transient failures (default true; forced off once a stream body was sent). */
  retry?: boolean;
  signal?: AbortSignal;
}

/** A response whose body must be consumed or destroyed by the caller. */
export interface HttpResponse {
  status: number;
  /** Response headers, names lower-case. */
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The URL that answered (after redirects). */
  url: string;
  /** One header's value; several values are joined with ", ". */
  header(name: string): string | undefined;
  /** Every value of a header (for `WWW-Authenticate`, `Warning`). */
  headerAll(name: string): string[];
  /** The token scopes the request was authorised for (set by the registry client, for error messages). */
  scopes?: string[];
  /** What authenticated the request, when anything did (set by the registry client, for error messages). */
  credentials?: "basic" | "bearer";
}

/** One layer of the transport: sends a request (perhaps through the next layer) and answers. */
export type RoundTripper = (req: HttpRequest) => Promise<HttpResponse>;

/** True for a body that is a stream, which can be read only once. */
export function isStreamBody(body: RequestBody | undefined): body is Readable {
  return body !== undefined && typeof body === "object" && "pipe" in body;
}

/** A short name for a network error: its code, else its message. */
export function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  return e?.code ?? e?.cause?.code ?? e?.message ?? String(err);
}
