/**
 * The package version, read once from package.json.
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * This package's version (`ocidist --version`, User-Agent), from the package.json two
 * folders up (`dist/src/cli.bundle.js`) or three (`dist/src/cli/version.js`).
 */
export const VERSION: string = (() => {
  for (const path of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "ocidist" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not this one.
    }
  }
  return "0.0.0";
})();
