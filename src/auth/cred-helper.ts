/**
 * docker's credential-helper protocol (docker-credential-helpers): `docker-credential-<name>`
 * with `get`, `store`, `erase` and `list`, the server URL or a JSON document on stdin.
 * "credentials not found" means anonymous; every other failure fails closed (CVE-2021-41092):
 * no fallback to another store or host.
 * @module
 */
import type * as ChildProcess from "node:child_process";
import { builtin } from "../util/lazy-builtin.js";
import { AuthError } from "../model/errors.js";
import type { Credential } from "./credentials.js";

const TIMEOUT_MS = 10_000;
const NOT_FOUND = /credentials not found/i;

/** Runs a helper action; resolves stdout, or undefined for "credentials not found". */
function run(helper: string, action: string, input: string): Promise<string | undefined> {
  const bin = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = builtin<typeof ChildProcess>("node:child_process").spawn(bin, [action], { stdio: ["pipe", "pipe", "pipe"] });
    } catch (err) {
      reject(new AuthError(`credential helper ${bin} could not run: ${(err as Error).message}`));
      return;
    }
    let out = "";
    let errText = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new AuthError(`credential helper ${bin} ${action} timed out after ${TIMEOUT_MS / 1000} s`));
    }, TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (errText += d.toString()));
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new AuthError(`credential helper ${bin} could not run${err.code === "ENOENT" ? ": not found on PATH" : `: ${err.code ?? err.message}`}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      if (NOT_FOUND.test(out) || NOT_FOUND.test(errText)) return resolve(undefined);
      const why = (errText || out).replace(/\s+/g, " ").trim().slice(0, 200);
      reject(new AuthError(`credential helper ${bin} ${action} failed (exit ${code})${why ? `: ${why}` : ""}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

/** `get`: the credential for a server URL, undefined when the helper has none. */
export async function helperGet(helper: string, serverUrl: string): Promise<Credential | undefined> {
  const out = await run(helper, "get", serverUrl);
  if (out === undefined) return undefined;
  let doc: { Username?: unknown; Secret?: unknown };
  try {
    doc = JSON.parse(out) as typeof doc;
  } catch {
    throw new AuthError(`credential helper docker-credential-${helper} answered get for ${serverUrl} with something that is not JSON`);
  }
  if (typeof doc.Secret !== "string") throw new AuthError(`credential helper docker-credential-${helper} answered get for ${serverUrl} without a Secret`);
  if (doc.Username === "<token>") return { identityToken: doc.Secret };
  return { username: typeof doc.Username === "string" ? doc.Username : "", password: doc.Secret };
}

/** `store`: saves a credential through the helper. */
export async function helperStore(helper: string, serverUrl: string, cred: Credential): Promise<void> {
  const doc = cred.identityToken ? { ServerURL: serverUrl, Username: "<token>", Secret: cred.identityToken } : { ServerURL: serverUrl, Username: cred.username ?? "", Secret: cred.password ?? "" };
  await run(helper, "store", JSON.stringify(doc));
}

/** `erase`: removes a credential; a missing one is not an error. */
export async function helperErase(helper: string, serverUrl: string): Promise<void> {
  await run(helper, "erase", serverUrl);
}
