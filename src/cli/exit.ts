/**
 * Mapping errors to one line on stderr and an exit status: 2 for usage errors, 130 for an
 * interrupt, 1 for everything else (CLI.md "Exit status and errors").
 * @module
 */
import { CommanderError } from "commander";
import { AbortedError, UsageError } from "../model/errors.js";

/** Exit status for a usage error (unknown option, malformed reference or platform). */
export const EXIT_USAGE = 2;
/** Exit status for any other failure. */
export const EXIT_FAILURE = 1;
/** Exit status after Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** The exit status an error calls for. */
export function exitStatusFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof AbortedError) return EXIT_INTERRUPTED;
  if (err instanceof CommanderError && err.code.startsWith("commander.")) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** One line describing an error: its message, flattened, with the cause's reason when it adds one. */
export function errorLine(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  let msg = (e?.message ?? String(err)).replace(/\s+/g, " ").trim();
  const cause = e?.cause?.code ?? e?.cause?.message;
  if (cause && !msg.includes(cause) && !(err instanceof UsageError)) msg = `${msg} (${String(cause).replace(/\s+/g, " ").slice(0, 200)})`;
  return msg;
}
