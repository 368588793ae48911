/**
 * Progress in a real terminal: ocidist runs inside tmux at 80×24 and 50×20 while a hostile
 * registry serves its layers slowly, and the screen is captured as it redraws. No frame may
 * be wider than the screen, no stale frame may stay behind, and after Ctrl-C the
 * "interrupted" line stands alone on a clean screen. Skipped visibly where tmux is absent.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { image, layer } from "../rig/build.js";
import { startHostile, type HostileRegistry } from "../hostile/registry.js";
import { CLI, isolatedEnv, tempDir } from "../helpers/cli.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const socket = `ocidist-test-${process.pid}`;
let reg: HostileRegistry;

before(async () => {
  if (!hasTmux) return;
  reg = await startHostile();
  const layers = [];
  for (let i = 0; i < 4; i++) layers.push(await layer([{ name: `f${i}.bin`, content: randomBytes(2 * 1024 * 1024) }]));
  const img = image(layers);
  reg.manifest("slow", ["v1", img.manifest.digest], img.manifest.bytes, img.manifest.mediaType);
  reg.blob("slow", img.config.bytes);
  const slow = new Map(layers.map((l) => [l.digest, l.bytes]));
  for (const l of layers) reg.blob("slow", l.bytes);
  // Layers trickle out at about 800 kB/s each, so a pull takes a few seconds of redraws.
  reg.override("GET", /^\/v2\/slow\/blobs\//, (req, res, url) => {
    const bytes = slow.get(decodeURIComponent(url.pathname.split("/").pop()!));
    if (!bytes) return false;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
    let at = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      res.write(bytes.subarray(at, at + 16384));
      at += 16384;
      if (at >= bytes.length) {
        clearInterval(tick);
        res.end();
      }
    }, 20);
    req.on("close", () => clearInterval(tick));
  });
});

after(async () => {
  if (!hasTmux) return;
  spawnSync("tmux", ["-L", socket, "kill-server"]);
  await reg.close();
});

const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a pull in a tmux window of the given size; returns the window's name and the output path. */
function startPull(cols: number, rows: number): { name: string; out: string } {
  const home = tempDir("ocidist-tty-");
  const out = join(home, "out.tar");
  const name = `w${cols}x${rows}${Date.now() % 100000}`;
  const env = Object.entries(isolatedEnv(home, { TERM: "xterm" })).map(([k, v]) => `${k}=${JSON.stringify(v ?? "")}`);
  const cmd = `env -i ${env.join(" ")} ${process.execPath} ${CLI} --progress tty pull ${reg.host}/slow:v1 -o ${out}; echo "EXIT=$?"; sleep 120`;
  tmux("new-session", "-d", "-s", name, "-x", String(cols), "-y", String(rows), cmd);
  return { name, out };
}

/** Captures the screen until `done(screen)` holds (or 30 s pass); returns every capture. */
async function watch(name: string, done: (screen: string) => boolean): Promise<string[]> {
  const shots: string[] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const screen = tmux("capture-pane", "-p", "-t", name);
    shots.push(screen);
    if (done(screen)) break;
    await sleep(60);
  }
  return shots;
}

/** Lines of a screen, without the blank rows below the cursor. */
const rowsOf = (screen: string) => screen.replace(/\n+$/, "").split("\n");

function checkFrames(shots: string[], cols: number): void {
  assert.ok(shots.some((s) => /^total /m.test(s)), "a progress frame was drawn");
  for (const s of shots) {
    const rows = rowsOf(s);
    for (const r of rows) assert.ok(r.length <= cols, `row wider than ${cols}: ${r}`);
    const totals = rows.filter((r) => r.startsWith("total ")).length;
    assert.ok(totals <= 1, `stale frames on screen:\n${s}`);
    // While the frame is live, every row is a whole line of ours: a bar (digest prefix) or
    // the total. (The closing messages are ordinary lines that may wrap.)
    const end = rows.findIndex((r) => /^(?:pulled |ocidist: |EXIT=)/.test(r));
    for (const r of end < 0 ? rows : rows.slice(0, end)) assert.match(r, /^(?:[0-9a-f]{12} |total |\^C$|$)/, `fragment of a wrapped line: ${JSON.stringify(r)}\n${s}`);
  }
}

describe("progress in a terminal", { skip: hasTmux ? false : "tmux is not installed" }, () => {
  for (const [cols, rows] of [
    [80, 24],
    [50, 20],
  ] as const) {
    test(`frames fit a ${cols}×${rows} terminal and leave nothing behind`, async () => {
      const { name, out } = startPull(cols, rows);
      const shots = await watch(name, (s) => s.includes("EXIT="));
      const last = shots.at(-1)!;
      assert.match(last, /EXIT=0/, last);
      checkFrames(shots, cols);
      assert.doesNotMatch(last, /^total /m, "the frame is cleared at the end");
      assert.match(last, /^pulled 1 image into /m);
      assert.ok(existsSync(out));
      // No rate before there is one: the first frame has none, and none says "0 B/s".
      const first = shots.find((s) => /^total /m.test(s))!;
      assert.doesNotMatch(first, /\/s|ETA/, first);
      for (const s of shots) assert.doesNotMatch(s, /\b0 B\/s/);
    });
  }

  test("Ctrl-C leaves 'interrupted' alone on a clean line", async () => {
    const { name, out } = startPull(80, 24);
    const before = await watch(name, (s) => /^total .*\/s/m.test(s));
    tmux("send-keys", "-t", name, "C-c");
    const shots = [...before, ...(await watch(name, (s) => s.includes("EXIT=")))];
    const last = shots.at(-1)!;
    assert.match(last, /EXIT=130/, last);
    assert.ok(rowsOf(last).includes("ocidist: interrupted"), `"interrupted" on a line of its own:\n${last}`);
    assert.doesNotMatch(last, /^(?:total |[0-9a-f]{12} )/m, `no frame left behind:\n${last}`);
    checkFrames(shots, 80);
    assert.doesNotMatch(last, /\^C/, "the terminal's echo is cleared with the frame");
    assert.ok(!existsSync(out), "no output after an interrupt");
  });
});
