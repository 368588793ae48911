/**
 * `ocidist script`: a POSIX sh script that performs a pull with only curl, sha256sum (or
 * `shasum -a 256`) and tar, pinned to the digests resolved now. It asks for a token the way
 * the registry announced, downloads the manifest and each blob by digest, verifies every
 * file before use, and assembles the same docker archive or OCI layout `pull` writes.
 * Credentials are read from the environment at run time, never written into the script.
 * Like `pull`, the script never touches an existing OUTPUT unless run with `--force`, builds
 * its output beside OUTPUT and renames it into place only at the end, and removes what it
 * built on any failure. Every value from the registry is validated and single-quoted.
 * @module
 */
import type { Challenge } from "../auth/challenge.js";
import { checkRealm } from "../auth/token.js";
import type { Descriptor } from "../model/descriptor.js";
import { parseDigest } from "../model/digest.js";
import { OcidistError } from "../model/errors.js";
import { blobPathInLayout, dockerArchiveNames, metadataFiles, OCI_LAYOUT_CONTENT, type DockerSaveEntry, type LayoutEntry } from "../targets/layout-files.js";
import type { ImageManifest } from "../model/manifest.js";
import { MANIFEST_ACCEPT } from "../model/media-types.js";

/** Output formats a script can produce. */
export type ScriptFormat = "docker-archive" | "oci" | "oci-archive";

/** Everything a script needs, resolved by the caller. */
export interface ScriptPlan {
  /** The reference as the user gave it, for the header comment. */
  reference: string;
  /** `https://host[:port]` or `http://…`. */
  base: string;
  repository: string;
  challenge?: Challenge;
  /** The index the reference named, if any (for the header). */
  index?: Descriptor;
  manifest: Descriptor;
  image: ImageManifest;
  format: ScriptFormat;
  /** The full reference (docker archive) or the ref name (layouts). */
  name?: string;
  generator: string;
}

/** Control, bidi and separator characters: never written into a script, not even quoted (they would reach a terminal). */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Refuses a value the script would have to hold that contains a control character. @throws OcidistError */
function showable(s: string, what: string): string {
  if (UNSHOWABLE.test(s)) throw new OcidistError(`refusing to write ${what} into a script: it contains control characters`);
  return s;
}

/** Quotes a string for sh: single quotes, with embedded ones closed and escaped. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A value for the script: checked by {@link showable}, then single-quoted. */
function word(s: string, what: string): string {
  return shQuote(showable(s, what));
}

/** A blob size from a manifest, as a plain decimal. @throws OcidistError */
function sizeOf(d: Descriptor): string {
  if (!Number.isSafeInteger(d.size) || d.size < 0) throw new OcidistError(`${d.digest}: size ${JSON.stringify(d.size)} is not a whole number of bytes`);
  return String(d.size);
}

function hexOf(digest: string): string {
  // The strict grammar leaves only `sha256:` and lowercase hex: safe as a bare sh word.
  const { algorithm, encoded } = parseDigest(digest);
  if (algorithm !== "sha256") throw new OcidistError(`script verifies with sha256 only; ${digest} uses ${algorithm}`);
  return encoded;
}

/** A digest after {@link hexOf} accepted it: `sha256:` and hex only, a safe bare word. */
function checkedDigest(digest: string): string {
  hexOf(digest);
  return digest;
}

/** The metadata files of the output (built as the archive writers build them), the blobs, and the tar members in order. */
export function outputFiles(plan: ScriptPlan): { files: { path: string; content: string }[]; blobs: Descriptor[]; members: string[] } {
  const { image, manifest } = plan;
  const blobs = [image.config, ...image.layers, manifest].filter((b, i, all) => all.findIndex((x) => x.digest === b.digest) === i);
  const names = plan.format === "docker-archive" ? dockerArchiveNames(plan.name) : undefined;
  const entry: LayoutEntry = names
    ? { descriptor: manifest, imageName: names.imageName, refName: names.refName }
    : { descriptor: manifest, ...(plan.name ? { refName: plan.name } : {}) };
  const save: DockerSaveEntry[] = [{ config: image.config, layers: image.layers, repoTags: names ? [names.familiar] : [] }];
  const files = [{ path: "oci-layout", content: OCI_LAYOUT_CONTENT }, ...metadataFiles(plan.format, [entry], save)];
  const members = ["oci-layout", ...blobs.map((b) => blobPathInLayout(b.digest)), ...files.slice(1).map((f) => f.path)];
  return { files, blobs, members };
}

