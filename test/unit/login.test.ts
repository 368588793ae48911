/**
 * `login` as a library function, against a loopback registry that asks for Basic
 * credentials: accepted credentials are stored, rejected ones are an UnauthorizedError and
 * stored nowhere, and a registry that asks for nothing still gets them stored.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { StaticCredentials, type Credential, type CredentialStore } from "../../src/auth/credentials.js";
import { UnauthorizedError } from "../../src/model/errors.js";
import { RegistryClient } from "../../src/registry/client.js";
import { login } from "../../src/registry/login.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const GOOD = `Basic ${Buffer.from("alice:secret").toString("base64")}`;

/** A store that records what was stored. */
class Recording implements CredentialStore {
  stored = new Map<string, Credential>();
  get(): Promise<Credential | undefined> {
    return Promise.resolve(undefined);
  }
  store(registry: string, cred: Credential): Promise<void> {
    this.stored.set(registry, cred);
    return Promise.resolve();
  }
  erase(): Promise<void> {
    return Promise.resolve();
  }
}

async function tryLogin(challenge: boolean, cred: Credential): Promise<{ store: Recording; result: Promise<{ challenged: boolean }> }> {
  const s = await loopback((req, res) => {
    if (challenge && req.headers.authorization !== GOOD) {
      res.statusCode = 401;
      res.setHeader("www-authenticate", 'Basic realm="test"');
      res.setHeader("content-type", "application/json");
      return void res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
    }
    res.end("{}");
  });
  servers.push(s);
  const registry = new URL(s.url).host;
  const client = new RegistryClient({ credentials: new StaticCredentials(registry, cred), retries: 0 });
  const store = new Recording();
  const result = login(client, registry, cred, store).finally(() => client.close());
  return { store, result };
}

test("accepted credentials are stored", async () => {
  const { store, result } = await tryLogin(true, { username: "alice", password: "secret" });
  assert.deepEqual(await result, { challenged: true });
  assert.deepEqual([...store.stored.values()], [{ username: "alice", password: "secret" }]);
});

test("rejected credentials are an UnauthorizedError, and nothing is stored", async () => {
  const { store, result } = await tryLogin(true, { username: "alice", password: "wrong" });
  await assert.rejects(result, (err: unknown) => err instanceof UnauthorizedError && /credentials rejected \(HTTP 401\)/.test(err.message) && err.http?.status === 401);
  assert.equal(store.stored.size, 0);
});

test("a registry that asks for nothing: stored, and said so", async () => {
  const { store, result } = await tryLogin(false, { username: "alice", password: "any" });
  assert.deepEqual(await result, { challenged: false });
  assert.equal(store.stored.size, 1);
});
