/**
 * The server's body budget gets back every byte a manifest body took, also when the client
 * goes away while chunks of its body are still queued (they come out of the request after
 * the answer closed, and must not be taken then).
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { ByteBudget } from "../../src/serve/budget.js";
import { readBody, type Ctx } from "../../src/serve/context.js";

test("chunks read after the client went away are not taken from the budget", async () => {
  const bodies = new ByteBudget(1 << 20);
  const res = new EventEmitter();
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.alloc(1000);
    // The connection closes; two chunks were already queued in the request.
    res.emit("close");
    yield Buffer.alloc(1000);
    yield Buffer.alloc(1000);
  }
  const req = Object.assign(body(), { headers: { "content-length": "3000" } });
  const ctx = { req, res, bodies } as unknown as Ctx;
  await readBody(ctx, 1 << 20, "manifest").catch(() => undefined);
  assert.equal(bodies.inUse, 0);
});

test("a body read whole holds its bytes until the answer is done", async () => {
  const bodies = new ByteBudget(1 << 20);
  const res = new EventEmitter();
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from("abc");
    yield Buffer.from("def");
  }
  const ctx = { req: Object.assign(body(), { headers: {} }), res, bodies } as unknown as Ctx;
  assert.equal((await readBody(ctx, 100, "manifest")).toString(), "abcdef");
  assert.equal(bodies.inUse, 6);
  res.emit("close");
  assert.equal(bodies.inUse, 0);
});
