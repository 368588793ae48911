/**
 * Text for humans: terminal-safe spelling of untrusted strings, and byte counts. Pure
 * functions, below every floor that prints (the CLI's output module, the progress display).
 * @module
 */

/**
 * Characters that must not reach a terminal raw: C0 controls (ESC, BEL, CR, LF, TAB…), DEL,
 * C1 controls (U+0080–U+009F, among them CSI U+009B), the bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`, `\u202e`: a visible, inert spelling of one unsafe character. */
function spell(c: string): string {
  const code = c.charCodeAt(0);
  if (c === "\n") return "\\n";
  if (c === "\t") return "\\t";
  if (c === "\r") return "\\r";
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text fit for a terminal: every control, bidi and separator character (including line
 * breaks and tabs) replaced by a visible escape. Applying it twice changes nothing more.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, spell);
}

/** Formats a byte count for humans: `12.3 MB` (SI units, as registries' UIs show). */
export function formatBytes(n: number): string {
  if (n < 0) return "?";
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
