/**
 * A strict JSON reader for documents whose bytes are hashed and signed (manifests, indexes,
 * JWS headers). `JSON.parse` silently keeps the last of duplicate keys, so two readers can
 * see two different documents in the same bytes; this one refuses duplicate keys at every
 * level, refuses what RFC 8259 does not allow (invalid UTF-8 included), bounds nesting, and
 * reports where each member of the top-level object sits in the bytes (for the libtrust
 * JWS check in `src/schema1-jws.ts`).
 * @module
 */
import { MAX_JSON_DEPTH } from "./limits.js";

/** A member of the top-level object, with byte offsets into the document. */
export interface JsonMember {
  /** The key, decoded. */
  key: string;
  /** Offset of the key's opening quote. */
  keyStart: number;
  /** Offset just past the key's closing quote. */
  keyEnd: number;
  /** Offset of the value's first byte. */
  valueStart: number;
  /** Offset just past the value's last byte. */
  valueEnd: number;
}

/** A document read by {@link parseStrictJson}. */
export interface StrictJson {
  value: unknown;
  /** The members of the top-level object, in order (empty when it is not an object). */
  members: JsonMember[];
}

/** A document that is not strict JSON; the message says what and where. */
export class StrictJsonError extends Error {
  override name = "StrictJsonError";
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** Scans one document; offsets are byte offsets. */
class Scanner {
  pos = 0;
  readonly members: JsonMember[] = [];

  constructor(
    private readonly b: Uint8Array,
    private readonly maxDepth: number,
  ) {}

  fail(what: string): never {
    throw new StrictJsonError(`${what} at byte ${this.pos}`);
  }

  ws(): void {
    for (;;) {
      const c = this.b[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  value(depth: number): void {
    this.ws();
    const c = this.b[this.pos];
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x22) return void this.string(false);
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return this.number();
    for (const lit of ["true", "false", "null"]) {
      if (this.literal(lit)) return;
    }
    this.fail(c === undefined ? "unexpected end" : "unexpected character");
  }

  literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  digits(): number {
    const from = this.pos;
    while (this.pos < this.b.length && this.b[this.pos]! >= 0x30 && this.b[this.pos]! <= 0x39) this.pos++;
    return this.pos - from;
  }

  number(): void {
    if (this.b[this.pos] === 0x2d) this.pos++;
    if (this.b[this.pos] === 0x30) this.pos++;
    else if (!this.digits()) this.fail("bad number");
    if (this.b[this.pos] === 0x2e) {
      this.pos++;
      if (!this.digits()) this.fail("bad number");
    }
    if (this.b[this.pos] === 0x65 || this.b[this.pos] === 0x45) {
      this.pos++;
      if (this.b[this.pos] === 0x2b || this.b[this.pos] === 0x2d) this.pos++;
      if (!this.digits()) this.fail("bad number");
    }
  }

  /** Scans a string token; with `decode`, returns its value. */
  string(decode: boolean): string {
    const start = this.pos++;
    let escaped = false;
    for (;;) {
      const c = this.b[this.pos];
      if (c === undefined) this.fail("unterminated string");
      if (c < 0x20) this.fail("control character in string");
      this.pos++;
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = this.b[this.pos];
        if (e === 0x75) {
          for (let i = 1; i <= 4; i++) if (!isHex(this.b[this.pos + i])) this.fail("bad \\u escape");
          this.pos += 5;
        } else if (e !== undefined && ESCAPES.has(e)) this.pos++;
        else this.fail("bad escape");
      }
    }
    if (!decode) return "";
    const raw = Buffer.from(this.b.buffer, this.b.byteOffset + start, this.pos - start).toString("utf8");
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  object(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    this.pos++;
    const keys = new Set<string>();
    this.ws();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] !== 0x22) this.fail("expected a key");
      const keyStart = this.pos;
      const key = this.string(true);
      const keyEnd = this.pos;
      if (keys.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      keys.add(key);
      this.ws();
      if (this.b[this.pos] !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.ws();
      const valueStart = this.pos;
      this.value(depth);
      if (depth === 1) this.members.push({ key, keyStart, keyEnd, valueStart, valueEnd: this.pos });
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x7d) return;
      if (c !== 0x2c) this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    this.pos++;
    this.ws();
    if (this.b[this.pos] === 0x5d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth);
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x5d) return;
      if (c !== 0x2c) this.fail("expected ',' or ']'");
    }
  }
}

/**
 * Parses JSON strictly: valid UTF-8 without a byte order mark, RFC 8259 grammar, no
 * duplicate keys in any object, nesting at most `maxDepth` deep.
 * @throws StrictJsonError naming the first problem and its byte offset
 */
export function parseStrictJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): StrictJson {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new StrictJsonError("not valid UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) throw new StrictJsonError("starts with a byte order mark");
  const s = new Scanner(bytes, maxDepth);
  s.value(0);
  s.ws();
  if (s.pos !== bytes.length) s.fail("trailing content");
  return { value: JSON.parse(text) as unknown, members: s.members };
}
