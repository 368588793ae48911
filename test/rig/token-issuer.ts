/**
 * A token issuer for the rig's bearer-token registry (docker token auth, `token.md` and
 * `oauth.md`): RS256 JWTs with an `x5c` header, which the registry checks against its
 * `rootcertbundle`, granting scopes from a small ACL. It answers the GET form (Basic
 * credentials optional) and the OAuth2 POST form (password and refresh_token grants), and
 * records every request for assertions.
 */
import { createPrivateKey, createSign, randomBytes, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Users the issuer knows, and the identity token it accepts as a refresh token for alice. */
export const USERS: Record<string, string> = { alice: "alice-secret", bob: "bob-secret" };
export const ALICE_IDENTITY_TOKEN = "alice-identity-token";
export const SERVICE = "ocidist-test";
export const ISSUER = "ocidist-test-issuer";

/** One request the issuer received. */
export interface IssuerRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  form?: Record<string, string>;
  authorization: boolean;
  granted: string[];
  status: number;
}

/** A running issuer. */
export interface TokenIssuer {
  url: string;
  realm: string;
  requests: IssuerRequest[];
  /** Makes the next N token requests fail with this status (fault tests). */
  failNext(count: number, status: number): void;
  /** Makes the next N token requests wait this long before answering (fault tests). */
  slowNext(count: number, ms: number): void;
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** What a subject may do on a resource. */
function allowed(user: string | undefined, type: string, name: string, actions: string[]): string[] {
  if (user === "alice") return actions.filter((a) => ["pull", "push", "delete", "*"].includes(a));
  if (user === "bob") return type === "repository" && name.startsWith("bob/") ? actions.filter((a) => a === "pull" || a === "push") : actions.filter((a) => a === "pull" && type === "repository" && name.startsWith("public/"));
  if (type === "repository" && name.startsWith("public/")) return actions.filter((a) => a === "pull");
  return [];
}

function parseScope(s: string): { type: string; name: string; actions: string[] } | undefined {
  const first = s.indexOf(":");
  const last = s.lastIndexOf(":");
  if (first < 0 || last === first) return undefined;
  return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(",") };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the issuer on a free loopback port. */
export async function startTokenIssuer(keyFile: string, certFile: string): Promise<TokenIssuer> {
  const key = createPrivateKey(readFileSync(keyFile));
  const certDer = new X509Certificate(readFileSync(certFile)).raw;
  const requests: IssuerRequest[] = [];
  const refreshTokens = new Map<string, string>([[ALICE_IDENTITY_TOKEN, "alice"]]);
  let failures = 0;
  let failStatus = 500;
  let slow = 0;
  let slowMs = 0;

  const sign = (user: string | undefined, scopes: string[]) => {
    const access = scopes
      .map(parseScope)
      .filter((s): s is NonNullable<typeof s> => !!s)
      .map((s) => ({ type: s.type, name: s.name, actions: allowed(user, s.type, s.name, s.actions) }))
      .filter((a) => a.actions.length > 0);
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", x5c: [certDer.toString("base64")] };
    const claims = { iss: ISSUER, sub: user ?? "", aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(input).sign(key);
    return { token: `${input}.${b64url(signature)}`, granted: access.map((a) => `${a.type}:${a.name}:${a.actions.join(",")}`) };
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const record: IssuerRequest = { method: req.method ?? "", path: url.pathname, query, authorization: !!req.headers.authorization, granted: [], status: 200 };
    requests.push(record);
    const reply = (status: number, doc: unknown) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(doc));
    };
    if (slow > 0) {
      slow--;
      await new Promise((r) => setTimeout(r, slowMs));
    }
    if (failures > 0) {
      failures--;
      return reply(failStatus, { errors: [{ code: "UNAVAILABLE", message: "injected failure" }] });
    }
    if (url.pathname !== "/token") return reply(404, { error: "not found" });
    let user: string | undefined;
    let scopes: string[] = [];
    let refresh: string | undefined;
    if (req.method === "POST") {
      const form = Object.fromEntries(new URLSearchParams(await body(req)));
      record.form = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, k === "password" || k === "refresh_token" ? "<secret>" : v]));
      scopes = (form.scope ?? "").split(" ").filter(Boolean);
      if (form.grant_type === "password") {
        if (USERS[form.username ?? ""] !== form.password) return reply(401, { error: "invalid_grant" });
        user = form.username;
      } else if (form.grant_type === "refresh_token") {
        user = refreshTokens.get(form.refresh_token ?? "");
        if (!user) return reply(401, { error: "invalid_grant" });
      } else {
        return reply(400, { error: "unsupported_grant_type" });
      }
      if (form.access_type === "offline") {
        refresh = randomBytes(12).toString("hex");
        refreshTokens.set(refresh, user!);
      }
    } else {
      scopes = url.searchParams.getAll("scope");
      const auth = req.headers.authorization;
      if (auth) {
        const m = /^Basic (.+)$/i.exec(auth);
        const decoded = m ? Buffer.from(m[1]!, "base64").toString("utf8") : "";
        const i = decoded.indexOf(":");
        const [u, p] = [decoded.slice(0, i), decoded.slice(i + 1)];
        if (i < 0 || USERS[u] !== p) return reply(401, { errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] });
        user = u;
      }
    }
    const { token, granted } = sign(user, scopes);
    record.granted = granted;
    reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString(), ...(refresh ? { refresh_token: refresh } : {}) });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    requests,
    failNext(count, status) {
      failures = count;
      failStatus = status;
    },
    slowNext(count, ms) {
      slow = count;
      slowMs = ms;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
