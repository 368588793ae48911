/**
 * Consumer tools (skopeo, podman, umoci) that read ocidist's outputs back. A test that needs
 * one which is not installed is marked skipped, visibly, with the tool's name — never passed
 * silently; with `OCIDIST_REQUIRE_TOOLS=1` (CI) a missing tool fails the test instead.
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { TestContext } from "node:test";

/** True when `bin` is an executable on PATH. */
export function onPath(bin: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, bin)));
}

/**
 * True when `bin` is installed; otherwise marks the test skipped ("skopeo not installed") and
 * returns false, so the checks that need it are left out while ocidist's own checks still run.
 * @throws Error when the tool is missing and `OCIDIST_REQUIRE_TOOLS` is set.
 */
export function tool(t: TestContext, bin: string): boolean {
  if (onPath(bin)) return true;
  if (process.env.OCIDIST_REQUIRE_TOOLS) throw new Error(`${bin} not installed, and OCIDIST_REQUIRE_TOOLS is set`);
  t.skip(`${bin} not installed`);
  return false;
}
