/**
 * The per-registry pause (src/http/host-gate.ts) that sync's concurrent copies share: a 429
 * with Retry-After holds every request to that registry, not only the refused one, and no
 * other registry.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { HostGate } from "../../src/http/host-gate.js";
import { Transport } from "../../src/http/transport.js";
import { AbortedError } from "../../src/model/errors.js";
import { loopback, type Loopback } from "../helpers/loopback.js";

const servers: Loopback[] = [];
const transports: Transport[] = [];
after(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await Promise.all(servers.map((s) => s.close()));
});

test("a gate holds one host for the longest pause asked, and no other host", async () => {
  let now = 1000;
  const waits: number[] = [];
  const gate = new HostGate(
    () => now,
    async (ms) => {
      waits.push(ms);
      now += ms;
    },
  );
  gate.pause("reg.example", 5000);
  gate.pause("reg.example", 10); // a shorter pause does not shorten the one held
  assert.equal(gate.remaining("reg.example"), 5000);
  assert.equal(gate.remaining("other.example"), 0);
  await gate.enter("other.example");
  assert.deepEqual(waits, []);
  await gate.enter("reg.example");
  assert.deepEqual(waits, [5000]);
  assert.equal(gate.remaining("reg.example"), 0);
});

test("a 429 with Retry-After holds the next request to that registry, and not another registry", async () => {
  const limited = await loopback((_req, res, i) => {
    if (i === 0) {
      res.writeHead(429, { "retry-after": "30" });
      res.end();
    } else res.end("ok");
  });
  const other = await loopback((_req, res) => {
    res.end("ok");
  });
  servers.push(limited, other);
  const t = new Transport({ retries: 0 });
  transports.push(t);
  const first = await t.request({ method: "GET", url: `${limited.url}/v2/` });
  assert.equal(first.status, 429);
  first.body.resume();
  assert.ok(t.gate.remaining(new URL(limited.url).host) > 0);
  // Another registry is not held.
  const fine = await t.request({ method: "GET", url: `${other.url}/v2/` });
  assert.equal(fine.status, 200);
  fine.body.resume();
  // The same registry is: the request waits at the gate until it is cancelled, never sent.
  const ac = new AbortController();
  const held = t.request({ method: "GET", url: `${limited.url}/v2/other`, signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(held, AbortedError);
  assert.equal(limited.seen.length, 1, "a request went to the registry while it asked for a pause");
});
