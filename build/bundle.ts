/**
 * The build's second step (after `tsc`): the CLI bundled into one file with esbuild, so
 * that a command starts by reading one file instead of resolving and compiling ~200
 * modules. `dist/src/cli.js` (the package's `bin`) becomes a small entry that turns on
 * Node's compile cache where the running Node has it (22.1+) and then imports the bundle,
 * `dist/src/cli-bundle/cli.js`, which loads the chunk of the command named; the cache then
 * holds the bundle's compiled code. The library
 * (`dist/src/index.js` and the rest of tsc's output) stays as tsc wrote it.
 *
 * undici stays outside the bundle: src/http/undici.ts loads its parts by path at run
 * time, from the package's own dependency.
 * @module
 */
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const out = join(root, "dist", "src");

/** The `bin` entry: compile cache on (guarded for Node 20), then the bundle. */
const ENTRY = `#!/usr/bin/env node
// The ocidist CLI. Built by build/bundle.ts: the code is in cli-bundle/.
import module from "node:module";
try {
  module.enableCompileCache?.();
} catch {
  // A cache directory that cannot be written only costs start-up time.
}
try {
  await import("./cli-bundle/cli.js");
} catch (err) {
  // A bundle that cannot load (missing, or too new for this Node): one line, no stack trace.
  const text = String(err?.message ?? err).split("\\n")[0].replace(/[\\u0000-\\u001f\\u007f-\\u009f]/g, "?");
  process.stderr.write(\`ocidist: cannot start: \${text}\\n\`);
  process.exitCode = 1;
}
`;

/** CommonJS dependencies bundled into ESM call \`require\` for Node's own modules. */
const BANNER = `import { createRequire as __ocidistCreateRequire } from "node:module";
const require = __ocidistCreateRequire(import.meta.url);`;

async function main(): Promise<void> {
  // Chunk names carry a content hash: without this, every build would leave the last
  // build's chunks beside the new ones (and in the package).
  await rm(join(out, "cli-bundle"), { recursive: true, force: true });
  await build({
    entryPoints: [join(root, "src", "cli.ts")],
    // One chunk per command module (cli.ts imports them dynamically) and shared chunks: a
    // command parses only the code it runs (on Node 20, without a compile cache, parsing
    // the whole CLI was ~45 ms of every start).
    outdir: join(out, "cli-bundle"),
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["undici"],
    banner: { js: BANNER },
    // Half the bytes to read and parse at every start; class names kept for error lines.
    minify: true,
    keepNames: true,
    legalComments: "eof",
    logLevel: "warning",
  });
  // tsc's cli.js would load the modules one by one; the bundle replaces it.
  await rm(join(out, "cli.js"), { force: true });
  await rm(join(out, "cli.bundle.js"), { force: true });
  await writeFile(join(out, "cli.js"), ENTRY, { mode: 0o755 });
}

await main();
