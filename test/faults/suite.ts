/**
 * The fault suite: drives pull, copy, push, blob, export and files through every injected
 * fault and classifies each run — survived (exit 0, output verified), failed cleanly
 * (non-zero exit, nothing at the destination, no temporary litter, no tag moved), or
 * corrupt (anything else). `npm run test:faults` prints the table; the test asserts 0 corrupt
 * outputs, every transient fault survived and every fatal fault failed cleanly (a fatal fault
 * that is silently accepted is a defect, not a success).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startFaultProxy, type Fault, type FaultProxy } from "./proxy.js";
import { seed, type Seeded } from "../rig/fixtures.js";
import { pushContent, pushImage } from "../rig/push.js";
import type { RigInfo } from "../rig/rig.js";
import { ocidist, tempDir } from "../helpers/cli.js";

/** One fault of the suite. */
export interface FaultCase {
  name: string;
  fault: Fault;
  /** Transient faults must be survived; the others (fatal) must fail cleanly. */
  transient: boolean;
  /** Which requests: blob GETs, manifest GETs, or uploads. */
  target: "blob" | "manifest" | "upload" | "chunk";
  times: number;
}

/** The faults injected. */
export const FAULTS: FaultCase[] = [
  { name: "connection reset mid-body", fault: { kind: "reset" }, transient: true, target: "blob", times: 1 },
  { name: "truncated body, full Content-Length", fault: { kind: "truncate" }, transient: true, target: "blob", times: 1 },
  { name: "stalled body (past --timeout)", fault: { kind: "stall", ms: 4000 }, transient: true, target: "blob", times: 1 },
  { name: "500 on a blob", fault: { kind: "status", status: 500 }, transient: true, target: "blob", times: 2 },
  { name: "502 on a manifest", fault: { kind: "status", status: 502 }, transient: true, target: "manifest", times: 1 },
  { name: "503 on a blob", fault: { kind: "status", status: 503 }, transient: true, target: "blob", times: 1 },
  { name: "429, Retry-After seconds", fault: { kind: "status", status: 429, retryAfter: "1" }, transient: true, target: "manifest", times: 1 },
  { name: "429, Retry-After HTTP date", fault: { kind: "status", status: 429, retryAfter: new Date(Date.now() + 1000).toUTCString() }, transient: true, target: "blob", times: 1 },
  { name: "redirect to another host", fault: { kind: "redirect" }, transient: true, target: "blob", times: 100 },
  { name: "5xx on upload", fault: { kind: "status", status: 503 }, transient: true, target: "upload", times: 1 },
  { name: "reset on upload", fault: { kind: "reset" }, transient: true, target: "upload", times: 1 },
  { name: "416 on a chunk (resume from Range)", fault: { kind: "status", status: 416 }, transient: true, target: "chunk", times: 1 },
  { name: "corrupted blob bytes", fault: { kind: "corrupt" }, transient: false, target: "blob", times: 100 },
  { name: "blob longer than its descriptor", fault: { kind: "extend" }, transient: false, target: "blob", times: 100 },
  { name: "manifest over the size cap", fault: { kind: "oversize" }, transient: false, target: "manifest", times: 100 },
  { name: "invalid JSON manifest", fault: { kind: "invalid-json" }, transient: false, target: "manifest", times: 100 },
  { name: "Content-Type contradicting the manifest", fault: { kind: "content-type", value: "application/vnd.oci.image.index.v1+json" }, transient: false, target: "manifest", times: 100 },
];

/** How a run ended. */
export type Outcome = "survived" | "failed cleanly" | "corrupt";

/** The only acceptable outcome of a fault: a transient one is survived, a fatal one fails cleanly. */
export function expectedOutcome(fc: Pick<FaultCase, "transient">): Outcome {
  return fc.transient ? "survived" : "failed cleanly";
}

