/**
 * `ocidist completion bash|zsh|fish`: prints a completion script for the shell.
 * @module
 */
import { Argument, type Command } from "commander";
import { action } from "../cli/action.js";
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from "../cli/completion.js";
import { writeData } from "../cli/output.js";

/** Registers `completion`. */
export function register(program: Command): void {
  program
    .command("completion")
    .summary("print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .action(
      action(async (_ctx, shell: CompletionShell) => {
        await writeData(Buffer.from(completionScript(program, shell)));
      }),
    );
}
