/**
 * A small valid image served by a hostile registry, for attacks that need the rest of the
 * pull to work: the attack is in one field, everything else is genuine.
 */
import { image, layer, type Image } from "../rig/build.js";
import type { HostileRegistry } from "./registry.js";

/** Builds an image (options as the rig's `image`) and serves it under `repo` at `tag` and at its digest. */
export async function serveImage(reg: HostileRegistry, repo: string, tag: string, opts: Parameters<typeof image>[1] = {}): Promise<Image> {
  const img = image([await layer([{ name: "hello.txt", content: "hello\n" }])], opts);
  reg.manifest(repo, [tag, img.manifest.digest], img.manifest.bytes, img.manifest.mediaType);
  reg.blob(repo, img.config.bytes);
  for (const l of img.layers) reg.blob(repo, l.bytes);
  return img;
}

/** Control, bidi and separator characters that must never reach a terminal raw (LF and TAB excepted: they separate lines and fields). */
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A string carrying every kind of terminal attack: an OSC title change, BEL, CSI as C1, a bidi override, a line break. */
export const EVIL = "x\u001b]0;pwned\u0007\u009b2J\u202egnp.exe\u2066\nFAKE LINE\r";
