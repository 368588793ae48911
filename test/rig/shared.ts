/**
 * The rig for a test file: the one the runner started (its description in the file named by
 * `OCIDIST_RIG`), or one started for this process alone and stopped at exit.
 */
import { readFileSync } from "node:fs";
import { startRig, type Rig, type RigInfo } from "./rig.js";

let shared: Promise<RigInfo> | undefined;

/** The rig's description, starting one when the runner did not. */
export function getRig(): Promise<RigInfo> {
  shared ??= (async () => {
    const file = process.env.OCIDIST_RIG;
    if (file) return JSON.parse(readFileSync(file, "utf8")) as RigInfo;
    const rig: Rig = await startRig();
    process.once("exit", () => {
      void rig.stop();
    });
    const { issuer: _i, stop: _s, ...info } = rig;
    return info;
  })();
  return shared;
}
