/**
 * `node dist/bench/serve.js`: pulls the same image (~200 MB of random data in 10 layers,
 * built once under bench/.work/serve-image) from `ocidist serve` and from docker-registry,
 * each started here on loopback over its own storage, and prints Markdown rows with the
 * pull's wall time and the server's peak RSS (VmHWM from /proc, read just before it stops).
 * The pull is `ocidist pull --no-cache --format oci`, best of `OCIDIST_BENCH_RUNS` (default 3).
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { desc, image, sha, tarOf } from "../test/rig/build.js";
import { freePort } from "../test/rig/rig.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const work = join(root, "bench", ".work");
const cli = join(root, "dist", "src", "cli.js");
const LAYERS = 10;
const LAYER_BYTES = 20 * 1024 * 1024;
const REGISTRY_BIN = process.env.OCIDIST_REGISTRY_BIN ?? "/usr/bin/docker-registry";

/** Builds (once) an OCI layout with a random-data image tagged `bench`. */
async function buildImage(): Promise<string> {
  const layout = join(work, "serve-image");
  if (existsSync(join(layout, "index.json"))) return layout;
  await rm(layout, { recursive: true, force: true });
  await mkdir(join(layout, "blobs/sha256"), { recursive: true });
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = await tarOf([{ name: `data${i}.bin`, content: randomBytes(LAYER_BYTES) }]);
    const l = { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha(tar), size: tar.length, bytes: tar, diffId: sha(tar) };
    await writeFile(join(layout, "blobs/sha256", l.digest.slice(7)), tar);
    layers.push({ ...l, bytes: Buffer.alloc(0) });
  }
  const img = image(layers);
  for (const b of [img.config, img.manifest]) await writeFile(join(layout, "blobs/sha256", b.digest.slice(7)), b.bytes);
  await writeFile(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [desc(img.manifest, { annotations: { "org.opencontainers.image.ref.name": "bench" } })] }));
  return layout;
}


/** Runs a command to its end; rejects on a non-zero exit. Returns the wall time in seconds. */
function runTimed(cmd: string, args: string[]): Promise<number> {
  return new Promise((ok, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? ok(Number(process.hrtime.bigint() - start) / 1e9) : fail(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-500)}`))));
  });
}

/** Waits until `url/v2/` answers. */
async function waitUp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`server at ${url} exited ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server at ${url} did not start`);
}

/** Peak resident set of a live process, in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await done;
}

/** Best wall time of `runs` cold pulls (no cache), and the server's peak RSS after them. */
async function measure(host: string, pid: number, runs: number): Promise<{ seconds: number; rssMb: number }> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const out = join(work, "serve-pull");
    await rm(out, { recursive: true, force: true });
    best = Math.min(best, await runTimed(process.execPath, [cli, "--progress", "none", "pull", "--no-cache", "--format", "oci", "-o", out, `${host}/bench/serve:bench`]));
  }
  return { seconds: best, rssMb: peakRssMb(pid) };
}

async function main(): Promise<void> {
  const runs = Number(process.env.OCIDIST_BENCH_RUNS) || 3;
  await mkdir(work, { recursive: true });
  const layout = await buildImage();
  const bytes = LAYERS * LAYER_BYTES;

  // ocidist serve over a directory that `ocidist copy … oci:DIR/<repo>:TAG` filled.
  const dir = join(work, "serve-dir");
  await rm(dir, { recursive: true, force: true });
  await runTimed(process.execPath, [cli, "--progress", "none", "copy", `oci:${layout}:bench`, `oci:${join(dir, "bench/serve")}:bench`]);
  const port = await freePort();
  const served = spawn(process.execPath, [cli, "serve", dir, "--address", `127.0.0.1:${port}`], { stdio: "ignore" });
  // docker-registry over its own storage, pushed with ocidist.
  const storage = join(work, "registry-storage");
  await rm(storage, { recursive: true, force: true });
  await mkdir(storage, { recursive: true });
  const rport = await freePort();
  const config = join(work, "registry.yml");
  await writeFile(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: 127.0.0.1:${rport}\n`);
  const registry = spawn(REGISTRY_BIN, ["serve", config], { stdio: "ignore" });
  try {
    await waitUp(`http://127.0.0.1:${port}`, served);
    await waitUp(`http://127.0.0.1:${rport}`, registry);
    await runTimed(process.execPath, [cli, "--progress", "none", "copy", `oci:${layout}:bench`, `127.0.0.1:${rport}/bench/serve:bench`]);
    const ours = await measure(`127.0.0.1:${port}`, served.pid!, runs);
    const theirs = await measure(`127.0.0.1:${rport}`, registry.pid!, runs);
    const row = (what: string, r: { seconds: number; rssMb: number }) => `| ${what} | ${r.seconds.toFixed(2)} | ${(bytes / 1e6 / r.seconds).toFixed(0)} | ${r.rssMb.toFixed(0)} |`;
    console.log(`Pull of ${(bytes / 1e6).toFixed(0)} MB in ${LAYERS} layers with \`ocidist pull --no-cache --format oci\`, best of ${runs}:\n`);
    console.log("| server | wall s | MB/s | server peak RSS MB |");
    console.log("|---|---:|---:|---:|");
    console.log(row("pull from `ocidist serve`", ours));
    console.log(row("pull from docker-registry", theirs));
  } finally {
    await stop(served);
    await stop(registry);
  }
}

await main();
