/**
 * V8 settings for the CLI's own process, set before anything compiles. Through a proxy,
 * requests go through undici, which parses HTTP with llhttp compiled to WebAssembly; V8's
 * optimising tier recompiles llhttp's one large parse function as soon as it runs hot, at
 * about 35 MiB of transient memory and 0.3–0.4 s of CPU, and the baseline compiler's code
 * is fast enough for what llhttp does per response (direct connections use Node's own
 * parser and are not affected). Imported first by the CLI entry, never by the library,
 * whose host process owns its V8 flags.
 *
 * Transfers collect the buffers they leave behind early (see `util/garbage.ts`): the
 * collector is V8's `gc`, exposed by a flag and reached through a fresh context, made only
 * when a command first streams enough bytes to need it.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { allowEarlyCollection } from "../util/garbage.js";

setFlagsFromString("--liftoff-only");
setFlagsFromString("--semi-space-growth-factor=1");

allowEarlyCollection(() => {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as ((options?: { type: "minor" }) => void) | undefined;
    // gc() is a full collection; { type: "major" } is a scavenge on Node 20's V8.
    return typeof gc === "function" ? (kind) => (kind === "full" ? gc() : gc({ type: "minor" })) : undefined;
  } catch {
    return undefined;
  }
});
