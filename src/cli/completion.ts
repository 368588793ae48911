/**
 * Shell completion scripts for bash, zsh and fish, generated from the command table itself
 * (every command, sub-command and option that `--help` lists), so they never drift from it.
 * @module
 */
import type { Command, Option } from "commander";

/** Shells a completion script can be written for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface Node {
  /** Words before this command, after the program's name (`hub tags` → ["hub", "tags"]). */
  path: string[];
  summary: string;
  options: string[];
  children: Node[];
}

function optionWords(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((w): w is string => !!w));
}

function tree(cmd: Command, path: string[]): Node {
  return {
    path,
    summary: cmd.summary() || cmd.description(),
    options: optionWords(cmd.options),
    children: cmd.commands.map((c) => tree(c, [...path, c.name()])),
  };
}

function walk(n: Node, visit: (n: Node) => void): void {
  visit(n);
  for (const c of n.children) walk(c, visit);
}

/** Single-quotes a word for sh-like shells. */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A one-line description safe inside any of the scripts. */
const clean = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, " ").replace(/[:\\]/g, " ").slice(0, 100);

/** The command paths below the program (`tags`, `hub`, `hub tags`…), quoted. */
function knownPaths(root: Node): string[] {
  const all: string[] = [];
  walk(root, (n) => {
    if (n.path.length) all.push(quote(n.path.join(" ")));
  });
  return all;
}

function bash(root: Node, globals: string[]): string {
  const cases: string[] = [];
  walk(root, (n) => {
    const words = [...n.children.map((c) => c.path.at(-1)!), ...n.options, ...globals];
    cases.push(`    ${quote(n.path.join(" "))}) words=${quote(words.join(" "))} ;;`);
  });
  return `# bash completion for ocidist: source it, or put it in /etc/bash_completion.d/ocidist
_ocidist() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" w words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    case "\${path:+$path }$w" in
      ${knownPaths(root).join("|")}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ocidist ocidist
`;
}

function zsh(root: Node, globals: string[]): string {
  const cases: string[] = [];
  walk(root, (n) => {
    const subs = n.children.map((c) => quote(`${c.path.at(-1)}:${clean(c.summary)}`));
    cases.push(`    ${quote(n.path.join(" "))}) subs=(${subs.join(" ")}); opts=(${[...n.options, ...globals].map(quote).join(" ")}) ;;`);
  });
  return `#compdef ocidist
# zsh completion for ocidist: put it on $fpath as _ocidist
_ocidist() {
  local path="" w i
  local -a subs opts known
  known=(${knownPaths(root).join(" ")})
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    [[ $w == -* ]] && continue
    (( \${known[(Ie)\${path:+$path }$w]} )) && path="\${path:+$path }$w"
  done
  case "$path" in
${cases.join("\n")}
  esac
  (( \${#subs} )) && _describe command subs
  compadd -- $opts
  _files
}
_ocidist "$@"
`;
}

function fish(root: Node, globals: string[]): string {
  const lines = ["# fish completion for ocidist: put it in ~/.config/fish/completions/ocidist.fish", "complete -c ocidist -f"];
  for (const g of globals.filter((o) => o.startsWith("--"))) lines.push(`complete -c ocidist -l ${g.slice(2)}`);
  walk(root, (n) => {
    const cond = n.path.length ? `__fish_seen_subcommand_from ${n.path.at(-1)}` : "__fish_use_subcommand";
    for (const c of n.children) lines.push(`complete -c ocidist -n ${quote(cond)} -a ${c.path.at(-1)} -d ${quote(clean(c.summary))}`);
    if (n.path.length) {
      for (const o of n.options.filter((w) => w.startsWith("--"))) lines.push(`complete -c ocidist -n ${quote(cond)} -l ${o.slice(2)}`);
      lines.push(`complete -c ocidist -n ${quote(cond)} -F`);
    }
  });
  return `${lines.join("\n")}\n`;
}

/** The completion script for `shell`, for the program `program` (with every command registered). */
export function completionScript(program: Command, shell: CompletionShell): string {
  const root = tree(program, []);
  const globals = optionWords(program.options);
  root.options = [];
  switch (shell) {
    case "bash":
      return bash(root, globals);
    case "zsh":
      return zsh(root, globals);
    case "fish":
      return fish(root, globals);
  }
}
