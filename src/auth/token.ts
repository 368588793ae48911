/**
 * The token client of docker's token authentication (distribution `docs/spec/auth/token.md`
 * and `oauth.md`): fetch a bearer token from a challenge's realm for a set of scopes, with
 * Basic credentials (GET form) or an identity/refresh token (OAuth2 POST form).
 * @module
 */
import { AuthError } from "../model/errors.js";
import type { Transport } from "../http/transport.js";
import { redactUrl } from "../http/redact.js";
import { MAX_TOKEN_RESPONSE_BYTES } from "../model/limits.js";
import { readAll } from "../util/stream.js";
import type { Credential } from "./credentials.js";

/** A bearer token and when it stops being usable. */
export interface BearerToken {
  token: string;
  /** Epoch milliseconds after which the token is not reused. */
  expiresAt: number;
  /** A refresh token the server issued, if any (OAuth2 `access_type=offline`). */
  refreshToken?: string;
}

/** What a token request needs. */
export interface TokenRequest {
  realm: string;
  service?: string;
  /** Formatted scopes, e.g. `repository:library/alpine:pull`. */
  scopes: string[];
  credential?: Credential;
  /** True when the registry itself was reached over https (then the realm must be https too). */
  registryIsHttps: boolean;
  /** Allow http realms even then (`--insecure`). */
  insecure?: boolean;
  signal?: AbortSignal;
}

/** Tokens younger than this are assumed to last at least this long (token spec: default 60 s). */
const MIN_EXPIRES_S = 60;
/** Renew a bit before the announced expiry. */
const EXPIRY_MARGIN_MS = 5_000;

/** Validates a realm URL from a challenge: http(s) only, and no downgrade from an https registry. */
export function checkRealm(realm: string, registryIsHttps: boolean, insecure = false): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new AuthError(`the registry's token realm ${JSON.stringify(realm.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new AuthError(`refusing token realm with scheme ${url.protocol}`);
  if (url.protocol === "http:" && registryIsHttps && !insecure) {
    throw new AuthError(`refusing plain-http token realm ${redactUrl(url)} for an https registry (use --insecure to allow)`);
  }
  if (url.username || url.password) throw new AuthError("refusing token realm with credentials in its URL");
  return url;
}

/** Fetches a token. Uses the OAuth2 POST form when an identity token is stored, else the GET form. */
export async function fetchToken(transport: Transport, req: TokenRequest): Promise<BearerToken> {
  const realm = checkRealm(req.realm, req.registryIsHttps, req.insecure);
  const cred = req.credential;
  if (cred?.identityToken) {
    const viaPost = await postToken(transport, realm, req, cred.identityToken);
    if (viaPost) return viaPost;
  }
  return getToken(transport, realm, req);
}

async function getToken(transport: Transport, realm: URL, req: TokenRequest): Promise<BearerToken> {
  const url = new URL(realm);
  if (req.service) url.searchParams.set("service", req.service);
  for (const s of req.scopes) url.searchParams.append("scope", s);
  const headers: Record<string, string> = { accept: "application/json" };
  const cred = req.credential;
  if (cred?.username !== undefined && cred.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}`;
  }
  const res = await transport.request({ method: "GET", url: url.toString(), headers, signal: req.signal, followRedirects: true });
  const body = await readAll(res.body, MAX_TOKEN_RESPONSE_BYTES, "token response");
  if (res.status !== 200) throw tokenError(res.status, url, body, !!headers.authorization);
  return parseTokenResponse(body, url);
}

/** The OAuth2 form. Returns undefined when the server does not support it (404, 405, 400, 401), as containerd falls back. */
async function postToken(transport: Transport, realm: URL, req: TokenRequest, refreshToken: string): Promise<BearerToken | undefined> {
  const form = new URLSearchParams();
  form.set("grant_type", "refresh_token");
  form.set("refresh_token", refreshToken);
  form.set("client_id", "ocidist");
  if (req.service) form.set("service", req.service);
  if (req.scopes.length) form.set("scope", req.scopes.join(" "));
  const bytes = Buffer.from(form.toString());
  const res = await transport.request({
    method: "POST",
    url: realm.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: () => bytes,
    signal: req.signal,
    followRedirects: false,
  });
  const body = await readAll(res.body, MAX_TOKEN_RESPONSE_BYTES, "token response");
  if (res.status === 200) return parseTokenResponse(body, realm);
  if ([400, 401, 404, 405].includes(res.status) && req.credential?.username && req.credential.password) return undefined;
  throw tokenError(res.status, realm, body, true);
}

function parseTokenResponse(body: Buffer, url: URL): BearerToken {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new AuthError(`token server ${url.host} answered with something that is not JSON`);
  }
  const token = typeof doc.token === "string" && doc.token ? doc.token : typeof doc.access_token === "string" ? doc.access_token : "";
  if (!token) throw new AuthError(`token server ${url.host} answered without a token`);
  const expiresIn = typeof doc.expires_in === "number" && doc.expires_in >= MIN_EXPIRES_S ? doc.expires_in : MIN_EXPIRES_S;
  const issuedAt = typeof doc.issued_at === "string" ? Date.parse(doc.issued_at) : NaN;
  const start = Number.isNaN(issuedAt) || issuedAt > Date.now() ? Date.now() : issuedAt;
  return {
    token,
    expiresAt: start + expiresIn * 1000 - EXPIRY_MARGIN_MS,
    ...(typeof doc.refresh_token === "string" ? { refreshToken: doc.refresh_token } : {}),
  };
}

function tokenError(status: number, url: URL, body: Buffer, withCredentials: boolean): AuthError {
  let detail = "";
  try {
    const doc = JSON.parse(body.toString("utf8")) as { errors?: { code?: string; message?: string }[]; details?: string; error?: string };
    const e = doc.errors?.[0];
    detail = e ? `${e.code ?? ""}${e.message ? `: ${e.message}` : ""}` : (doc.details ?? doc.error ?? "");
  } catch {
    /* not JSON: no detail */
  }
  const what = status === 401 || status === 403 ? (withCredentials ? "credentials rejected" : "credentials required") : `status ${status}`;
  return new AuthError(`token request to ${url.host} failed: ${what}${detail ? ` (${String(detail).slice(0, 200)})` : ""}`);
}
