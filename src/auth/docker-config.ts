/**
 * docker's config.json (minimal placeholder: auths only).
 * @module
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Credential, CredentialStore } from "./credentials.js";

const HUB_KEY = "https://index.docker.io/v1/";

/** config.json store. */
export class DockerConfigStore implements CredentialStore {
  private constructor(
    readonly configPath: string,
    private doc: Record<string, unknown>,
  ) {}

  static async load(dir?: string): Promise<DockerConfigStore> {
    const d = dir ?? process.env.DOCKER_CONFIG ?? join(homedir(), ".docker");
    const path = join(d, "config.json");
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    return new DockerConfigStore(path, doc);
  }

  private key(registry: string): string {
    return registry === "docker.io" ? HUB_KEY : registry;
  }

  async get(registry: string): Promise<Credential | undefined> {
    const auths = (this.doc.auths ?? {}) as Record<string, { auth?: string; identitytoken?: string }>;
    const e = auths[this.key(registry)];
    if (!e) return undefined;
    const out: Credential = {};
    if (e.auth) {
      const t = Buffer.from(e.auth, "base64").toString("utf8");
      const i = t.indexOf(":");
      out.username = t.slice(0, i);
      out.password = t.slice(i + 1);
    }
    if (e.identitytoken) out.identityToken = e.identitytoken;
    return out;
  }

  async store(registry: string, cred: Credential): Promise<void> {
    const auths = (this.doc.auths ?? {}) as Record<string, unknown>;
    auths[this.key(registry)] = { auth: Buffer.from(`${cred.username}:${cred.password}`).toString("base64") };
    this.doc.auths = auths;
    await this.save();
  }

  async erase(registry: string): Promise<void> {
    const auths = (this.doc.auths ?? {}) as Record<string, unknown>;
    delete auths[this.key(registry)];
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(join(this.configPath, ".."), { recursive: true, mode: 0o700 });
    const tmp = `${this.configPath}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.doc, null, "\t"), { mode: 0o600 });
    await rename(tmp, this.configPath);
  }
}
