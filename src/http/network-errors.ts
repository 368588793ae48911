/**
 * Network failures in words: what went wrong and what to try, instead of a bare errno code
 * (`ENOTFOUND`) or a TLS library constant (`SELF_SIGNED_CERT_IN_CHAIN`).
 * @module
 */

/** Codes OpenSSL and Node give when a server's certificate cannot be trusted. */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

/** The error code of a network error or of its cause. */
function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : undefined;
  return code;
}

/** True when the server speaks TLS but its certificate is not trusted. */
export function isCertificateError(err: unknown): boolean {
  const code = networkCode(err);
  return code !== undefined && CERTIFICATE_CODES.has(code);
}

/** Where a request was going: its URL, and the proxy it went through, if any. */
export interface NetworkContext {
  url: string;
  proxy?: string;
}

/**
 * A sentence for a network error, naming the host or proxy and the way out, or undefined
 * for errors that have no better words than their own.
 */
export function describeNetworkError(err: unknown, ctx: NetworkContext): string | undefined {
  const code = networkCode(err);
  const host = new URL(ctx.url).host;
  const proxy = ctx.proxy ? new URL(ctx.proxy).host : undefined;
  if (isCertificateError(err)) {
    return `the TLS certificate of ${host} is not trusted (${code}): pass --ca-file with the CA that signed it (or set SSL_CERT_FILE), or --insecure to skip verification`;
  }
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return proxy ? `cannot resolve host ${host} (or proxy ${proxy}): check DNS and the proxy` : `cannot resolve host ${host}: check DNS, or set HTTPS_PROXY / --proxy`;
    case "ECONNREFUSED":
      return proxy ? `cannot connect to proxy ${proxy} (connection refused)` : `cannot connect to ${host} (connection refused)`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `cannot reach ${proxy ? `proxy ${proxy}` : host} (no route to host)`;
    case "ECONNRESET":
      return `${host} closed the connection`;
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return `${host} does not speak TLS on this port (${code}); for a plain-HTTP registry pass --insecure`;
    default:
      return undefined;
  }
}
