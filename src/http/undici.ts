/**
 * The parts of undici the transport uses — the agents and the `request` API — loaded
 * without undici's entry point, which also loads fetch, WebSocket, EventSource, caches and
 * mocks: about 90 ms of every start-up of the CLI. undici's package has no `exports` map,
 * so its files can be required directly; should their layout change in a later release,
 * the entry point is loaded instead and everything works as before, only slower to start.
 * Nothing is loaded until a request goes through a proxy: direct connections use Node's
 * own http (`direct.ts`).
 * @module
 */
import { createRequire } from "node:module";
import type * as Undici from "undici";

/** The undici classes the transport builds its dispatcher from. */
export interface UndiciParts {
  readonly Agent: typeof Undici.Agent;
  /** Loaded when first read. */
  readonly ProxyAgent: typeof Undici.ProxyAgent;
  /** True when the parts were loaded without the entry point. */
  readonly direct: boolean;
}

const require = createRequire(import.meta.url);

function loadDirect(): UndiciParts {
  const Dispatcher = require("undici/lib/dispatcher/dispatcher.js") as { prototype: object };
  const api = require("undici/lib/api/index.js") as Record<string, unknown>;
  const Agent = require("undici/lib/dispatcher/agent.js") as typeof Undici.Agent;
  if (typeof (Dispatcher as unknown) !== "function" || typeof Agent !== "function" || typeof api.request !== "function" || typeof api.connect !== "function") {
    throw new Error("undici's file layout changed");
  }
  // What undici's entry point does: the request, stream, pipeline, upgrade and connect
  // methods live on every dispatcher (ProxyAgent's CONNECT needs them too).
  if (!("request" in Dispatcher.prototype)) Object.assign(Dispatcher.prototype, api);
  const lazy = <T>(file: string, name: keyof typeof Undici): (() => T) => {
    let loaded: T | undefined;
    return () => {
      if (loaded) return loaded;
      try {
        loaded = require(`undici/lib/dispatcher/${file}`) as T;
        if (typeof loaded !== "function") throw new Error("undici's file layout changed");
      } catch {
        loaded = (require("undici") as Record<string, unknown>)[name] as T;
      }
      return loaded;
    };
  };
  const proxyAgent = lazy<typeof Undici.ProxyAgent>("proxy-agent.js", "ProxyAgent");
  return {
    Agent,
    get ProxyAgent() {
      return proxyAgent();
    },
    direct: true,
  };
}

function load(): UndiciParts {
  try {
    return loadDirect();
  } catch {
    const u = require("undici") as typeof Undici;
    return { Agent: u.Agent, ProxyAgent: u.ProxyAgent, direct: false };
  }
}

let loaded: UndiciParts | undefined;
let beforeLoad: (() => void) | undefined;

/**
 * Runs `hook` once, just before undici is first loaded: where the CLI sets the V8 flags for
 * undici's WebAssembly (`cli/v8-flags.ts`), which a command without a proxy never needs.
 */
export function beforeUndiciLoads(hook: () => void): void {
  beforeLoad = hook;
}

/** undici's agents, loaded on first use (only requests through a proxy need them). */
export function loadUndici(): UndiciParts {
  if (!loaded) {
    const hook = beforeLoad;
    beforeLoad = undefined;
    hook?.();
    loaded = load();
  }
  return loaded;
}
