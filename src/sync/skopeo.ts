/**
 * skopeo sync's YAML source format (`skopeo sync --src yaml`), so that a skopeo user keeps
 * their file: registry → `images` (repository → tags; an empty list means every tag),
 * `images-by-tag-regex`, `images-by-semver`, `credentials` {username, password},
 * `tls-verify`, `cert-dir`. Destinations are named as skopeo names them (checked against
 * skopeo 1.9): `DEST/<last path component of the repository>`, or with `--scoped`
 * `DEST/<registry>/<repository>`; `--dest dir:PATH` gives an OCI layout per repository there.
 * @module
 */
import { join } from "node:path";
import type { Node, Pair, YAMLMap } from "yaml";
import type { Credential } from "../auth/credentials.js";
import { UsageError } from "../model/errors.js";
import { parseRepository, type Reference } from "../model/reference.js";
import { checkRegex, checkRepository, checkSemverRange, checkTagList } from "./checks.js";
import type { SyncDestination, SyncImage, TagSelection } from "./model.js";
import { boolAt, checkKeys, keyText, mapAt, seqAt, textAt, valueAt, type Problems } from "./yaml-file.js";

const REGISTRY_KEYS = ["images", "images-by-tag-regex", "images-by-semver", "credentials", "tls-verify", "cert-dir"] as const;

/** Where skopeo-format images go: `--dest` and `--scoped`. */
export interface SkopeoDestination {
  /** `REGISTRY[/PREFIX]` or `dir:PATH`. */
  dest: string;
  scoped?: boolean;
}

/** What the registries of a skopeo file say beyond images. */
export interface SkopeoSettings {
  credentials: Map<string, Credential>;
  certDirs: string[];
  /** Registries with `tls-verify: false`. */
  noTlsVerify: string[];
}

/**
 * The destination of `repo` under `--dest`, as skopeo names it.
 * @throws UsageError when the name is not a valid repository
 */
function skopeoDestination(repo: Reference, options: SkopeoDestination): SyncDestination {
  const tail = options.scoped ? `${repo.registry}/${repo.repository}` : repo.repository.split("/").pop()!;
  if (options.dest.startsWith("dir:")) {
    const base = options.dest.slice(4);
    if (!base) throw new UsageError("--dest dir: needs a path (dir:PATH)");
    return { kind: "dir", path: join(base, tail) };
  }
  const name = `${options.dest.replace(/^docker:\/\//, "").replace(/\/+$/, "")}/${tail}`;
  try {
    return { kind: "registry", repo: parseRepository(name) };
  } catch (err) {
    throw new UsageError(`--dest ${JSON.stringify(options.dest)}: ${(err as Error).message}`);
  }
}

/** Checks `--dest` itself (before the file is read, so a bad flag is a usage error). */
export function checkSkopeoDest(options: SkopeoDestination): void {
  skopeoDestination({ registry: "example.invalid", repository: "check" }, options);
}

function readImages(registry: string, node: Node, problems: Problems, emit: (repoKey: Node, text: string, tags: TagSelection) => void): void {
  const map = mapAt(node, problems, `${registry}: images`);
  for (const pair of (map?.items ?? []) as Pair<Node, Node>[]) {
    const value = pair.value;
    const isNull = value === null || (value as { value?: unknown }).value === "" || (value as { value?: unknown }).value === "~" || (value as { value?: unknown }).value === "null";
    const seq = isNull ? undefined : seqAt(value, problems, `tags of ${keyText(pair)}`);
    if (!isNull && !seq) continue;
    const tags = seq ? checkTagList(seq, problems) : [];
    emit(pair.key, keyText(pair), tags.length ? { kind: "list", tags } : { kind: "filter" });
  }
}

function readPatterns(registry: string, key: string, node: Node, problems: Problems, emit: (repoKey: Node, text: string, tags: TagSelection) => void): void {
  const map = mapAt(node, problems, `${registry}: ${key}`);
  for (const pair of (map?.items ?? []) as Pair<Node, Node>[]) {
    const text = textAt(pair.value, problems, `${key} of ${keyText(pair)}`);
    if (text === undefined) continue;
    if (key === "images-by-tag-regex") {
      const regex = checkRegex(text, pair.value!, problems);
      if (regex) emit(pair.key, keyText(pair), { kind: "filter", regex });
    } else {
      const semver = checkSemverRange(text, pair.value!, problems);
      if (semver) emit(pair.key, keyText(pair), { kind: "filter", semver });
    }
  }
}

function readCredentials(registry: string, node: Node, problems: Problems, settings: SkopeoSettings): void {
  const map = mapAt(node, problems, `${registry}: credentials`);
  if (!map) return;
  checkKeys(map, ["username", "password"], problems, "credentials");
  const user = valueAt(map, "username");
  const pass = valueAt(map, "password");
  if (user === undefined || pass === undefined) return problems.add(map, "credentials need both username and password");
  const username = textAt(user, problems, "username");
  const password = textAt(pass, problems, "password");
  if (username !== undefined && password !== undefined) settings.credentials.set(registry, { username, password });
}

/** Reads a skopeo-format document; each image is named at its destination under `dest`. */
export function readSkopeoFormat(root: YAMLMap<Node, Node>, problems: Problems, dest: SkopeoDestination, settings: SkopeoSettings): SyncImage[] {
  const out: SyncImage[] = [];
  if (root.items.length === 0) problems.add(root, "no registries: nothing to mirror");
  for (const regPair of root.items) {
    const registry = keyText(regPair);
    const reg = mapAt(regPair.value, problems, `registry ${registry}`);
    if (!reg) continue;
    checkKeys(reg, REGISTRY_KEYS, problems, `registry ${registry}`);
    const emit = (repoKey: Node, text: string, tags: TagSelection) => {
      const from = checkRepository(`${registry}/${text}`, repoKey, problems);
      if (!from) return;
      try {
        out.push({ from, to: skopeoDestination(from, dest), tags, referrers: false, where: problems.where(repoKey) });
      } catch (err) {
        problems.add(repoKey, (err as Error).message);
      }
    };
    for (const pair of reg.items) {
      const k = keyText(pair);
      const value = pair.value as Node;
      if (k === "images") readImages(registry, value, problems, emit);
      else if (k === "images-by-tag-regex" || k === "images-by-semver") readPatterns(registry, k, value, problems, emit);
      else if (k === "credentials") readCredentials(registry, value, problems, settings);
      else if (k === "tls-verify") {
        if (boolAt(value, problems, "tls-verify") === false) settings.noTlsVerify.push(registry);
      } else if (k === "cert-dir") {
        const dir = textAt(value, problems, "cert-dir");
        if (dir !== undefined) settings.certDirs.push(dir);
      }
    }
    if (!reg.items.some((p) => keyText(p).startsWith("images"))) problems.add(regPair.key as Node, `registry ${registry} lists no images`);
  }
  return out;
}