/** Generates the script text. */
export function generateScript(plan: ScriptPlan): string {
  const { files, blobs, members } = outputFiles(plan);
  const ch = plan.challenge;
  const lines: string[] = [];
  const L = (s = "") => lines.push(s);
  const archive = plan.format !== "oci";
  L("#!/bin/sh");
  L(`# Pulls ${showable(plan.reference, "the reference")} with curl, sha256sum and tar only; generated by ${showable(plan.generator, "the generator")}.`);
  if (plan.index) L(`# Index:    ${checkedDigest(plan.index.digest)}`);
  L(`# Manifest: ${checkedDigest(plan.manifest.digest)}`);
  L(`# Output:   ${plan.format} (run: sh THIS_SCRIPT [--force] OUTPUT; --force replaces an existing OUTPUT)`);
  L("# Credentials, when needed: OCIDIST_USERNAME and OCIDIST_PASSWORD in the environment.");
  L("# Extra curl options (for instance --cacert FILE): OCIDIST_CURL_OPTS.");
  L("set -eu");
  L('die() { echo "script: $*" >&2; exit 1; }');
  L("FORCE=");
  L('if [ "${1:-}" = --force ]; then FORCE=1; shift; fi');
  L('[ $# -eq 1 ] || die "usage: sh script.sh [--force] OUTPUT"');
  L('OUT=$1');
  L('case $OUT in -*) OUT=./$OUT ;; esac');
  L('OUT_DIR=$(dirname "$OUT"); OUT_NAME=$(basename "$OUT")');
  L("# Never touch an existing OUTPUT without --force; an archive never replaces a directory.");
  L("check_out() {");
  L('  if [ -e "$OUT" ] || [ -L "$OUT" ]; then');
  L('    [ -n "$FORCE" ] || die "$OUT already exists (run with --force to replace it)"');
  if (archive) L('    if [ -d "$OUT" ] && [ ! -L "$OUT" ]; then die "$OUT is a directory; the archive would be a file"; fi');
  L("  fi");
  L("}");
  L("check_out");
  L(`BASE=${word(plan.base, "the registry URL")}`);
  L(`REPO=${word(plan.repository, "the repository")}`);
  L('CURL_OPTS=${OCIDIST_CURL_OPTS:-}');
  L("for tool in curl tar; do command -v \"$tool\" >/dev/null 2>&1 || die \"$tool is required\"; done");
  L("if command -v sha256sum >/dev/null 2>&1; then sha() { sha256sum \"$1\" | cut -d' ' -f1; }");
  L("elif command -v shasum >/dev/null 2>&1; then sha() { shasum -a 256 \"$1\" | cut -d' ' -f1; }");
  L('else die "sha256sum or shasum is required"; fi');
  L("WORK= STAGE= OLD=");
  L("# On any exit: remove what the script made; a replaced OUTPUT comes back unless the new one is in place.");
  L("cleanup() {");
  L('  [ -z "$WORK" ] || rm -rf "$WORK"');
  L('  [ -z "$STAGE" ] || rm -rf "$STAGE"');
  L('  [ -n "$OLD" ] || return 0');
  L('  if [ ! -e "$OUT" ] && [ ! -L "$OUT" ]; then mv "$OLD/$OUT_NAME" "$OUT" || { echo "script: the previous $OUT is kept in $OLD" >&2; return 0; }; fi');
  L('  rm -rf "$OLD"');
  L("}");
  L("trap cleanup EXIT");
  L("trap 'exit 130' INT TERM");
  L('WORK=$(mktemp -d "${TMPDIR:-/tmp}/ocidist-script.XXXXXX")');
  L('STAGE=$(mktemp -d "$OUT_DIR/.$OUT_NAME.ocidist-script.XXXXXX") || die "cannot create a temporary directory in $OUT_DIR"');
  L('creds() { if [ -n "${OCIDIST_USERNAME:-}" ]; then printf \'%s\\n\' "user = \\"$OCIDIST_USERNAME:${OCIDIST_PASSWORD:-}\\""; fi; }');
  L('AUTH_HEADER=""');
  if (ch?.scheme === "bearer" && ch.params.realm) {
    const realm = checkRealm(showable(ch.params.realm, "the token realm"), plan.base.startsWith("https:")).toString();
    const q = [`scope=${encodeURIComponent(`repository:${plan.repository}:pull`)}`];
    if (ch.params.service) q.unshift(`service=${encodeURIComponent(ch.params.service)}`);
    L(`TOKEN_URL=${word(`${realm}${realm.includes("?") ? "&" : "?"}${q.join("&")}`, "the token URL")}`);
    L("# curl reads credentials from a config on stdin, so they never show in the process list.");
    L('RESP=$(creds | curl -fsS $CURL_OPTS -K - "$TOKEN_URL") || die "token request failed"');
    L(`TOKEN=$(printf '%s' "$RESP" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')`);
    L(`[ -n "$TOKEN" ] || TOKEN=$(printf '%s' "$RESP" | sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')`);
    L('[ -n "$TOKEN" ] || die "no token in the token response"');
    L('case $TOKEN in *[!A-Za-z0-9._~+/=-]*) die "the token response holds unexpected characters" ;; esac');
    L('AUTH_HEADER="Authorization: Bearer $TOKEN"');
  }
  L("# fetch KIND DIGEST FILE: download by digest, then verify the sha256 before anything uses it.");
  L("fetch() {");
  L('  url="$BASE/v2/$REPO/$1/$2"');
  L(`  accept=${shQuote(MANIFEST_ACCEPT)}`);
  if (ch?.scheme === "basic") {
    L('  creds | curl -fsSL $CURL_OPTS -K - -H "Accept: $accept" -o "$3" "$url" || die "download of $2 failed"');
  } else {
    L('  if [ -n "$AUTH_HEADER" ]; then');
    L('    printf \'header = "%s"\\n\' "$AUTH_HEADER" | curl -fsSL $CURL_OPTS -K - -H "Accept: $accept" -o "$3" "$url" || die "download of $2 failed"');
    L("  else");
    L('    curl -fsSL $CURL_OPTS -H "Accept: $accept" -o "$3" "$url" || die "download of $2 failed"');
    L("  fi");
  }
  L('  got=$(sha "$3")');
  L('  [ "sha256:$got" = "$2" ] || die "digest mismatch for $2: got sha256:$got"');
  L("}");
  L('mkdir -p "$WORK/blobs/sha256"');
  for (const b of blobs) {
    const kind = b.digest === plan.manifest.digest ? "manifests" : "blobs";
    const hex = hexOf(b.digest);
    L(`fetch ${kind} ${b.digest} "$WORK/blobs/sha256/${hex}"`);
    L(`[ "$(wc -c < "$WORK/blobs/sha256/${hex}" | tr -d ' ')" = ${sizeOf(b)} ] || die "size mismatch for ${b.digest}"`);
  }
  for (const f of files) L(`printf '%s' ${word(f.content, f.path)} > "$WORK"/${word(f.path, "a file name")}`);
  const list = members.map((m) => word(m, "a file name")).join(" ");
  if (archive) L(`tar -cf "$STAGE/$OUT_NAME" -C "$WORK" ${list}`);
  else L(`mkdir "$STAGE/$OUT_NAME" && (cd "$WORK" && tar -cf - ${list}) | (cd "$STAGE/$OUT_NAME" && tar -xf -)`);
  L("# Swap into place: an OUTPUT being replaced (--force) is moved aside first, and removed only once the new one is there.");
  L("check_out");
  L('if [ -e "$OUT" ] || [ -L "$OUT" ]; then OLD=$(mktemp -d "$OUT_DIR/.$OUT_NAME.ocidist-old.XXXXXX"); mv "$OUT" "$OLD/"; fi');
  L('mv "$STAGE/$OUT_NAME" "$OUT"');
  L('echo "script: wrote $OUT" >&2');
  return `${lines.join("\n")}\n`;
}
