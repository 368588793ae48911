/**
 * V8 settings for the CLI's own process, each set when first needed. Through a proxy,
 * requests go through undici, which parses HTTP with llhttp compiled to WebAssembly; V8's
 * optimising tier recompiles llhttp's one large parse function as soon as it runs hot, at
 * about 35 MiB of transient memory and 0.3–0.4 s of CPU, and the baseline compiler's code
 * is fast enough for what llhttp does per response (direct connections use Node's own
 * parser and are not affected). Imported first by the CLI entry, never by the library,
 * whose host process owns its V8 flags.
 *
 * Transfers collect the buffers they leave behind early (see `util/garbage.ts`): the
 * collector is V8's `gc`, exposed by a flag and reached through a fresh context, made only
 * when a command first streams enough bytes to need it; the young generation then stops
 * growing (`--semi-space-growth-factor=1`). Each flag is set when first needed, so a
 * command that neither streams nor goes through a proxy never loads `node:v8`.
 * @module
 */
import type * as V8 from "node:v8";
import type * as Vm from "node:vm";
import { allowEarlyCollection } from "../util/garbage.js";
import { beforeUndiciLoads } from "../http/undici.js";
import { builtin } from "../util/lazy-builtin.js";

/** Sets V8 flags; `node:v8` itself is loaded only by a command that needs one. */
const setFlags = (...flags: string[]): void => {
  const { setFlagsFromString } = builtin<typeof V8>("node:v8");
  for (const flag of flags) setFlagsFromString(flag);
};

beforeUndiciLoads(() => setFlags("--liftoff-only"));

allowEarlyCollection(() => {
  try {
    setFlags("--semi-space-growth-factor=1", "--expose-gc");
    const gc = builtin<typeof Vm>("node:vm").runInNewContext("gc") as ((options?: { type: "minor" }) => void) | undefined;
    // gc() is a full collection; { type: "major" } is a scavenge on Node 20's V8.
    return typeof gc === "function" ? (kind) => (kind === "full" ? gc() : gc({ type: "minor" })) : undefined;
  } catch {
    return undefined;
  }
});
