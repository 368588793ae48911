/**
 * Node built-ins loaded when first used rather than at start-up. A metadata command (`tags`,
 * `digest`) needs neither `tls` (with `_tls_wrap` and the secure-context code), nor
 * `child_process` (with `dgram` and `net`'s IPC), nor `zlib`, and Node compiles each built-in
 * module it loads: a few milliseconds each that every start-up paid.
 * @module
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/** The built-in module `name` (`node:…`), loaded on this first call. */
export function builtin<T>(name: `node:${string}`): T {
  return load(name) as T;
}
