/**
 * `--policy FILE`: containers-policy.json, the file skopeo and podman read
 * (`containers-policy.json(5)`): a `default` list of requirements and, per transport,
 * scopes whose most specific match for the image wins (`docker`: `host[:port]/ns/repo:tag`
 * or `@digest`, then the repository, each enclosing namespace, the host, `*.domain`
 * wildcards, then the transport's `""` entry). Requirements: `insecureAcceptAnything`,
 * `reject`, `sigstoreSigned` (key or fulcio); `signedBy` (GPG) is read and can never pass.
 * @module
 */
import type { KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UsageError } from "../model/errors.js";
import { formatReference, type Reference } from "../model/reference.js";
import type { IdentityPolicy } from "./keyless.js";
import { parsePublicKey } from "./public-key.js";
import { parseSignedIdentity, type SignedIdentity } from "./signed-identity.js";
import type { KeylessTrust } from "./trusted-root.js";

/** A signature requirement: public keys, or keyless trust material and an identity; and what the signature's reference must be. */
export type SignatureRequirement = ({ type: "key"; keys: KeyObject[] } | { type: "keyless"; trust: KeylessTrust; identity: IdentityPolicy }) & {
  /** What names it in messages (`--key cosign.pub`, `policy sigstoreSigned`). */
  what: string;
  /** Absent: the payload's `docker-reference` is not compared (`--key`, as cosign). */
  signedIdentity?: SignedIdentity;
};

/** One entry of a policy's list. */
export type PolicyRequirement = { type: "insecureAcceptAnything" } | { type: "reject" } | { type: "unsupported"; what: string } | ({ type: "signature" } & { requirement: SignatureRequirement });

/** A parsed policy. */
export interface Policy {
  default: PolicyRequirement[];
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

type Json = Record<string, unknown>;

async function dataOrPath(req: Json, dataKey: string, pathKey: string, what: string, base64: boolean): Promise<string | undefined> {
  const data = req[dataKey];
  const path = req[pathKey];
  if (data !== undefined && path !== undefined) throw new UsageError(`${what}: ${dataKey} and ${pathKey} are exclusive`);
  if (typeof data === "string") return base64 ? Buffer.from(data, "base64").toString("utf8") : data;
  if (typeof path === "string") {
    try {
      return await readFile(path, "utf8");
    } catch {
      throw new UsageError(`${what}: ${pathKey} ${path} cannot be read`);
    }
  }
  return undefined;
}

async function sigstoreSigned(req: Json, what: string): Promise<SignatureRequirement> {
  const signedIdentity = parseSignedIdentity(req.signedIdentity, what);
  const pems: string[] = [];
  const single = await dataOrPath(req, "keyData", "keyPath", what, true);
  if (single) pems.push(single);
  if (Array.isArray(req.keyPaths)) for (const p of req.keyPaths) pems.push((await dataOrPath({ keyPath: p }, "keyData", "keyPath", what, true))!);
  if (Array.isArray(req.keyDatas)) for (const d of req.keyDatas) pems.push(Buffer.from(String(d), "base64").toString("utf8"));
  const fulcio = req.fulcio as Json | undefined;
  if (pems.length && fulcio) throw new UsageError(`${what}: keys and fulcio are exclusive`);
  if (pems.length) return { type: "key", keys: pems.map((p) => parsePublicKey(p, what)), what, signedIdentity };
  if (!fulcio || typeof fulcio !== "object") throw new UsageError(`${what}: sigstoreSigned needs keyPath, keyData or fulcio`);
  const ca = await dataOrPath(fulcio, "caData", "caPath", `${what} fulcio`, true);
  const rekor = await dataOrPath(req, "rekorPublicKeyData", "rekorPublicKeyPath", what, true);
  if (!ca) throw new UsageError(`${what}: fulcio needs caPath or caData`);
  if (!rekor) throw new UsageError(`${what}: fulcio needs rekorPublicKeyPath or rekorPublicKeyData`);
  if (typeof fulcio.oidcIssuer !== "string" || typeof fulcio.subjectEmail !== "string") throw new UsageError(`${what}: fulcio needs oidcIssuer and subjectEmail`);
  // sigstore-js loads only for a keyless requirement: a key-only policy does without it.
  const { loadTrustedRoot, trustFromFulcio } = await import("./trusted-root.js");
  const trust = trustFromFulcio(ca, parsePublicKey(rekor, `${what} rekor key`), what, await loadTrustedRoot());
  return { type: "keyless", trust, identity: { identity: fulcio.subjectEmail, issuer: fulcio.oidcIssuer }, what, signedIdentity };
}

async function requirement(req: unknown, what: string): Promise<PolicyRequirement> {
  const r = (req ?? {}) as Json;
  switch (r.type) {
    case "insecureAcceptAnything":
      return { type: "insecureAcceptAnything" };
    case "reject":
      return { type: "reject" };
    case "sigstoreSigned":
      return { type: "signature", requirement: await sigstoreSigned(r, what) };
    case "signedBy":
      return { type: "unsupported", what: "signedBy (GPG signatures)" };
    default:
      throw new UsageError(`${what}: unknown requirement type ${JSON.stringify(r.type)}`);
  }
}

async function requirements(list: unknown, what: string): Promise<PolicyRequirement[]> {
  if (!Array.isArray(list) || list.length === 0) throw new UsageError(`${what}: a policy wants a non-empty list of requirements`);
  return Promise.all(list.map((r, i) => requirement(r, `${what}[${i}]`)));
}

/** Reads and checks a policy file. @throws UsageError for anything malformed */
export async function loadPolicy(path: string): Promise<Policy> {
  let doc: Json;
  try {
    doc = JSON.parse(await readFile(path, "utf8")) as Json;
  } catch (err) {
    throw new UsageError(`--policy ${path}: ${err instanceof SyntaxError ? "not JSON" : "cannot be read"}`);
  }
  const policy: Policy = { default: await requirements(doc.default, `${path}: default`), transports: {} };
  for (const [transport, scopes] of Object.entries((doc.transports ?? {}) as Record<string, Json>)) {
    policy.transports[transport] = {};
    for (const [scope, list] of Object.entries(scopes)) policy.transports[transport][scope] = await requirements(list, `${path}: transports.${transport}[${JSON.stringify(scope)}]`);
  }
  return policy;
}

/** The docker scopes that can apply to a reference, most specific first. */
export function dockerScopes(ref: Reference): string[] {
  const out = [formatReference(ref)];
  const parts = ref.repository.split("/");
  for (let n = parts.length; n > 0; n--) out.push(`${ref.registry}/${parts.slice(0, n).join("/")}`);
  out.push(ref.registry);
  const host = ref.registry.replace(/:\d+$/, "");
  const labels = host.split(".");
  for (let i = 1; i < labels.length; i++) out.push(`*.${labels.slice(i).join(".")}`);
  return out;
}

/** The requirements a policy sets for an image: the most specific scope of its transport (`docker` for a registry), else the transport's `""`, else `default`. */
export function requirementsFor(policy: Policy, transport: string, ref: Reference | undefined): { scope: string; requirements: PolicyRequirement[] } {
  const scopes = policy.transports[transport] ?? {};
  for (const s of transport === "docker" && ref ? dockerScopes(ref) : []) if (scopes[s]) return { scope: `${transport}:${s}`, requirements: scopes[s] };
  if (scopes[""]) return { scope: `${transport}:""`, requirements: scopes[""] };
  return { scope: "default", requirements: policy.default };
}
