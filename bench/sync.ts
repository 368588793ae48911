/**
 * `node dist/bench/sync.js`: `ocidist sync` beside `skopeo sync` on one skopeo-format file.
 *
 * Starts two registries with separate storage, pushes 50 small images (10 repositories × 5
 * tags, each one layer of 256 KiB of random text, so no two share a blob), then
 * times a first run and a no-op rerun of each tool into its own prefix of the second
 * registry: wall time, CPU (user + system) and peak RSS of the child, measured alike for both
 * through `getrusage(RUSAGE_CHILDREN)` (python3; without it, wall time only). Prints Markdown rows.
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { image, layer } from "../test/rig/build.js";
import { pushImage } from "../test/rig/push.js";
import { startRig } from "../test/rig/rig.js";

const cli = join(resolve(fileURLToPath(import.meta.url), "../../.."), "dist", "src", "cli.js");
const REPOS = 10;
const TAGS = 5;
const LAYER_BYTES = 256 * 1024;

/** One measured run. */
interface Measured {
  wall: number;
  cpu?: number;
  rssMb?: number;
}

const RUSAGE = `import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("rusage %d %f\\n" % (u.ru_maxrss, u.ru_utime + u.ru_stime))
sys.exit(code)`;

const hasPython = spawnSync("python3", ["-c", "0"]).status === 0;

/** Runs `argv`, measuring it; rejects on a non-zero exit. */
function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const [cmd, ...args] = hasPython ? ["python3", "-c", RUSAGE, ...argv] : argv;
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd!, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) return fail(new Error(`${argv.join(" ")} exited ${code}: ${stderr.slice(-400)}`));
      const m = /rusage (\d+) ([\d.]+)/.exec(stderr);
      done({ wall, ...(m ? { rssMb: Number(m[1]) / 1024, cpu: Number(m[2]) } : {}) });
    });
  });
}

function row(what: string, m: Measured): string {
  return `| ${what} | ${m.wall.toFixed(2)} | ${m.cpu !== undefined ? m.cpu.toFixed(2) : "—"} | ${m.rssMb !== undefined ? m.rssMb.toFixed(0) : "—"} |`;
}

async function main(): Promise<void> {
  const src = await startRig();
  const dst = await startRig();
  const home = await mkdtemp(join(tmpdir(), "ocidist-bench-sync-"));
  try {
    const from = src.registries.open;
    const lines = [`${from.host}:`, "  tls-verify: false", "  images:"];
    for (let r = 0; r < REPOS; r++) {
      const tags = Array.from({ length: TAGS }, (_, t) => `v${t}`);
      for (const tag of tags) {
        const img = image([await layer([{ name: "data", content: randomBytes(LAYER_BYTES).toString("base64").slice(0, LAYER_BYTES) }])], { labels: { "bench.image": `${r}-${tag}` } });
        await pushImage(src, from, `bench/r${r}`, img, [tag]);
      }
      lines.push(`    bench/r${r}: [${tags.join(", ")}]`);
    }
    const file = join(home, "mirror.yaml");
    await writeFile(file, `${lines.join("\n")}\n`);
    const to = dst.registries.open.host;
    const env = { HOME: home, XDG_RUNTIME_DIR: home };
    const ocidist = () => measure([process.execPath, cli, "sync", file, "--dest", `${to}/ocidist`, "--progress", "none"], env);
    const skopeo = () => measure(["skopeo", "sync", "--src", "yaml", "--dest", "docker", "--all", "--preserve-digests", "--dest-tls-verify=false", file, `${to}/skopeo`], env);
    const out = ["| sync of 50 small images (10 repositories × 5 tags, 256 KiB each) | wall s | CPU s | peak RSS MB |", "|---|---|---|---|"];
    out.push(row("ocidist sync, first run", await ocidist()));
    out.push(row("ocidist sync, no-op rerun", await ocidist()));
    if (spawnSync("skopeo", ["--version"]).status === 0) {
      // skopeo's memory of where it saw blobs lives under HOME, a fresh directory here.
      out.push(row("skopeo sync, first run", await skopeo()));
      out.push(row("skopeo sync, rerun", await skopeo()));
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    await Promise.all([src.stop(), dst.stop()]);
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/sync: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
