/**
 * docker's `config.json` as a credential store, behaving as docker does: `credHelpers[host]`
 * wins over `credsStore`, which wins over `auths`; docker.io is stored under
 * `https://index.docker.io/v1/`; legacy keys with a scheme or a path match by host. Writes
 * keep every other key, are atomic, and leave the file with mode 0600.
 * @module
 */
import { lstat, mkdir, readFile, readlink } from "node:fs/promises";
import { writeSmallAtomic } from "../util/write-file.js";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { AuthError, OcidistError } from "../model/errors.js";
import { helperErase, helperGet, helperStore } from "./cred-helper.js";
import type { Credential, CredentialStore } from "./credentials.js";
import { canonicalRegistry, DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_REGISTRY } from "../model/registry-names.js";

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface ConfigDoc {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [key: string]: unknown;
}

/** The config key (and helper server URL) for a registry. */
function configKey(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : registry;
}

/** The host a config key names (`https://host/v2/` → `host`; Docker Hub's key → `docker.io`). */
function keyHost(key: string): string {
  if (key === DOCKER_HUB_CONFIG_KEY) return DOCKER_HUB_REGISTRY;
  return canonicalRegistry(key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, ""));
}

/** The credential stored in an `auths` entry. */
function fromEntry(e: AuthEntry): Credential | undefined {
  const out: Credential = {};
  if (e.auth) {
    const text = Buffer.from(e.auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i < 0) throw new AuthError("config.json: an auths entry's auth is not base64 of user:password");
    out.username = text.slice(0, i);
    out.password = text.slice(i + 1);
  } else if (e.username !== undefined && e.password !== undefined) {
    out.username = e.username;
    out.password = e.password;
  }
  if (e.identitytoken) out.identityToken = e.identitytoken;
  if (e.registrytoken) out.registryToken = e.registrytoken;
  return Object.keys(out).length ? out : undefined;
}

/** docker's config.json. */
export class DockerConfigStore implements CredentialStore {
  private constructor(
    /** The file's path, for messages. */
    readonly configPath: string,
    private doc: ConfigDoc,
  ) {}

  /** Loads `DIR/config.json` (DIR: the argument, else `$DOCKER_CONFIG`, else `~/.docker`); a missing file is an empty config. */
  static async load(dir?: string): Promise<DockerConfigStore> {
    const d = dir ?? process.env.DOCKER_CONFIG ?? join(homedir(), ".docker");
    const path = join(d, "config.json");
    let doc: ConfigDoc = {};
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new OcidistError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
    }
    if (text !== undefined && text.trim() !== "") {
      try {
        doc = JSON.parse(text) as ConfigDoc;
      } catch {
        throw new OcidistError(`${path} is not valid JSON`);
      }
      if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new OcidistError(`${path} is not a JSON object`);
    }
    return new DockerConfigStore(path, doc);
  }

  /** The helper in charge of a registry, if any. */
  helperFor(registry: string): string | undefined {
    const helpers = this.doc.credHelpers ?? {};
    for (const [k, v] of Object.entries(helpers)) if (keyHost(k) === registry && v) return v;
    return this.doc.credsStore || undefined;
  }

  /** The `auths` key that holds a registry's entry (exact key first, then legacy forms). */
  private authsKey(registry: string): string | undefined {
    const auths = this.doc.auths ?? {};
    const exact = configKey(registry);
    if (auths[exact]) return exact;
    return Object.keys(auths).find((k) => keyHost(k) === registry);
  }

  async get(registry: string): Promise<Credential | undefined> {
    const helper = this.helperFor(registry);
    if (helper) return helperGet(helper, configKey(registry));
    const key = this.authsKey(registry);
    return key ? fromEntry(this.doc.auths![key]!) : undefined;
  }

  async store(registry: string, cred: Credential): Promise<void> {
    const helper = this.helperFor(registry);
    const auths = (this.doc.auths ??= {});
    const key = configKey(registry);
    const legacy = this.authsKey(registry);
    if (legacy && legacy !== key) delete auths[legacy];
    if (helper) {
      await helperStore(helper, key, cred);
      auths[key] = {};
    } else {
      const entry: AuthEntry = {};
      if (cred.username !== undefined && cred.password !== undefined) entry.auth = Buffer.from(`${cred.username}:${cred.password}`).toString("base64");
      if (cred.identityToken) entry.identitytoken = cred.identityToken;
      auths[key] = entry;
    }
    await this.save();
  }

  async erase(registry: string): Promise<void> {
    const helper = this.helperFor(registry);
    if (helper) await helperErase(helper, configKey(registry));
    const auths = this.doc.auths ?? {};
    for (const k of Object.keys(auths)) if (keyHost(k) === registry) delete auths[k];
    await this.save();
  }

  /**
   * Writes the file atomically with mode 0600 (the directory 0700 when created). A
   * config.json that is a symlink stays one: as docker does, the write goes to the file it
   * points to (a temp file in that file's directory, renamed over it).
   */
  private async save(): Promise<void> {
    const dir = join(this.configPath, "..");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeSmallAtomic(await linkTarget(this.configPath), `${JSON.stringify(this.doc, null, "\t")}\n`, 0o600);
  }
}

/** The file a path finally names, following symlinks (a dangling last link names where it points). @throws OcidistError on a link loop */
async function linkTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = await lstat(current).catch(() => undefined);
    if (!st?.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new OcidistError(`${path}: too many levels of symbolic links`);
}
