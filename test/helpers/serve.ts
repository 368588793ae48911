/**
 * Running `ocidist serve` in tests: as the CLI (a child process, ready when it prints
 * `listening on URL`) and `curl` against any registry, with the answer's status, headers
 * and body.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, isolatedEnv, tempDir } from "./cli.js";

/** A registry served by the CLI. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  /** Everything printed on stderr so far. */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `ocidist serve DIR ARGS` on a free port. */
export function startServe(dir: string, args: string[] = []): Promise<ServeProcess> {
  const home = tempDir("ocidist-home-");
  const child = spawn(process.execPath, [CLI, "serve", dir, "--address", "127.0.0.1:0", ...args], { env: isolatedEnv(home), stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) {
        const url = m[1]!;
        resolve({
          child,
          url,
          host: new URL(url).host,
          stderr: () => err,
          stop: async (signal = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`ocidist serve exited ${code}: ${err}`)));
  });
}

/** One HTTP answer seen by curl. */
export interface CurlAnswer {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** `curl -s ARGS URL`, never failing on an HTTP error status. */
export function curl(url: string, args: string[] = []): Promise<CurlAnswer> {
  const bodyFile = join(tempDir("ocidist-curl-"), "body");
  return new Promise((resolve, reject) => {
    execFile("curl", ["-s", "-S", "-D", "-", "-o", bodyFile, ...args, url], { maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error && !stdout) {
        reject(error);
        return;
      }
      const blocks = stdout.split(/\r?\n\r?\n/).filter((b) => b.startsWith("HTTP/"));
      const last = blocks[blocks.length - 1] ?? "";
      const [statusLine, ...lines] = last.split(/\r?\n/);
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = Buffer.alloc(0);
      try {
        body = readFileSync(bodyFile);
      } catch {
        /* no body */
      }
      resolve({ status: Number(statusLine?.split(" ")[1]), headers, body, text: body.toString("utf8") });
    });
  });
}

/** The first error code of a spec error body. */
export function errorCode(a: CurlAnswer): string | undefined {
  try {
    return (JSON.parse(a.text) as { errors?: { code?: string }[] }).errors?.[0]?.code;
  } catch {
    return undefined;
  }
}
