/**
 * The registry HTTP client: finds each registry's scheme and challenge with `GET /v2/`,
 * authorises requests for the scopes they need, re-authorises once on a 401 (an expired
 * token or `insufficient_scope`), and surfaces `Warning` headers once.
 * @module
 */
import { Authenticator, type AuthenticatorOptions } from "../auth/authenticator.js";
import { parseChallenges, preferredChallenge, type Challenge } from "../auth/challenge.js";
import type { CredentialStore } from "../auth/credentials.js";
import { mergeScopes, parseScopeList, formatScope, parseScope } from "../auth/scope.js";
import { OcidistError, UsageError, UnauthorizedError } from "../model/errors.js";
import { redactUrl } from "../http/redact.js";
import { Transport, type HttpMethod, type HttpResponse, type RequestBody, type TransportOptions } from "../http/transport.js";
import { isLoopbackRegistry, registryHost } from "../model/reference.js";
import { responseError } from "./errors.js";
import { discard } from "../http/discard.js";
import { isCertificateError } from "../http/network-errors.js";
import { isRetriableStatus } from "../http/retry.js";
import { parseProxyUrl, proxyFor } from "../http/proxy-env.js";

/** Settings of a {@link RegistryClient}. */
export interface ClientOptions extends TransportOptions, AuthenticatorOptions {
  /** Where credentials come from; none means anonymous. */
  credentials?: CredentialStore;
  /** Receives human-facing notices (registry `Warning` headers). */
  warn?: (line: string) => void;
  /** A transport to share (its pools, its retry policy); by default one is built from these options, and closed with the client. */
  transport?: Transport;
  /**
   * Registries this command was given credentials for (flags, not a stored config): they are
   * pinged before their first request, so that every request to them authenticates, even
   * one the registry would also answer anonymously.
   */
  authenticateFirst?: readonly string[];
}

/** What the client learned from a registry's `GET /v2/`. */
export interface RegistryState {
  /** `https://host[:port]` or `http://…` — the base URL of the API. */
  base: string;
  /** The challenge to answer, if the registry asks for authentication. */
  challenge?: Challenge;
}

/** A request to a registry's API. */
export interface RegistryRequest {
  method: HttpMethod;
  /** A path below the base (`/v2/…`) or an absolute URL on the same registry (upload locations). */
  path: string;
  headers?: Record<string, string>;
  body?: () => RequestBody;
  /** Token scopes the request needs (`repository:name:pull`). */
  scopes: string[];
  followRedirects?: boolean;
  retry?: boolean;
  signal?: AbortSignal;
}

/** An unauthenticated request that also finds a registry's scheme (and, by its answer, its challenge). */
interface Probe {
  method: HttpMethod;
  path: string;
  headers?: Record<string, string>;
  followRedirects?: boolean;
  signal?: AbortSignal;
}

/** The client for every registry one command talks to. */
export class RegistryClient {
  readonly transport: Transport;
  readonly auth: Authenticator;
  readonly options: ClientOptions;
  private readonly states = new Map<string, Promise<RegistryState>>();
  private readonly warned = new Set<string>();

  constructor(options: ClientOptions = {}) {
    this.options = options;
    this.transport = options.transport ?? new Transport(options);
    this.auth = new Authenticator(this.transport, options.credentials, options);
  }

  /** Closes pooled connections (not those of a transport given in the options: its owner closes it). */
  async close(): Promise<void> {
    if (!this.options.transport) await this.transport.close();
  }

  /**
   * Pings `GET /v2/` once per registry: https first; plain http only for loopback registries
   * or with `insecure`, as docker allows. A loopback registry is asked over plain http first
   * when that request stays on the machine (no proxy, or a loopback one): the ping carries no
   * credentials, and most loopback registries speak plain http, which spares every such
   * command a TLS handshake and the trust store it loads. 404 means the host is not a v2 registry.
   */
  ping(registry: string, signal?: AbortSignal): Promise<RegistryState> {
    let s = this.states.get(registry);
    if (!s) {
      s = this.doPing(registry, signal);
      this.states.set(registry, s);
      s.catch(() => this.states.delete(registry));
    }
    return s;
  }

