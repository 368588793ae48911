/**
 * The one way out to the terminal: safeText neutralises every control, bidi and separator
 * character; safeJson escapes what JSON.stringify leaves raw; and no source file but
 * src/cli/output.ts writes to stdout or stderr itself, so no printer can bypass them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import fc from "fast-check";
import { safeJson, safeText } from "../../src/cli/output.js";

const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test("safeText leaves nothing a terminal would act on, and is idempotent", () => {
  assert.equal(safeText("a\u001b[31mb\u0007\u009b2J\u202e\u2066\n\t\r"), "a\\x1b[31mb\\x07\\x9b2J\\u202e\\u2066\\n\\t\\r");
  assert.equal(safeText("plain ünïcode ✓"), "plain ünïcode ✓");
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => {
      const t = safeText(s);
      assert.doesNotMatch(t, RAW);
      assert.equal(safeText(t), t);
    }),
  );
});

test("safeJson escapes DEL, C1 and bidi controls and still parses to the same value", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (v, s) => {
      for (const value of [v, { s, list: [s] }]) {
        const text = safeJson(value);
        assert.doesNotMatch(text.replace(/\n/g, ""), RAW);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
      }
    }),
  );
});

test("no source file but src/cli/output.ts writes to stdout or stderr directly", () => {
  const src = resolve(fileURLToPath(import.meta.url), "../../../../src");
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && relative(src, p) !== join("cli", "output.ts")) {
        const text = readFileSync(p, "utf8").replace(/^\s*(\*|\/\/).*$/gm, "");
        if (/process\.(stdout|stderr)\.write|console\.(log|error|warn|info)/.test(text)) offenders.push(relative(src, p));
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});

test("importing output.ts attaches nothing to stdout; the first write does", async () => {
  const { execFileSync } = await import("node:child_process");
  const module = resolve(fileURLToPath(import.meta.url), "../../../src/cli/output.js");
  const script = `const before = process.stdout.listenerCount("error");
const o = await import(${JSON.stringify(module)});
const imported = process.stdout.listenerCount("error") - before;
await o.printLines(["x"]);
console.log(imported, process.stdout.listenerCount("error") - before);`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(out, "x\n0 1\n");
});
