/**
 * `npm run bench`: pull, copy and re-copy timings against local registries.
 *
 * Builds (once, cached under bench/.work) a large image of ≥ 500 MB in ≥ 20 gzip layers from
 * real files of this machine, and a 64-small-layer image; pushes both with `ocidist push`; then
 * times, each from a cold blob cache:
 *   - `ocidist pull` to a docker archive and to an OCI layout (wall time, peak RSS),
 *   - the baseline: `curl | sha256sum` of the same blobs, 4 in parallel,
 *   - `skopeo copy` to a docker archive, when skopeo is installed,
 *   - the 64-small-layer image, per byte against the large one,
 *   - `ocidist copy` between two registries with separate storage, then the same copy again.
 * Prints a Markdown table (the README's figures come from it).
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBenchImage } from "./image.js";
import { startRig } from "../test/rig/rig.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const work = join(root, "bench", ".work");
const cli = join(root, "dist", "src", "cli.js");

interface Run {
  seconds: number;
  maxRssMb?: number;
  /** CPU seconds in user and system mode (ocidist reports them). */
  userSeconds?: number;
  systemSeconds?: number;
}

/** Runs a command, returning its wall time and (for ocidist) its peak RSS and CPU time. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env, OCIDIST_REPORT_RSS: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
      const m = /maxrss_kb=(\d+) user_us=(\d+) system_us=(\d+)/.exec(err);
      resolveRun({ seconds, ...(m ? { maxRssMb: Number(m[1]) / 1024, userSeconds: Number(m[2]) / 1e6, systemSeconds: Number(m[3]) / 1e6 } : {}) });
    });
  });
}

async function fresh(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Extra flags for every timed ocidist run, to compare settings: `OCIDIST_BENCH_FLAGS="--jobs 8"`. */
const extraFlags = (process.env.OCIDIST_BENCH_FLAGS ?? "").split(" ").filter(Boolean);

function ocidist(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return timed(process.execPath, [cli, "--progress", "none", ...extraFlags, ...args], env);
}

