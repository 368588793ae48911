/**
 * V8 settings for the CLI's own process, set before anything compiles: undici parses HTTP
 * with llhttp compiled to WebAssembly, and V8's optimising tier recompiles llhttp's one
 * large parse function as soon as it runs hot, which costs about 35 MiB of transient memory
 * and 0.3–0.4 s of CPU in every command that makes a request. The baseline compiler's code
 * is fast enough for what llhttp does per response (headers, and framing of the body
 * bytes it does not copy). Imported first by the CLI entry, never by the library, whose
 * host process owns its V8 flags.
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
    const gc = runInNewContext("gc") as ((options: { type: "minor" | "major" }) => void) | undefined;
    return typeof gc === "function" ? () => gc({ type: "minor" }) : undefined;
  } catch {
    return undefined;
  }
});