  private async doPing(registry: string, signal?: AbortSignal): Promise<RegistryState> {
    const { base, res } = await this.reach(registry, { method: "GET", path: "/v2/", signal });
    res.body.resume();
    if (res.status === 200) return { base };
    if (res.status === 401) {
      const challenge = preferredChallenge(parseChallenges(res.headerAll("www-authenticate")));
      if (!challenge) throw new OcidistError(`${registry}: 401 from /v2/ without a usable WWW-Authenticate challenge`);
      return { base, challenge };
    }
    if (res.status === 404) throw new OcidistError(`${registry} is not a registry: GET ${base}/v2/ answered 404`);
    throw await responseError(res, "GET", `${registry}`);
  }

  /**
   * Sends an unauthenticated request to a registry whose scheme is not known yet, finding
   * it as the ping does: https, or plain http first for a loopback registry whose request
   * stays on the machine, or plain http after https failed with `insecure`.
   */
  private async reach(registry: string, probe: Probe): Promise<{ base: string; res: HttpResponse }> {
    const host = registryHost(registry);
    const allowHttp = this.options.insecure || isLoopbackRegistry(registry);
    let res: HttpResponse | undefined;
    let base = `http://${host}`;
    if (isLoopbackRegistry(registry) && this.plainStaysLocal(base)) res = await this.plainProbe(base, probe);
    if (!res) {
      base = `https://${host}`;
      try {
        res = await this.sendProbe(base, probe, !allowHttp);
      } catch (err) {
        // A server whose certificate is not trusted does speak TLS: plain HTTP would only hide why.
        if (!allowHttp || isLoopbackRegistry(registry) || probe.signal?.aborted || err instanceof UsageError || isCertificateError((err as Error).cause ?? err)) throw err;
        base = `http://${host}`;
        res = await this.plainProbe(base, probe, true);
        if (!res) throw err;
      }
    }
    return { base, res };
  }

  /** Sends the probe to `base` (one scheme), retried on transient failures when `retry`. */
  private sendProbe(base: string, probe: Probe, retry: boolean): Promise<HttpResponse> {
    return this.transport.request({ method: probe.method, url: `${base}${probe.path}`, headers: probe.headers, followRedirects: probe.followRedirects, signal: probe.signal, retry });
  }

  /**
   * A GET or HEAD to a registry not reached yet, sent as its own ping: the response answers
   * the request when the registry asks for no credentials, and its 401 carries the challenge
   * the ping would have found. This spares every command against an open registry the
   * `GET /v2/` round trip. Undefined when the answer does not settle the registry (any other
   * status): the caller then pings as before, so that errors read as they always did.
   */
  private async probeWith(registry: string, req: RegistryRequest): Promise<{ state: RegistryState; res?: HttpResponse } | undefined> {
    const { base, res } = await this.reach(registry, { method: req.method, path: req.path, headers: req.headers, followRedirects: req.followRedirects, signal: req.signal });
    if (res.status >= 200 && res.status < 400) return { state: { base }, res };
    const challenge = res.status === 401 ? preferredChallenge(parseChallenges(res.headerAll("www-authenticate"))) : undefined;
    discard(res.body);
    return challenge ? { state: { base, challenge } } : undefined;
  }

  /**
   * True when a plain-http request to `base` (a loopback registry) never leaves the machine:
   * it goes direct, or through a loopback proxy. Through any other proxy, an https loopback
   * registry must be found over https first, or its credentials would cross the network in
   * the clear to whatever answered plain http at the proxy.
   */
  private plainStaysLocal(base: string): boolean {
    const via = proxyFor(new URL(base), this.options.proxy ? parseProxyUrl(this.options.proxy, "--proxy") : undefined);
    return !via || isLoopbackRegistry(via.host);
  }

  /**
   * The probe (`GET /v2/` for a ping) over plain http; undefined when nothing answers, or when an HTTPS server
   * answers (400: it was sent plain HTTP), so that the https attempt is the one that explains.
   * Without `retry`, a connection that fails is not tried again (it may be a TLS port), but a
   * server that answers with a transient status is.
   */
  private async plainProbe(base: string, probe: Probe, retry = false): Promise<HttpResponse | undefined> {
    let res: HttpResponse;
    try {
      res = await this.sendProbe(base, probe, retry);
    } catch (err) {
      // A mistake of the user's (a proxy variable that is no URL) is theirs to see, not a reason to try https.
      if (probe.signal?.aborted || err instanceof UsageError) throw err;
      return undefined;
    }
    if (!retry && isRetriableStatus(res.status)) {
      discard(res.body);
      return this.plainProbe(base, probe, true);
    }
    if (res.status !== 400) return res;
    discard(res.body);
    return undefined;
  }

