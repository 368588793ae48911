/**
 * The integration test rig: Debian's `docker-registry` (the CNCF distribution registry)
 * started on free loopback ports in the modes users meet — open, htpasswd Basic over TLS,
 * bearer tokens from the rig's own issuer, and TLS with a test CA — each with its own
 * storage in a temporary directory.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { makeCerts } from "./certs.js";
import { ISSUER, SERVICE, startTokenIssuer, USERS, type IssuerRequest, type TokenIssuer } from "./token-issuer.js";

/** The registry modes. */
export type RegistryMode = "open" | "basic" | "token" | "tls";

/** One running registry. */
export interface RigRegistry {
  name: RegistryMode;
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://…` or `https://…` */
  url: string;
  /** The CA that signed its certificate (TLS modes). */
  caFile?: string;
  /** A user that may pull, push and delete (auth modes). */
  username?: string;
  password?: string;
}

/** What tests get. */
export interface RigInfo {
  registries: Record<RegistryMode, RigRegistry>;
  issuerUrl: string;
  caFile: string;
  dir: string;
}

/** A started rig. */
export interface Rig extends RigInfo {
  issuer?: TokenIssuer;
  stop(): Promise<void>;
}

/** Requests the issuer saw (only in the process that started the rig). */
export type { IssuerRequest };

const REGISTRY_BIN = process.env.OCIDIST_REGISTRY_BIN ?? "/usr/bin/docker-registry";

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function yaml(port: number, storage: string, extra: string): string {
  return `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: ocidist-rig-secret
compatibility:
  schema1:
    enabled: true
${extra}`;
}

async function waitUp(url: string, ca: string | undefined, proc: ChildProcess, log: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: ca ? readFileSync(ca, "utf8") : undefined } });
  const deadline = Date.now() + 20_000;
  try {
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) break;
      try {
        const res = await request(`${url}/v2/`, { dispatcher });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await dispatcher.close();
  }
  let tail = "";
  try {
    tail = readFileSync(log, "utf8").slice(-2000);
  } catch {
    /* no log */
  }
  throw new Error(`registry at ${url} did not start: ${tail}`);
}

/** Starts every registry in parallel. */
export async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "ocidist-rig-"));
  const certs = makeCerts(dir);
  const htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, Object.entries(USERS).map(([u, p]) => execFileSync("htpasswd", ["-Bbn", u, p]).toString().trim()).join("\n") + "\n");
  const issuer = await startTokenIssuer(certs.issuerKey, certs.issuerCert);
  const tls = `  tls:\n    certificate: ${certs.serverCert}\n    key: ${certs.serverKey}\n`;
  const modes: { name: RegistryMode; https: boolean; auth: string }[] = [
    { name: "open", https: false, auth: "" },
    { name: "basic", https: true, auth: `auth:\n  htpasswd:\n    realm: ocidist-basic\n    path: ${htpasswd}\n` },
    { name: "token", https: false, auth: `auth:\n  token:\n    realm: ${issuer.realm}\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${certs.issuerCert}\n` },
    { name: "tls", https: true, auth: "" },
  ];
  const procs: ChildProcess[] = [];
  const registries = {} as Record<RegistryMode, RigRegistry>;
  const stop = async () => {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      modes.map(async (m) => {
        const port = await freePort();
        const storage = join(dir, `storage-${m.name}`);
        mkdirSync(storage);
        let config = yaml(port, storage, m.auth);
        if (m.https) config = config.replace("  secret: ocidist-rig-secret\n", `  secret: ocidist-rig-secret\n${tls}`);
        const configFile = join(dir, `${m.name}.yml`);
        writeFileSync(configFile, config);
        const log = join(dir, `${m.name}.log`);
        const { openSync } = await import("node:fs");
        const fd = openSync(log, "w");
        const proc = spawn(REGISTRY_BIN, ["serve", configFile], { stdio: ["ignore", fd, fd], detached: false });
        procs.push(proc);
        const host = `127.0.0.1:${port}`;
        const url = `${m.https ? "https" : "http"}://${host}`;
        await waitUp(url, m.https ? certs.caCert : undefined, proc, log);
        registries[m.name] = {
          name: m.name,
          host,
          url,
          ...(m.https ? { caFile: certs.caCert } : {}),
          ...(m.name === "basic" || m.name === "token" ? { username: "alice", password: USERS.alice } : {}),
        };
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { registries, issuerUrl: issuer.url, caFile: certs.caCert, dir, issuer, stop };
}