/** One row of the table. */
export interface Row {
  fault: string;
  injected: number;
  survived: number;
  failedCleanly: number;
  corrupt: number;
  transient: boolean;
  details: string[];
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

interface Ctx {
  rig: RigInfo;
  proxy: FaultProxy;
  s: Seeded;
  layout: string;
}

const uploads = (fc: FaultCase) => fc.target === "upload" || fc.target === "chunk";

/**
 * Which faults each operation meets, and the repository it reads (`faults/KIND-ID`, pushed
 * for it alone; push reads the local layout). Faults of uploads are met by push only.
 */
const APPLIES: Record<string, { applies: (fc: FaultCase) => boolean; reads?: "pull" | "copy" | "bottle" }> = {
  pull: { applies: (fc) => !uploads(fc), reads: "pull" },
  copy: { applies: (fc) => !uploads(fc), reads: "copy" },
  push: { applies: uploads },
  blob: { applies: (fc) => fc.target === "blob", reads: "pull" },
  export: { applies: (fc) => !uploads(fc), reads: "pull" },
  files: { applies: (fc) => !uploads(fc), reads: "bottle" },
};

/** The operations, each run through the proxy into a fresh directory; returns its outcome. */
const OPERATIONS: Record<string, (c: Ctx, id: string, fc: FaultCase) => Promise<Outcome>> = {
  async pull({ proxy, s }, id) {
    const dir = tempDir();
    const out = join(dir, "out.tar");
    const r = await ocidist(["pull", `${proxy.host}/faults/pull-${id}:v1`, "-o", out, "--json", ...FLAGS], { env: RETRY_ENV });
    if (r.code === 0) return (await ocidist(["verify", out])).code === 0 && JSON.parse(r.out).images[0].manifest === s.layered.manifest.digest ? "survived" : "corrupt";
    return readdirSync(dir).length === 0 ? "failed cleanly" : "corrupt";
  },
  async copy({ proxy, rig, s }, id) {
    const dst = `${rig.registries.open.host}/faults-dst/copy-${id}:v1`;
    const r = await ocidist(["copy", `${proxy.host}/faults/copy-${id}:v1`, dst, ...FLAGS], { env: RETRY_ENV });
    const d = await ocidist(["digest", dst]);
    if (r.code === 0) return d.out.trim() === s.layered.manifest.digest ? "survived" : "corrupt";
    return d.code !== 0 ? "failed cleanly" : "corrupt";
  },
  async push({ proxy, rig, layout, s }, id, fc) {
    const chunks = fc.target === "chunk" ? ["--chunk-size", "64"] : [];
    const r = await ocidist(["push", layout, `${proxy.host}/faults/pushed-${id}:v1`, ...chunks, ...FLAGS], { env: RETRY_ENV });
    const d = await ocidist(["digest", `${rig.registries.open.host}/faults/pushed-${id}:v1`]);
    if (r.code === 0) return d.out.trim() === s.layered.manifest.digest ? "survived" : "corrupt";
    return d.code !== 0 ? "failed cleanly" : "corrupt";
  },
  async blob({ proxy, s }, id) {
    const dir = tempDir();
    const layer = s.layered.layers[1]!;
    const r = await ocidist(["blob", `${proxy.host}/faults/pull-${id}@${layer.digest}`, "-o", join(dir, "blob"), ...FLAGS], { env: RETRY_ENV });
    if (r.code === 0) return sha(readFileSync(join(dir, "blob"))) === layer.digest ? "survived" : "corrupt";
    return readdirSync(dir).length === 0 ? "failed cleanly" : "corrupt";
  },
  async export({ proxy }, id) {
    const dir = tempDir();
    const out = join(dir, "rootfs");
    const r = await ocidist(["export", `${proxy.host}/faults/pull-${id}:v1`, out, ...FLAGS], { env: RETRY_ENV });
    if (r.code === 0) return readFileSync(join(out, "bin/tool"), "utf8").includes("v2") && !existsSync(join(out, "etc/gone")) ? "survived" : "corrupt";
    return readdirSync(dir).length === 0 ? "failed cleanly" : "corrupt";
  },
  async files({ proxy, s }, id) {
    const dir = tempDir();
    const out = join(dir, "files");
    const r = await ocidist(["files", `${proxy.host}/faults/bottle-${id}:1.24.5`, "--platform", "darwin/arm64:macOS 14", "-o", out, ...FLAGS], { env: RETRY_ENV });
    const name = "wget--1.24.5.arm64_sonoma.bottle.tar.gz";
    if (r.code === 0) return sha(readFileSync(join(out, name))) === s.bottle.images[1]!.layers[0]!.digest ? "survived" : "corrupt";
    return !existsSync(out) || readdirSync(out).length === 0 ? "failed cleanly" : "corrupt";
  },
};

/** Flags for every run: a short read timeout so stalls are detected quickly. */
const FLAGS = ["--timeout", "2", "--retries", "4"];

/**
 * A short backoff base for every run: the suite tests that faults are retried and survived,
 * not how long the pauses are (the backoff's growth and `Retry-After` have unit tests; a
 * server's `Retry-After` is still honoured, as it is never shortened by the base).
 */
const RETRY_ENV = { OCIDIST_RETRY_BASE_MS: "20" };

/** How many faults are injected at once, each through its own proxy into its own repositories. */
const PARALLEL = Number(process.env.OCIDIST_FAULT_PARALLEL) || 2;

/** Runs one fault through its own proxy: every operation in its own repositories. */
async function runCase(ctx: Omit<Ctx, "proxy">, i: number, fc: FaultCase): Promise<Row> {
  const { rig, s } = ctx;
  const row: Row = { fault: fc.name, injected: 0, survived: 0, failedCleanly: 0, corrupt: 0, transient: fc.transient, details: [] };
  const ids = Object.keys(OPERATIONS)
    .filter((op) => APPLIES[op]!.applies(fc))
    .map((op) => ({ op, id: `${i}-${op}` }));
  // Every operation gets its own repositories, so that rules apply to it alone.
  const open = rig.registries.open;
  const bottle = (id: string) => pushContent(rig, open, `faults/bottle-${id}`, s.bottle.images.flatMap((img) => [img.config, ...img.layers]), [...s.bottle.images.map((img) => img.manifest), s.bottle.index], ["1.24.5"]);
  await Promise.all(
    ids.map(({ op, id }) => {
      const reads = APPLIES[op]!.reads;
      return reads === "bottle" ? bottle(id) : reads ? pushImage(rig, open, `faults/${reads}-${id}`, s.layered, ["v1"]) : undefined;
    }),
  );
  const pathFor = (id: string) =>
    fc.target === "blob"
      ? new RegExp(`^/v2/faults/[a-z]+-${id}/blobs/sha256:[0-9a-f]{64}$`)
      : fc.target === "manifest"
        ? new RegExp(`^/v2/faults/[a-z]+-${id}/manifests/`)
        : new RegExp(`^/v2/faults/pushed-${id}/blobs/uploads/`);
  const method = fc.target === "upload" ? "PUT" : fc.target === "chunk" ? "PATCH" : "GET";
  const proxy = await startFaultProxy(rig.registries.open.url);
  try {
    proxy.setRules(ids.map(({ id }) => ({ method, path: pathFor(id), fault: fc.fault, times: fc.times })));
    const outcomes = await Promise.all(ids.map(({ op, id }) => OPERATIONS[op]!({ ...ctx, proxy }, id, fc).then((o) => ({ op, o }), (e: Error) => ({ op, o: "corrupt" as Outcome, e }))));
    for (const { op, o } of outcomes) {
      if (o === "survived") row.survived++;
      else if (o === "failed cleanly") row.failedCleanly++;
      else row.corrupt++;
      if (o !== expectedOutcome(fc)) row.details.push(`${op}: ${o}`);
    }
    row.injected = proxy.injected;
  } finally {
    await proxy.close();
  }
  return row;
}

/**
 * Runs the whole suite against the rig's open registry; returns the table rows (in the order
 * of {@link FAULTS}). `progress` gets a line as each fault is done.
 */
export async function runFaultSuite(rig: RigInfo, progress: (line: string) => void = () => {}): Promise<Row[]> {
  const s = await seed(rig, rig.registries.open, "faults", false);
  const layoutDir = tempDir();
  const layout = join(layoutDir, "layout");
  await ocidist(["pull", `${rig.registries.open.host}/${s.repos.layered}:v1`, "--format", "oci", "-o", layout]);
  const rows: Row[] = new Array<Row>(FAULTS.length);
  const started = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < FAULTS.length) {
      const i = next++;
      const fc = FAULTS[i]!;
      const row = await runCase({ rig, s, layout }, i, fc);
      rows[i] = row;
      done++;
      const verdict = row.corrupt === 0 && (fc.transient ? row.failedCleanly === 0 : row.survived === 0) ? "ok" : `NOT OK (${row.details.join("; ")})`;
      progress(`faults ${done}/${FAULTS.length} at ${((Date.now() - started) / 1000).toFixed(0)} s: ${fc.name}: ${row.injected} injected, ${row.survived} survived, ${row.failedCleanly} failed cleanly, ${row.corrupt} corrupt: ${verdict}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, FAULTS.length) }, worker));
  return rows;
}

/** The table as Markdown. */
export function renderTable(rows: Row[]): string {
  const lines = ["| fault | kind | injected | survived | failed cleanly | corrupt |", "|---|---|---:|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.fault} | ${r.transient ? "transient" : "fatal"} | ${r.injected} | ${r.survived} | ${r.failedCleanly} | ${r.corrupt} |`);
  const t = rows.reduce((a, r) => ({ i: a.i + r.injected, s: a.s + r.survived, f: a.f + r.failedCleanly, c: a.c + r.corrupt }), { i: 0, s: 0, f: 0, c: 0 });
  lines.push(`| **total** | | ${t.i} | ${t.s} | ${t.f} | ${t.c} |`);
  return lines.join("\n");
}