  /**
   * Sends an authorised request; retries once with a fresh token on a 401. The first GET or
   * HEAD to a registry is its own ping (see {@link probeWith}).
   */
  async request(registry: string, req: RegistryRequest): Promise<HttpResponse> {
    let state: RegistryState | undefined;
    if (!this.states.has(registry) && (req.method === "GET" || req.method === "HEAD") && !req.body && req.path.startsWith("/") && !this.options.authenticateFirst?.includes(registry)) {
      const probing = this.probeWith(registry, req);
      // Requests made meanwhile wait for what the probe learns, as they would for a ping.
      const learned = probing.then((p) => p?.state ?? this.doPing(registry, req.signal));
      this.states.set(registry, learned);
      learned.catch(() => this.states.delete(registry));
      const probed = await probing;
      if (probed?.res) {
        this.noteWarnings(probed.res);
        probed.res.scopes = req.scopes;
        return probed.res;
      }
      state = await learned;
    }
    state ??= await this.ping(registry, req.signal);
    const url = req.path.startsWith("/") ? `${state.base}${req.path}` : req.path;
    const registryIsHttps = state.base.startsWith("https:");
    let scopes = req.scopes;
    let challenge = state.challenge;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.authorization(registry, challenge, scopes, { registryIsHttps, fresh: attempt > 0, signal: req.signal });
      // Credentials go only to the registry's own origin, never to a Location on another host.
      const sameOrigin = new URL(url).origin === new URL(state.base).origin;
      const headers = { ...req.headers, ...(authorization && sameOrigin ? { authorization } : {}) };
      const res = await this.transport.request({
        method: req.method,
        url,
        headers,
        body: req.body,
        followRedirects: req.followRedirects,
        retry: req.retry,
        signal: req.signal,
      });
      this.noteWarnings(res);
      res.scopes = scopes;
      if (authorization && sameOrigin) res.credentials = authorization.startsWith("Basic ") ? "basic" : "bearer";
      // A one-shot body (retry: false) cannot be sent again, so its 401 stands.
      if (res.status !== 401 || attempt > 0 || (req.body && req.retry === false)) return res;
      const again = preferredChallenge(parseChallenges(res.headerAll("www-authenticate")));
      if (!again) return res;
      // A registry that answered without credentials so far (an open /v2/, a public
      // repository first) asks for them here: it is known to from now on.
      if (!challenge) this.states.set(registry, Promise.resolve({ base: state.base, challenge: again }));
      if (again.scheme === "bearer") {
        const extra = again.params.scope ? parseScopeList(again.params.scope).map(formatScope) : [];
        scopes = mergeScopes([...scopes, ...extra].map(parseScope)).map(formatScope);
      }
      challenge = again;
      discard(res.body);
    }
  }

  /** A bearer token for the scopes, obtained exactly as requests obtain theirs (`ocidist token`). */
  async token(registry: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const state = await this.ping(registry, signal);
    const authorization = await this.auth.authorization(registry, state.challenge, scopes, {
      registryIsHttps: state.base.startsWith("https:"),
      signal,
    });
    if (state.challenge && !authorization) {
      throw new UnauthorizedError(`${registry} asks for ${state.challenge.scheme} credentials and none are stored or given`, {
        http: { status: 401, method: "GET", url: redactUrl(`${state.base}/v2/`) },
      });
    }
    return authorization?.replace(/^Bearer /, "");
  }

  private noteWarnings(res: HttpResponse): void {
    for (const w of res.headerAll("warning")) {
      const m = /^\s*299\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(w);
      const text = m ? m[1]! : undefined;
      if (text && !this.warned.has(text)) {
        this.warned.add(text);
        this.options.warn?.(`registry warning: ${text}`);
      }
    }
  }
}
