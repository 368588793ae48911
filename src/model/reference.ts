/**
 * References in the distribution reference grammar (distribution/reference `reference.go`):
 * `[host[:port]/]path[:tag][@digest]`, with docker.io normalisation as `docker pull` does it.
 *
 * Where this parser differs from distribution, on purpose:
 * - the registry host is lower-cased (DNS names are case-insensitive, so `GHCR.io` and
 *   `ghcr.io` share credentials and tokens);
 * - every Docker Hub alias (`index.docker.io`, `registry-1.docker.io`, …: `registry-names.ts`)
 *   normalises to `docker.io`;
 * - a port must be 1–65535;
 * - an IPv6 literal must be a valid IPv6 address, not only hex digits and colons;
 * - a first component with upper case letters but no `.` or `:` is a path component (and so
 *   an error, "must be lowercase"), never a host.
 * @module
 */
import { isIPv6 } from "node:net";
import { parseDigest } from "./digest.js";
import { InvalidReferenceError } from "./errors.js";
import { canonicalRegistry, DOCKER_HUB_ALIASES, DOCKER_HUB_API_HOST, DOCKER_HUB_REGISTRY } from "./registry-names.js";

export { DOCKER_HUB_API_HOST, DOCKER_HUB_REGISTRY } from "./registry-names.js";

/**
 * A parsed reference: where the repository lives, which one, and optionally which
 * manifest (by tag, by digest, or both; a digest wins when both are given).
 */
export interface Reference {
  /** The registry as users name it: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** The repository path, e.g. `library/alpine`. */
  repository: string;
  /** A tag, e.g. `3.20`. */
  tag?: string;
  /** A digest, e.g. `sha256:…`, validated strictly. */
  digest?: string;
}

/** Options of {@link parseReference}. */
export interface ParseReferenceOptions {
  /** Tag added when the input names neither a tag nor a digest; `false` adds none. Default `latest`. */
  defaultTag?: string | false;
}

/** A path component: `[a-z0-9]+` joined by `.`, `_`, `__` or one or more `-`. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A tag: a word character, then up to 127 word characters, `.` or `-`. */
const TAG = /^\w[\w.-]{0,127}$/;
/** A DNS-ish host name as the grammar has it (letters, digits, inner hyphens, dot-separated). */
const DOMAIN_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
/** `host[:port]` with host a domain name or a bracketed IPv6 literal; the port is checked apart. */
const HOST_AND_PORT = /^(\[[0-9a-fA-F:]+\]|[^:[\]]+)(?::([0-9]+))?$/;
/** A bare 64-hex string: docker refuses it as a name because it reads like an image ID. */
const IMAGE_ID = /^[a-f0-9]{64}$/;
/** Longest allowed name (`registry/repository`), as distribution's `NameTotalLengthMax`. */
const NAME_TOTAL_LENGTH_MAX = 255;

/** Quotes user input for an error message, shortened so one line stays one readable line. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

function fail(input: string, why: string): never {
  throw new InvalidReferenceError(`invalid reference ${quote(input)}: ${why}`);
}

/**
 * Validates `host[:port]` and returns it normalised (lower case, Docker Hub aliases folded),
 * or the reason it is not valid.
 */
function checkRegistry(text: string): { registry: string } | { error: string } {
  const m = HOST_AND_PORT.exec(text);
  if (!m) return { error: `invalid registry host ${quote(text)}` };
  const host = m[1]!;
  const port = m[2];
  if (host.startsWith("[")) {
    if (!isIPv6(host.slice(1, -1))) return { error: `invalid IPv6 address ${quote(host)} in registry host` };
  } else if (!DOMAIN_NAME.test(host)) {
    return { error: `invalid registry host ${quote(text)}` };
  }
  if (port !== undefined) {
    const n = Number(port);
    if (!(n >= 1 && n <= 65535)) return { error: `port ${port} of registry host ${quote(text)} is not between 1 and 65535` };
  }
  return { registry: canonicalRegistry(text) };
}

/** Why a path component is not valid. */
function componentError(component: string): string {
  if (component === "") return "empty path component";
  if (component !== component.toLowerCase() && COMPONENT.test(component.toLowerCase())) {
    return "repository name must be lowercase";
  }
  return `invalid path component ${quote(component)}: use lowercase letters and digits separated by ".", "_", "__" or "-"`;
}

/** True when `component` is one path component of a repository name (`[a-z0-9]+` joined by `.`, `_`, `__` or `-`s). */
export function isValidPathComponent(component: string): boolean {
  return COMPONENT.test(component);
}

/** True when `tag` follows the tag grammar: a word character, then up to 127 word characters, `.` or `-`. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Why a tag is not valid (for a message; call only when {@link isValidTag} is false). */
export function tagError(tag: string): string {
  if (tag === "") return "tag is empty";
  if (tag.length > 128) return `tag ${quote(tag)} is longer than 128 characters`;
  return `invalid tag ${quote(tag)}: use letters, digits, "_", "." and "-", not starting with "." or "-"`;
}

