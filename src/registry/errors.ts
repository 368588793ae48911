/**
 * Turning an unexpected registry response into a typed error with the registry's error
 * codes (distribution-spec "Error Codes"), reading at most 64 KiB of the body.
 * @module
 */
import { NotFoundError, OcidistError, RegistryError, UnauthorizedError, type RegistryErrorEntry } from "../model/errors.js";
import { redactUrl } from "../http/redact.js";
import type { HttpResponse } from "../http/transport.js";
import { MAX_ERROR_BODY_BYTES } from "../model/limits.js";
import { readAll } from "../util/stream.js";
import { discard } from "../http/discard.js";

/** Parses `{"errors":[{code,message,detail}]}`; anything else yields no entries. */
function parseErrorBody(body: Buffer): RegistryErrorEntry[] {
  try {
    const doc = JSON.parse(body.toString("utf8")) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
      .map((e) => ({
        code: typeof e.code === "string" && e.code ? e.code : "UNKNOWN",
        ...(typeof e.message === "string" ? { message: e.message } : {}),
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      }));
  } catch {
    return [];
  }
}

/** Keeps a message printable on one line and short. */
function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Builds the error for a response the caller did not expect. `what` names the operation's
 * object (`manifest localhost:5000/a:b`); the message carries the status and the registry's
 * first error code and message. Consumes the body.
 */
export async function responseError(res: HttpResponse, method: string, what: string): Promise<OcidistError> {
  let body: Buffer = Buffer.alloc(0);
  if (method !== "HEAD") {
    try {
      body = await readAll(res.body, MAX_ERROR_BODY_BYTES, "error body");
    } catch {
      discard(res.body);
    }
  } else {
    discard(res.body);
  }
  const errors = parseErrorBody(body);
  const first = errors[0];
  const reason = first ? `${first.code}${first.message ? `: ${oneLine(first.message)}` : ""}` : statusText(res.status, body);
  const message = `${what}: ${reason} (HTTP ${res.status})`;
  const init = { http: { status: res.status, method, url: redactUrl(res.url) }, errors };
  if (res.status === 404 || (first && /_UNKNOWN$/.test(first.code) && res.status < 500)) return new NotFoundError(message, init);
  if (res.status === 401 || res.status === 403) {
    const needs = res.scopes?.length ? `; this needs ${res.scopes.join(" ")}` : "";
    const hint = res.status !== 401 ? "" : res.credentials === "basic" ? " (the registry rejected the credentials: check the username and password)" : " (log in, or pass -u/-p)";
    return new UnauthorizedError(`${message}${needs}${hint}`, init);
  }
  return new RegistryError(message, init);
}

function statusText(status: number, body: Buffer): string {
  const names: Record<number, string> = {
    400: "bad request",
    401: "UNAUTHORIZED",
    403: "DENIED",
    404: "not found",
    405: "UNSUPPORTED: method not allowed",
    409: "conflict",
    413: "too large",
    416: "range not satisfiable",
    429: "TOOMANYREQUESTS",
    500: "internal server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
  };
  const text = body.length && /^[\x20-\x7e\s]*$/.test(body.subarray(0, 200).toString("latin1")) ? oneLine(body.subarray(0, 200).toString("latin1"), 120) : "";
  return `${names[status] ?? `status ${status}`}${text && !text.startsWith("<") ? `: ${text}` : ""}`;
}
