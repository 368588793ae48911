/**
 * Error classes shared by the library and the CLI. The library throws these; the CLI maps
 * them to one line on stderr and an exit status (see `src/cli/exit.ts`).
 * @module
 */

/** One entry of a registry error body: `{"errors":[{"code","message","detail"}]}` (distribution-spec, "Error Codes"). */
export interface RegistryErrorEntry {
  /** Spec code such as `MANIFEST_UNKNOWN`, `UNAUTHORIZED`, `DENIED`; `UNKNOWN` when absent. */
  code: string;
  message?: string;
  detail?: unknown;
}

/** Base class of every error ocidist raises on purpose. */
export class OcidistError extends Error {
  override name = "OcidistError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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

/** A registry answered with an unexpected status; carries its error entries when it sent any. */
export class RegistryError extends OcidistError {
  override name = "RegistryError";
  readonly status: number;
  readonly method: string;
  /** The request URL with query string and credentials removed. */
  readonly url: string;
  readonly errors: RegistryErrorEntry[];
  constructor(
    message: string,
    init: { status: number; method: string; url: string; errors?: RegistryErrorEntry[]; cause?: unknown },
  ) {
    super(message, { cause: init.cause });
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.errors = init.errors ?? [];
  }
  /** The first error code the registry sent, if any. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
}

/** 404, or a `*_UNKNOWN` error code. */
export class NotFoundError extends RegistryError {
  override name = "NotFoundError";
}

/** 401/403: credentials missing, wrong, or lacking permission. */
export class UnauthorizedError extends RegistryError {
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

/** The operation was cancelled (signal, Ctrl-C). */
export class AbortedError extends OcidistError {
  override name = "AbortedError";
}
