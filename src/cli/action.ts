/**
 * Wraps a command's implementation: builds its {@link CliContext}, turns Ctrl-C into a
 * cancellation, and maps failures to one line on stderr and an exit status.
 * @module
 */
import type { Command } from "commander";
import { CliContext } from "./context.js";
import { EXIT_INTERRUPTED, errorLine, exitStatusFor } from "./exit.js";
import { cleanupTemps } from "../util/atomic.js";
import { setMaxBlobSize } from "../model/limits.js";
import { note } from "./output.js";

/** A command implementation: positional arguments, then the command's own options, then the context. */
export type CommandImpl<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<void>;

/** Adapts an implementation to commander's `action` signature. */
export function action<A extends unknown[]>(impl: CommandImpl<A>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    let ctx: CliContext;
    try {
      ctx = new CliContext(command);
    } catch (err) {
      reportError(err, false);
      return;
    }
    let interrupted = false;
    const onSignal = () => {
      if (interrupted) process.exit(EXIT_INTERRUPTED);
      interrupted = true;
      ctx.controller.abort();
      // Whatever is still running gets a second to unwind; temporary files go now.
      void cleanupTemps().finally(() => setTimeout(() => process.exit(EXIT_INTERRUPTED), 1000).unref());
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const maxBlob = ctx.maxBlobSize;
      if (maxBlob !== undefined) setMaxBlobSize(maxBlob);
      await impl(ctx, ...(args.slice(0, -1) as A));
    } catch (err) {
      await cleanupTemps().catch(() => undefined);
      reportError(err, interrupted);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await ctx.close();
    }
  };
}

/** Prints a failure as one line on stderr (its stack too with `OCIDIST_DEBUG`) and sets the exit status. */
function reportError(err: unknown, interrupted = false): void {
  note(`ocidist: ${interrupted ? "interrupted" : errorLine(err)}`);
  if (process.env.OCIDIST_DEBUG && err instanceof Error) for (const l of (err.stack ?? "").split("\n")) note(l);
  process.exitCode = interrupted ? EXIT_INTERRUPTED : exitStatusFor(err);
}
