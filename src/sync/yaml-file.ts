/**
 * Reading a YAML mirror file so that every problem can be told with its line and column:
 * the text is parsed with eemeli/yaml's failsafe schema (every scalar stays the string that
 * was written, so a tag `3.10` is not read as the number 3.1), and checks collect their
 * problems in one {@link Problems} list instead of stopping at the first.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { safeText } from "../util/text.js";

/** Problems found in one file, each `FILE:LINE:COLUMN: message`. */
export class Problems {
  readonly lines: string[] = [];
  constructor(
    readonly file: string,
    private readonly counter: LineCounter,
  ) {}

  /** `FILE:LINE:COLUMN` of a node (of the file's start when there is none). */
  where(node: Node | null | undefined): string {
    const { line, col } = this.counter.linePos(node?.range?.[0] ?? 0);
    return `${this.file}:${line}:${col}`;
  }

  /** Records a problem at `node`. */
  add(node: Node | null | undefined, message: string): void {
    this.lines.push(`${this.where(node)}: ${safeText(message)}`);
  }
}

/** A parsed file: its root node and the list its checks report to. */
export interface YamlFile {
  root: Node | null;
  problems: Problems;
}

/** Parses `text` (of `file`); syntax errors are recorded in the returned problems. */
export function parseYamlFile(file: string, text: string): YamlFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems = new Problems(file, counter);
  for (const err of doc.errors) {
    const { line, col } = counter.linePos(err.pos[0]);
    problems.lines.push(`${file}:${line}:${col}: ${safeText(err.message.split("\n")[0] ?? "")}`);
  }
  return { root: (doc.contents as Node | null) ?? null, problems };
}

/** A mapping node, else a problem (`what` names it) and undefined. */
export function mapAt(node: unknown, problems: Problems, what: string): YAMLMap<Node, Node> | undefined {
  if (isMap(node)) return node as YAMLMap<Node, Node>;
  problems.add(node as Node, `${what} must be a mapping`);
  return undefined;
}

/** A sequence node, else a problem and undefined. */
export function seqAt(node: unknown, problems: Problems, what: string): YAMLSeq<Node> | undefined {
  if (isSeq(node)) return node as YAMLSeq<Node>;
  problems.add(node as Node, `${what} must be a list`);
  return undefined;
}

/** A scalar's text, else a problem and undefined. */
export function textAt(node: unknown, problems: Problems, what: string): string | undefined {
  if (isScalar(node) && typeof node.value === "string") return node.value;
  problems.add(node as Node, `${what} must be a string`);
  return undefined;
}

/** `true`/`false` (YAML 1.2 core spellings), else a problem and undefined. */
export function boolAt(node: unknown, problems: Problems, what: string): boolean | undefined {
  const text = isScalar(node) && typeof node.value === "string" ? node.value : undefined;
  if (text !== undefined && /^(true|True|TRUE)$/.test(text)) return true;
  if (text !== undefined && /^(false|False|FALSE)$/.test(text)) return false;
  problems.add(node as Node, `${what} must be true or false`);
  return undefined;
}

/** The text of a mapping key (every key of a failsafe document is a scalar or a collection). */
export function keyText(pair: Pair<Node, Node>): string {
  return isScalar(pair.key) ? String(pair.key.value) : "";
}

/** The value of `key` in `map`, or undefined when the key is absent. */
export function valueAt(map: YAMLMap<Node, Node>, key: string): Node | undefined {
  return map.items.find((p) => keyText(p) === key)?.value as Node | undefined;
}

/** Records a problem for each key of `map` not in `known`. */
export function checkKeys(map: YAMLMap<Node, Node>, known: readonly string[], problems: Problems, where: string): void {
  for (const pair of map.items) {
    const k = keyText(pair);
    if (!known.includes(k)) problems.add(pair.key, `unknown key ${JSON.stringify(k)} in ${where} (known: ${known.join(", ")})`);
  }
}
