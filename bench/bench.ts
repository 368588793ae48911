/**
 * `npm run bench`: ocidist side by side with skopeo (and crane, when `CRANE=/path/to/crane`
 * is set) against local registries, each tool from a cold cache, median of
 * `OCIDIST_BENCH_RUNS` (default 3) runs, wall time, CPU and peak RSS for every tool.
 *
 * Images (built once, cached under bench/.work): a large one of `OCIDIST_BENCH_MB`
 * (default 520) MB in 24 gzip layers from this machine's own files, and one of 64 small
 * layers; 263 tags on the small one. Workloads: pull → docker archive, pull → OCI layout,
 * the same for the 64 small layers, copy registry → registry, `tags`, `digest`,
 * `manifest`, `--version`, and `node -e 0` as the floor. Every output is verified after
 * the timed runs. `OCIDIST_BENCH_ONLY=copy` runs only the workloads whose name holds it.
 * Prints the tools' versions, the table and the goals of issue 13.
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBenchImage } from "./image.js";
import { cleanup, goalTable, median, table, timeOnce, versionOf, type Goal, type Row, type Sample } from "./measure.js";
import { startRig } from "../test/rig/rig.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const work = join(root, "bench", ".work");
const cli = join(root, "dist", "src", "cli.js");
const runs = Number(process.env.OCIDIST_BENCH_RUNS ?? 3);
const largeMb = Number(process.env.OCIDIST_BENCH_MB ?? 520);
const crane = process.env.CRANE;
const skopeo = existsSync("/usr/bin/skopeo") ? "/usr/bin/skopeo" : undefined;
const only = process.env.OCIDIST_BENCH_ONLY;
/** Extra flags for every ocidist run, to compare settings: `OCIDIST_BENCH_FLAGS="--jobs 8"`. */
const extraFlags = (process.env.OCIDIST_BENCH_FLAGS ?? "").split(" ").filter(Boolean);

/** One tool doing one workload. */
interface Case {
  workload: string;
  tool: "ocidist" | "crane" | "skopeo" | "node";
  args: string[];
  prepare?: () => unknown;
  bytes?: number;
  note?: string;
  /** Checks the output of the last run. */
  verify?: () => unknown;
}

const ocidistArgs = (args: string[]) => [cli, "--progress", "none", ...extraFlags, ...args];
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
const ocidist = (args: string[]) => run(process.execPath, ocidistArgs(args));

function sample(c: Case): Promise<Sample> {
  if (c.tool === "ocidist") return timeOnce(process.execPath, ocidistArgs(c.args));
  if (c.tool === "node") return timeOnce(process.execPath, c.args);
  return timeOnce(c.tool === "crane" ? crane! : skopeo!, c.args);
}

/** skopeo remembers where it saw blobs (and then mounts them instead of copying): forgotten before every run. */
const forgetSkopeo = () => Promise.all([join(homedir(), ".local/share/containers/cache"), join(homedir(), ".cache/containers"), "/var/lib/containers/cache"].map((d) => rm(d, { recursive: true, force: true })));

