/**
 * The package version, read once from package.json.
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * This package's version (`ocidist --version`, User-Agent), from the package.json above:
 * three folders up from tsc's `dist/src/cli/version.js` or the bundle's
 * `dist/src/cli-bundle/cli.js`, four from a bundle chunk (`dist/src/cli-bundle/chunks/`).
 */
export const VERSION: string = (() => {
  for (const path of ["../../../package.json", "../../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "ocidist" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not this one.
    }
  }
  return "0.0.0";
})();
