/**
 * References in the distribution grammar (distribution/reference): `[host[:port]/]path[:tag][@digest]`,
 * with docker.io normalisation.
 * @module
 */
import { parseDigest } from "./digest.js";
import { InvalidReferenceError } from "./errors.js";

/** A parsed reference. */
export interface Reference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

function bad(input: string, why: string): never {
  throw new InvalidReferenceError(`invalid reference ${JSON.stringify(input)}: ${why}`);
}

/** Parses a reference; `alpine` → docker.io/library/alpine:latest. */
export function parseReference(input: string, options: { defaultTag?: string | false } = {}): Reference {
  if (typeof input !== "string" || input === "") bad(String(input), "empty");
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (err) {
      bad(input, (err as Error).message);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(input, tag.length > 128 ? `tag is longer than 128 characters` : `invalid tag ${JSON.stringify(tag)}`);
  }
  if (rest === "") bad(input, "repository name is empty");
  let registry = "docker.io";
  let path = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("[")) {
      if (!DOMAIN.test(first)) bad(input, `invalid registry host ${JSON.stringify(first)}`);
      registry = DOCKER_HUB.has(first.toLowerCase()) ? "docker.io" : first;
      path = rest.slice(slash + 1);
    }
  }
  const components = path.split("/");
  for (const c of components) {
    if (c === "") bad(input, "empty path component");
    if (!COMPONENT.test(c)) {
      if (c.toLowerCase() !== c && COMPONENT.test(c.toLowerCase())) bad(input, "repository name must be lowercase");
      bad(input, `invalid path component ${JSON.stringify(c)}`);
    }
  }
  if (registry === "docker.io" && components.length === 1) path = `library/${path}`;
  if (path.length > 255) bad(input, "repository name is longer than 255 characters");
  const defaultTag = options.defaultTag ?? "latest";
  if (!tag && !digest && defaultTag) tag = defaultTag;
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Parses a repository: no tag or digest allowed. */
export function parseRepository(input: string): Reference {
  const ref = parseReference(input, { defaultTag: false });
  if (ref.tag || ref.digest) {
    throw new InvalidReferenceError(`${JSON.stringify(input)} names a ${ref.digest ? "digest" : "tag"}; give a repository without tag or digest`);
  }
  return ref;
}

/** Canonical full form. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** Docker's short form (`alpine:latest`). */
export function familiarName(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === "docker.io") name = ref.repository.startsWith("library/") ? ref.repository.slice(8) : ref.repository;
  return `${name}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** API host: docker.io → registry-1.docker.io. */
export function registryHost(registry: string): string {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}

/** True for localhost, 127.0.0.0/8 and ::1, any port. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith("[") ? registry.slice(0, registry.indexOf("]") + 1) : registry.split(":")[0]!;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
