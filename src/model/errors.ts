/**
 * Error classes shared by the library and the CLI. They carry meaning, not transport: a
 * {@link NotFoundError} for a blob missing from a layout is the same class as a registry's
 * 404, and HTTP details, when there were any, are the optional {@link OcidistError.http}.
 * Callers tell errors apart with `instanceof` and {@link OcidistError.code}, never by name
 * strings or status numbers. The CLI maps them to one line and an exit status (`cli/exit.ts`).
 * @module
 */

/** One entry of a registry error body: `{"errors":[{"code","message","detail"}]}` (distribution-spec, "Error Codes"). */
export interface RegistryErrorEntry {
  /** Spec code such as `MANIFEST_UNKNOWN`, `UNAUTHORIZED`, `DENIED`; `UNKNOWN` when absent. */
  code: string;
  message?: string;
  detail?: unknown;
}

/** The HTTP exchange an error came from, when it came from one. */
export interface HttpDetails {
  status: number;
  method: string;
  /** The request URL with query string and credentials removed. */
  url: string;
}

/** What any ocidist error may carry besides its message. */
export interface ErrorInit {
  cause?: unknown;
  /** The HTTP exchange, for errors a server answered. */
  http?: HttpDetails;
  /** The registry's error entries (or ones made for the same meaning, such as `BLOB_UNKNOWN`). */
  errors?: RegistryErrorEntry[];
}

/** Base class of every error ocidist raises on purpose. */
export class OcidistError extends Error {
  override name = "OcidistError";
  /** The HTTP exchange the error came from, when there was one. */
  readonly http?: HttpDetails;
  /** Spec error entries (`MANIFEST_UNKNOWN`, `DENIED`…), empty when none apply. */
  readonly errors: RegistryErrorEntry[];
  constructor(message: string, init: ErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    if (init.http) this.http = init.http;
    this.errors = init.errors ?? [];
  }
  /** The first spec error code, if any. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
  /** The HTTP status, when the error came from an HTTP answer. */
  get status(): number | undefined {
    return this.http?.status;
  }
}

/** Malformed user input: a reference, platform, digest or option. The CLI exits 2 on these. */
export class UsageError extends OcidistError {
  override name = "UsageError";
}

/** A reference that does not follow the distribution reference grammar. */
export class InvalidReferenceError extends UsageError {
  override name = "InvalidReferenceError";
}

/** A digest that does not follow the strict `algorithm:encoded` grammar. */
export class InvalidDigestError extends UsageError {
  override name = "InvalidDigestError";
}

/** A registry (or another server) answered with an unexpected status. */
export class RegistryError extends OcidistError {
  override name = "RegistryError";
  declare readonly http: HttpDetails;
  constructor(message: string, init: ErrorInit & { http: HttpDetails }) {
    super(message, init);
  }
}

/** Nothing has that name: a registry's 404 or `*_UNKNOWN`, a blob or tag missing from a layout or archive. */
export class NotFoundError extends OcidistError {
  override name = "NotFoundError";
}

/** 401/403: credentials missing, wrong, or lacking permission. */
export class UnauthorizedError extends OcidistError {
  override name = "UnauthorizedError";
}

/** Content whose bytes do not hash to the digest that named it, or exceed its declared size. */
export class DigestMismatchError extends OcidistError {
  override name = "DigestMismatchError";
  readonly expected: string;
  readonly actual?: string;
  constructor(message: string, expected: string, actual?: string) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }
}

/** A media type this client cannot handle where it was found, or a document contradicting its media type. */
export class UnsupportedMediaTypeError extends OcidistError {
  override name = "UnsupportedMediaTypeError";
}

/** A manifest, index or config that is not valid for its declared type. */
export class InvalidManifestError extends OcidistError {
  override name = "InvalidManifestError";
}

/** Authentication could not be performed (token endpoint failure, helper failure, bad challenge). */
export class AuthError extends OcidistError {
  override name = "AuthError";
}

/** An upload session that disagrees with the client about the bytes it holds; a fresh session may pass. */
export class UploadSessionError extends OcidistError {
  override name = "UploadSessionError";
}

/** The operation was cancelled (signal, Ctrl-C). */
export class AbortedError extends OcidistError {
  override name = "AbortedError";
}

/** Content over one of the bounds in `model/limits.ts` (size, depth, count, ratio). */
export class LimitError extends OcidistError {
  override name = "LimitError";
}

/** The HTTP status an error came from, or undefined when it did not come from an HTTP answer. */
export function httpStatusOf(err: unknown): number | undefined {
  return err instanceof OcidistError ? err.http?.status : undefined;
}
