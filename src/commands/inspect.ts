/**
 * `ocidist inspect LOCATION`: a readable summary, or `--json` for one document.
 * @module
 */
import type { Command } from "commander";
import { inspect, type InspectResult } from "../ops/inspect.js";
import { action } from "../cli/action.js";
import { formatBytes, printJson, printLines } from "../cli/output.js";
import { LOCATION_HELP, withSource } from "../cli/locations.js";

/** Renders an inspection as aligned lines of text. */
export function renderInspect(r: InspectResult): string[] {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${`${k}:`.padEnd(14)}${v}`);
  row("Reference", r.reference);
  row("Digest", r.digest);
  row("Media type", r.mediaType);
  row("Size", `${r.size} B`);
  if (r.platforms) {
    lines.push("Platforms:");
    for (const p of r.platforms) {
      lines.push(`  ${(p.attestation ? `${p.platform} (attestation)` : p.platform).padEnd(28)} ${p.digest}  ${formatBytes(p.size)}`);
    }
  }
  const img = r.image;
  if (img) {
    if (r.platforms) {
      lines.push("");
      row("Image", img.digest);
    }
    row("Platform", img.platform);
    if (img.artifactType) row("Artifact type", img.artifactType);
    if (img.created) row("Created", img.created);
    if (img.config) row("Config", `${img.config.digest}  ${formatBytes(img.config.size)}`);
    lines.push(`Layers (${img.layers.length}, ${img.totalSize >= 0 ? formatBytes(img.totalSize) : "size unknown"}):`);
    for (const l of img.layers) lines.push(`  ${l.digest}  ${formatBytes(l.size).padStart(9)}${l.title ? `  ${l.title}` : ""}`);
    if (img.env.length) {
      lines.push("Env:");
      for (const e of img.env) lines.push(`  ${e}`);
    }
    if (img.entrypoint.length) row("Entrypoint", JSON.stringify(img.entrypoint));
    if (img.cmd.length) row("Cmd", JSON.stringify(img.cmd));
    if (img.workingDir) row("WorkingDir", img.workingDir);
    if (img.user) row("User", img.user);
    const labels = Object.entries(img.labels);
    if (labels.length) {
      lines.push("Labels:");
      for (const [k, v] of labels) lines.push(`  ${k}=${v}`);
    }
  }
  return lines;
}

/** Registers `inspect`. */
export function register(program: Command): void {
  program
    .command("inspect")
    .summary("summarise an image or index: digest, platforms, layers, env, cmd, labels")
    .argument("<location>", LOCATION_HELP)
    .action(
      action(async (ctx, text: string) => {
        const result = await withSource(ctx, text, ({ target, ref, name }) => inspect(target, ref, ctx.requestedPlatform, ctx.signal, name));
        if (ctx.opts.json) await printJson(result);
        else await printLines(renderInspect(result));
      }),
    );
}