/** Tags the small image until it has `count` tags. */
async function addTags(registry: string, repo: string, count: number): Promise<void> {
  const type = "application/vnd.oci.image.manifest.v1+json";
  const res = await fetch(`http://${registry}/v2/${repo}/manifests/latest`, { headers: { accept: type } });
  const body = Buffer.from(await res.arrayBuffer());
  for (let i = 1; i < count; i++) {
    const put = await fetch(`http://${registry}/v2/${repo}/manifests/t${i}`, { method: "PUT", headers: { "content-type": type }, body });
    if (!put.ok) throw new Error(`tagging t${i}: ${put.status}`);
  }
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const rig = await startRig();
  // A second registry with its own storage, for registry-to-registry copies.
  const rig2 = await startRig();
  try {
    const host = rig.registries.open.host;
    const second = rig2.registries.open.host;
    const large = await buildBenchImage(join(work, `large-${largeMb}`), { layers: 24, targetBytes: largeMb * 1e6 });
    const small = await buildBenchImage(join(work, "small"), { layers: 64, targetBytes: 16_000_000 });
    const bigRef = `${host}/bench/large:latest`;
    const smallRef = `${host}/bench/small:latest`;
    ocidist(["push", `oci:${large.layout}:latest`, bigRef]);
    ocidist(["push", `oci:${small.layout}:latest`, smallRef]);
    await addTags(host, "bench/small", 263);
    const bigDigest = ocidist(["digest", bigRef]).trim();
    const out = join(work, "out");
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    const cache = join(out, "cache");
    const o = (name: string) => join(out, name);
    const fresh = (...paths: string[]) => () => Promise.all([cache, ...paths].map((p) => rm(p, { recursive: true, force: true })));
    const verifyArchive = (path: string) => () => ocidist(["verify", `docker-archive:${path}`]);
    const verifyLayout = (path: string) => () => ocidist(["verify", `oci:${path}`]);
    let n = 0;
    const copyDest = (tool: string) => `${second}/bench/${tool}-${++n}:latest`;
    const copied = new Map<string, string>();
    const cases: Case[] = [];
    const pulls = (what: string, ref: string, bytes: number, key: string) => {
      cases.push({ workload: `${what} → docker-archive`, tool: "ocidist", args: ["pull", ref, "-o", o(`${key}.tar`), "--cache-dir", cache], prepare: fresh(o(`${key}.tar`)), bytes, verify: verifyArchive(o(`${key}.tar`)) });
      if (crane) cases.push({ workload: `${what} → docker-archive`, tool: "crane", args: ["pull", "--insecure", ref, o(`${key}-crane.tar`)], prepare: fresh(o(`${key}-crane.tar`)), bytes, verify: verifyArchive(o(`${key}-crane.tar`)) });
      if (skopeo) cases.push({ workload: `${what} → docker-archive`, tool: "skopeo", note: "decompressed layers: not like with like", args: ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `docker-archive:${o(`${key}-skopeo.tar`)}`], prepare: async () => { await forgetSkopeo(); await rm(o(`${key}-skopeo.tar`), { force: true }); }, bytes, verify: () => run(skopeo, ["inspect", `docker-archive:${o(`${key}-skopeo.tar`)}`]) });
      cases.push({ workload: `${what} → OCI layout`, tool: "ocidist", args: ["pull", ref, "--format", "oci", "-o", o(`${key}-layout`), "--cache-dir", cache], prepare: fresh(o(`${key}-layout`)), bytes, verify: verifyLayout(o(`${key}-layout`)) });
      if (crane) cases.push({ workload: `${what} → OCI layout`, tool: "crane", args: ["pull", "--insecure", "--format", "oci", ref, o(`${key}-crane-layout`)], prepare: fresh(o(`${key}-crane-layout`)), bytes, verify: verifyLayout(o(`${key}-crane-layout`)) });
      if (skopeo) cases.push({ workload: `${what} → OCI layout`, tool: "skopeo", args: ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${o(`${key}-skopeo-layout`)}:latest`], prepare: async () => { await forgetSkopeo(); await rm(o(`${key}-skopeo-layout`), { recursive: true, force: true }); }, bytes, verify: verifyLayout(o(`${key}-skopeo-layout`)) });
    };
    pulls("pull", bigRef, large.totalBytes, "large");
    pulls("pull 64 small layers", smallRef, small.totalBytes, "small");
    const copyCase = (tool: Case["tool"], args: (dest: string) => string[]) => {
      let dest = "";
      const c: Case = { workload: "copy registry → registry", tool, args: [], bytes: large.totalBytes, verify: () => {
        const got = ocidist(["digest", dest]).trim();
        if (got !== bigDigest) throw new Error(`${tool} copy: ${dest} has ${got}, ${bigDigest} expected`);
      } };
      c.prepare = async () => {
        await forgetSkopeo();
        dest = copyDest(tool);
        c.args = args(dest);
        copied.set(tool, dest);
      };
      cases.push(c);
    };
    copyCase("ocidist", (d) => ["copy", bigRef, d]);
    if (crane) copyCase("crane", (d) => ["copy", "--insecure", bigRef, d]);
    if (skopeo) copyCase("skopeo", (d) => ["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${bigRef}`, `docker://${d}`]);
    const meta = (workload: string, ours: string[], theirs: string[] | undefined, skopeos: string[] | undefined) => {
      cases.push({ workload, tool: "ocidist", args: ours });
      if (crane && theirs) cases.push({ workload, tool: "crane", args: theirs });
      if (skopeo && skopeos) cases.push({ workload, tool: "skopeo", args: skopeos });
    };
    const smallRepo = `${host}/bench/small`;
    meta("`tags` (263 tags)", ["tags", smallRepo], ["ls", "--insecure", smallRepo], ["list-tags", "--tls-verify=false", `docker://${smallRepo}`]);
    meta("`digest`", ["digest", smallRef], ["digest", "--insecure", smallRef], ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", `docker://${smallRef}`]);
    meta("`manifest`", ["manifest", smallRef], ["manifest", "--insecure", smallRef], ["inspect", "--raw", "--tls-verify=false", `docker://${smallRef}`]);
    meta("`--version`", ["--version"], ["version"], ["--version"]);
    cases.push({ workload: "`node -e 0` (the floor)", tool: "node", args: ["-e", "0"] });

    const rows: Row[] = [];
    for (const c of cases) {
      if (only && !c.workload.includes(only)) continue;
      const s = await median(runs, () => sample(c), c.prepare);
      rows.push({ workload: c.workload, tool: c.tool, sample: s, bytes: c.bytes, note: c.note });
      process.stderr.write(`${c.workload}, ${c.tool}: ${s.wall.toFixed(2)} s, ${s.cpu.toFixed(2)} s CPU, ${s.rssMiB.toFixed(0)} MiB\n`);
    }
    // Every output of the last runs, read back.
    for (const c of cases) {
      if (c.verify && (!only || c.workload.includes(only))) c.verify();
    }

    console.log(`\nLarge image: ${large.layers} layers, ${(large.totalBytes / 1e6).toFixed(0)} MB compressed; small image: ${small.layers} layers, ${(small.totalBytes / 1e6).toFixed(1)} MB. Median of ${runs} runs, every tool from a cold cache, every output verified.`);
    console.log(`Machine: ${run("nproc", []).trim()} cores, node ${process.version}; ocidist ${ocidist(["--version"]).trim()}; crane ${crane ? versionOf(crane, ["version"]) : "(not run: set CRANE)"}; ${skopeo ? versionOf(skopeo, ["--version"]) : "skopeo (not installed)"}; ${versionOf("/usr/bin/docker-registry", ["--version"])}.\n`);
    console.log(table(rows));
    console.log(`\n${goalTable(goals(rows))}`);
  } finally {
    await rig.stop();
    await rig2.stop();
    cleanup();
  }
}

/** Issue 13's goals, from the rows measured. */
function goals(rows: Row[]): Goal[] {
  const get = (workload: string, tool: string) => rows.find((r) => r.workload === workload && r.tool === tool && !r.note)?.sample;
  const out: Goal[] = [];
  const floor = get("`node -e 0` (the floor)", "node");
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const ours = get(workload, "ocidist");
    if (!ours) continue;
    if (workload.startsWith("pull") || workload.startsWith("copy")) {
      const others = ["crane", "skopeo"].map((t) => get(workload, t)).filter((s): s is Sample => !!s);
      if (others.length) out.push({ goal: `${workload}: wall / fastest other`, value: ours.wall / Math.min(...others.map((s) => s.wall)), bound: 1, unit: "×" });
      const craneRun = get(workload, "crane");
      if (workload.includes("small") && craneRun) out.push({ goal: `${workload}: wall / crane`, value: ours.wall / craneRun.wall, bound: 1, unit: "×" });
      out.push({ goal: `${workload}: peak RSS`, value: ours.rssMiB, bound: 64, unit: " MiB" });
    } else if (floor && /tags|digest|manifest/.test(workload)) {
      out.push({ goal: `${workload}: wall / node -e 0`, value: ours.wall / floor.wall, bound: 2, unit: "×" });
      out.push({ goal: `${workload}: peak RSS`, value: ours.rssMiB, bound: 56, unit: " MiB" });
    }
  }
  return out;
}

await main();
