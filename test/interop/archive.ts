/**
 * Docker archives as other producers write them (docker before 25, podman, skopeo): a
 * `manifest.json`, a config and layer files, no OCI layout inside; layers stored plain,
 * gzip or zstd. Made with the system's tar and zstd, so the bytes are not ocidist's.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a docker archive of one single-layer image at `dir/archive.tar`, its layer a tar
 * of a root filesystem made by `populate` (default: one file); returns its path and the diff ID.
 */
export function dockerArchive(dir: string, name: string, compression: "none" | "gzip" | "zstd", populate?: (root: string) => void): { path: string; diffId: string } {
  const root = join(dir, "rootfs");
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc", "hello"), `hello from a ${compression} layer\n`);
  populate?.(root);
  const work = join(dir, "archive");
  mkdirSync(work);
  execFileSync("tar", ["-cf", join(work, "layer.tar"), "--numeric-owner", "--owner=0", "--group=0", "-C", root, "."]);
  const diffId = `sha256:${createHash("sha256").update(readFileSync(join(work, "layer.tar"))).digest("hex")}`;
  let file = "layer.tar";
  if (compression === "gzip") {
    execFileSync("gzip", ["-n", join(work, "layer.tar")]);
    file = "layer.tar.gz";
  } else if (compression === "zstd") {
    execFileSync("zstd", ["-q", "--rm", join(work, "layer.tar")]);
    file = "layer.tar.zst";
  }
  const config = { architecture: "amd64", os: "linux", config: { Cmd: ["/bin/sh"] }, rootfs: { type: "layers", diff_ids: [diffId] }, history: [{ created: "2024-01-01T00:00:00Z" }] };
  writeFileSync(join(work, "config.json"), JSON.stringify(config));
  writeFileSync(join(work, "manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [name], Layers: [file] }]));
  const path = join(dir, "archive.tar");
  execFileSync("tar", ["-cf", path, "-C", work, "manifest.json", "config.json", file]);
  return { path, diffId };
}