/**
 * Parses a reference in the distribution grammar, normalised as docker does: `alpine` is
 * `docker.io/library/alpine:latest`. The first path component is the registry when it
 * contains `.` or `:`, is `localhost`, or is a bracketed IPv6 literal (with optional port);
 * otherwise the registry is docker.io, where a one-component path gets `library/`.
 * A tag and a digest may both be given; a digest is validated strictly (`parseDigest`).
 * @throws InvalidReferenceError with a one-line message saying what is wrong.
 */
export function parseReference(input: string, options: ParseReferenceOptions = {}): Reference {
  if (typeof input !== "string") fail(String(input), "not a string");
  if (input === "") fail(input, "reference is empty");
  if (IMAGE_ID.test(input)) fail(input, "a 64-character hexadecimal string is an image ID, not a repository name");

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest === "") fail(input, "digest is empty");
    try {
      parseDigest(digest);
    } catch (err) {
      fail(input, (err as Error).message);
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/") && !rest.slice(colon).includes("]")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) fail(input, tagError(tag));
  }
  if (rest === "") fail(input, "repository name is empty");

  let registry = DOCKER_HUB_REGISTRY;
  let path = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first.startsWith("[") || first === "localhost") {
      const checked = checkRegistry(first);
      if ("error" in checked) fail(input, checked.error);
      registry = checked.registry;
      path = rest.slice(slash + 1);
    }
  }

  const components = path.split("/");
  for (const component of components) {
    if (!COMPONENT.test(component)) fail(input, componentError(component));
  }
  if (registry === DOCKER_HUB_REGISTRY && components.length === 1) path = `library/${path}`;
  if (registry.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    fail(input, `repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }

  const defaultTag = options.defaultTag ?? "latest";
  if (tag === undefined && digest === undefined && defaultTag !== false) tag = defaultTag;
  const ref: Reference = { registry, repository: path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * Parses a repository: a reference without tag or digest (`tags`, `token`).
 * @throws InvalidReferenceError when the input is malformed or names a tag or digest.
 */
export function parseRepository(input: string): Reference {
  const ref = parseReference(input, { defaultTag: false });
  if (ref.tag !== undefined || ref.digest !== undefined) {
    const what = ref.digest !== undefined ? "digest" : "tag";
    throw new InvalidReferenceError(`${quote(input)} names a ${what}; give a repository without tag or digest`);
  }
  return ref;
}

/** The canonical full form: `docker.io/library/alpine:latest@sha256:…`. */
export function formatReference(ref: Reference): string {
  const tag = ref.tag !== undefined ? `:${ref.tag}` : "";
  const digest = ref.digest !== undefined ? `@${ref.digest}` : "";
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/**
 * Docker's short ("familiar") form, as `docker images` shows it and as it writes RepoTags:
 * `alpine:latest`, `user/repo:tag`, `ghcr.io/x/y:tag`. On docker.io the registry is dropped,
 * and `library/` too when one component follows it. The registry is kept when dropping it
 * would make the first path component read as a host (`docker.io/my.org/x`), so that the
 * result always parses back to the same reference.
 */
export function familiarName(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB_REGISTRY) {
    const first = ref.repository.split("/")[0] ?? "";
    if (!first.includes(".") && first !== "localhost") {
      const official = ref.repository.startsWith("library/") ? ref.repository.slice("library/".length) : undefined;
      name = official !== undefined && !official.includes("/") ? official : ref.repository;
    }
  }
  const tag = ref.tag !== undefined ? `:${ref.tag}` : "";
  const digest = ref.digest !== undefined ? `@${ref.digest}` : "";
  return `${name}${tag}${digest}`;
}

/** The host that serves a registry's API: `docker.io` → `registry-1.docker.io`; others unchanged. */
export function registryHost(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_API_HOST : registry;
}

/** True for an IPv4 address in 127.0.0.0/8 written as the URL parser prints it. */
function isLoopbackIPv4(host: string): boolean {
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * True when the registry is this machine: `localhost`, an address in `127.0.0.0/8` or `::1`
 * (also `::ffff:127.x.x.x`), with any port. Such registries may fall back to plain HTTP, as
 * docker allows. The host is read with the WHATWG URL parser, as the transport reads it, so
 * spellings like `[0:0::1]` or `127.1` count too; anything outside the `host[:port]` grammar
 * is not loopback.
 */
export function isLoopbackRegistry(registry: string): boolean {
  if (typeof registry !== "string" || "error" in checkRegistry(registry)) return false;
  let host: string;
  try {
    host = new URL(`http://${registry}/`).hostname;
  } catch {
    return false;
  }
  if (host === "localhost" || host === "[::1]" || isLoopbackIPv4(host)) return true;
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(host);
  return mapped !== null && (parseInt(mapped[1]!, 16) >> 8) === 127;
}