/** Runs `once` three times (after `prepare` and a `sync` each time) and keeps the median run. */
async function median(once: () => Promise<Run>, prepare: () => Promise<unknown> = async () => undefined): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) {
    await prepare();
    // Written-back pages of the previous run must not compete with this one.
    execFileSync("sync");
    runs.push(await once());
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return runs[1]!;
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const rig = await startRig();
  // A second registry with its own storage, for registry-to-registry copies.
  const rig2 = await startRig();
  try {
    const open = rig.registries.open;
    const second = rig2.registries.open;
    const large = await buildBenchImage(join(work, "large"), { layers: 24, targetBytes: 520_000_000 });
    const small = await buildBenchImage(join(work, "small"), { layers: 64, targetBytes: 64_000_000 });
    const bigRef = `${open.host}/bench/large:latest`;
    const smallRef = `${open.host}/bench/small:latest`;
    await ocidist(["push", `oci:${large.layout}:latest`, bigRef]);
    await ocidist(["push", `oci:${small.layout}:latest`, smallRef]);
    const rows: string[][] = [];
    const mb = large.totalBytes / 1e6;
    // OCIDIST_BENCH_ONLY=copy runs only the rows whose name contains "copy".
    const only = process.env.OCIDIST_BENCH_ONLY;
    const add = async (what: string, run: () => Promise<Run>, bytes = large.totalBytes) => {
      if (only && !what.includes(only)) return;
      const r = await run();
      const cpu = r.userSeconds !== undefined ? `${r.userSeconds.toFixed(2)} / ${r.systemSeconds!.toFixed(2)}` : "—";
      rows.push([what, r.seconds.toFixed(2), bytes > 0 ? ((bytes / 1e6) / r.seconds).toFixed(0) : "—", r.maxRssMb ? r.maxRssMb.toFixed(0) : "—", cpu]);
    };

    const out = await fresh(join(work, "out"));
    const cache = join(work, "cache");
    const cold = () => fresh(cache);
    await add("ocidist pull → docker-archive", () => median(() => ocidist(["pull", bigRef, "-o", join(out, "a.tar"), "--cache-dir", cache]), cold));
    await add("ocidist pull --no-cache → docker-archive", () => median(() => ocidist(["pull", bigRef, "--no-cache", "-o", join(out, "b.tar")])));
    await add("ocidist pull → OCI layout", () => median(() => ocidist(["pull", bigRef, "--format", "oci", "-o", join(out, "layout"), "--cache-dir", cache]), async () => {
      await cold();
      await rm(join(out, "layout"), { recursive: true, force: true });
    }));
    const urls = large.blobs.map((d) => `http://${open.host}/v2/bench/large/blobs/${d}`).join("\n");
    await add("baseline: curl piped to sha256sum, 4 in parallel", () => median(() => timed("sh", ["-c", `printf '%s\\n' "$URLS" | xargs -P 4 -I{} sh -c 'curl -sf {} | sha256sum >/dev/null'`], { URLS: urls })));
    if (existsSync("/usr/bin/skopeo")) {
      await add("skopeo copy → docker-archive", () => median(() => timed("skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${bigRef}`, `docker-archive:${join(out, "skopeo.tar")}`]), () => rm(join(out, "skopeo.tar"), { force: true })));
    }
    await add("ocidist pull, 64 small layers → docker-archive", () => median(() => ocidist(["pull", smallRef, "-o", join(out, "small.tar"), "--cache-dir", cache]), cold), small.totalBytes);
    await add("ocidist pull, 64 small layers → OCI layout", () => median(() => ocidist(["pull", smallRef, "--format", "oci", "-o", join(out, "small-layout"), "--cache-dir", cache]), async () => {
      await cold();
      await rm(join(out, "small-layout"), { recursive: true, force: true });
    }), small.totalBytes);
    const smallUrls = small.blobs.map((d) => `http://${open.host}/v2/bench/small/blobs/${d}`).join("\n");
    await add("baseline, 64 small layers", () => median(() => timed("sh", ["-c", `printf '%s\\n' "$URLS" | xargs -P 4 -I{} sh -c 'curl -sf {} | sha256sum >/dev/null'`], { URLS: smallUrls })), small.totalBytes);
    await add("ocidist start-up (`digest --help`: one command loaded)", () => median(() => ocidist(["digest", "--help"])), 0);
    await add("baseline: Node's own start-up (`node -e 0`)", () => median(() => timed(process.execPath, ["-e", "0"])), 0);
    let n = 0;
    const copyTo = () => ["copy", bigRef, `${second.host}/bench/copy${n}:latest`];
    await add("ocidist copy registry → registry", () => median(() => ocidist(copyTo()), async () => n++));
    await add("ocidist copy again (all skipped)", () => median(() => ocidist(copyTo())));
    if (existsSync("/usr/bin/skopeo")) {
      // skopeo remembers where it saw blobs and mounts them; its memory is cleared before each run.
      const forget = () => Promise.all([join(homedir(), ".local/share/containers/cache"), "/var/lib/containers/cache"].map((d) => rm(d, { recursive: true, force: true })));
      await add("skopeo copy registry → registry", () => median(() => timed("skopeo", ["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${bigRef}`, `docker://${second.host}/bench/skopeo${n}:latest`]), async () => {
        n++;
        await forget();
      }));
    }
    const size = (await stat(join(out, "a.tar")).catch(() => undefined))?.size;
    const archive = size !== undefined ? ` (archive ${(size / 1e6).toFixed(0)} MB)` : "";
    console.log(`\nLarge image: ${large.layers} layers, ${mb.toFixed(0)} MB compressed${archive}; small image: ${small.layers} layers, ${(small.totalBytes / 1e6).toFixed(0)} MB.`);
    console.log(`Machine: ${execFileSync("nproc").toString().trim()} cores, node ${process.version}.\n`);
    console.log("| run | seconds | MB/s | peak RSS (MB) | CPU s, user / system |");
    console.log("|---|---:|---:|---:|---:|");
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  } finally {
    await rig.stop();
    await rig2.stop();
  }
}

await main();
