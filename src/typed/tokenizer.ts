/**
 * A pull tokenizer over the data of one IMAP response, in imaplib's shape: the text of the
 * response with each `{N}` literal supplied as the second half of a `[header, literal]` pair.
 *
 * Methods are named after the RFC 3501 section 9 productions they read (`nstring`, `number`,
 * `atom`); every reader first skips spaces, so a missing or doubled space between tokens is
 * tolerated. Bytes stay bytes: strings come back as `Uint8Array` views (no copy unless a quoted
 * string has `\` escapes), text is decoded by the caller where the RFC says text.
 *
 * @module
 */

import type { ResponseParts } from "./data.ts";
import { TypedParseError } from "./errors.ts";
import { knownAttName, systemFlag } from "./known_atoms.ts";
import { latin1, utf8Range, utf8Text } from "./text.ts";
import { type FetchAttName, type ImapValue, MAX_DEPTH } from "./tokens.ts";

const EMPTY = new Uint8Array(0);
// One decode per text piece, then string slices: much cheaper than a string per token. ASCII
// bytes read the same in any decoder; the UTF-8 one is the fastest (on Deno 2.9 about three
// times faster than "latin1", which is windows-1252 there).
const ASCII = new TextDecoder();

const SP = 0x20;
const QUOTE = 0x22;
const OPEN = 0x28;
const CLOSE = 0x29;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LESS = 0x3c;
const GREATER = 0x3e;
const TILDE = 0x7e;

// 1: byte may appear in an atom (tolerant: 8-bit bytes, `\`, `%`, `*`, `[`, `]` too; not SP,
// CTL, `(`, `)`, `{`, `"`). 2: also ends a FETCH item name (`[`, `<`).
const ATOM = new Uint8Array(256);
for (let b = 0x21; b < 256; b++) ATOM[b] = 1;
for (const b of [0x7f, OPEN, CLOSE, OPEN_BRACE, QUOTE]) ATOM[b] = 0;
ATOM[OPEN_BRACKET] = ATOM[LESS] = 2;

/**
 * Reads the tokens of one response (RFC 3501 section 9 productions), literals included.
 *
 * Pull style: call the reader for the production expected next; each skips spaces first.
 * Readers that find something else throw {@linkcode TypedParseError} with the byte offset.
 *
 * @example Reading a STATUS response by hand
 * ```ts
 * import { ImapTokenizer } from "@imaplib/imaplib";
 * const tok = ImapTokenizer.fromBytes(new TextEncoder().encode('"INBOX" (MESSAGES 3)'));
 * const name = tok.nstring();            // Uint8Array "INBOX"
 * tok.expect(0x28);                      // "("
 * console.assert(tok.atom() === "MESSAGES" && tok.number() === 3 && tok.listEnd());
 * console.assert(name !== null && name.length === 5);
 * ```
 */
export class ImapTokenizer {
  #texts: Uint8Array[];
  #literals: Uint8Array[];
  #segment = 0;
  #buf: Uint8Array;
  #pos = 0;
  #base = 0;
  #response: number;
  // The current text piece as a string (one char per byte), made on first use, and whether the
  // piece is all ASCII (then any slice of it is the text of those bytes).
  #line: string | null = null;
  #lineStart = 0;
  #lineAscii = false;

  /**
   * A tokenizer at the start of one response.
   * @param parts One response's text and literals (see {@linkcode splitResponses}).
   * @param response The response's index in its data, reported in errors.
   */
  constructor(parts: ResponseParts, response = 0) {
    this.#texts = parts.texts;
    this.#literals = parts.literals;
    this.#buf = parts.texts[0] ?? EMPTY;
    this.#response = response;
  }

  /**
   * A tokenizer over bytes without literals.
   * @param bytes The response text.
   * @returns A tokenizer at offset 0.
   */
  static fromBytes(bytes: Uint8Array): ImapTokenizer {
    return new ImapTokenizer({ texts: [bytes], literals: [] });
  }

  /** Byte offset of the next token within the response (literals counted). */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /**
   * Throws a {@linkcode TypedParseError} at the current offset.
   * @param message What was expected.
   * @throws {TypedParseError} always.
   */
  fail(message: string): never {
    throw new TypedParseError(
      `Cannot parse response: ${message} at offset ${this.offset}`,
      this.offset,
      this.#response,
    );
  }

  // The text of bytes [start, end) of the current piece: a slice of the piece's string when those
  // bytes are ASCII, else UTF-8 (windows-1252 fallback). The string starts at the first text
  // asked for, and what comes before it is read without text. Texts kept from it are slices that
  // keep it alive (a mailbox name of LIST); the envelope, made by the thousand, decodes the texts
  // it keeps into strings of their own instead (envelope.ts).
  #text(start: number, end: number): string {
    const buf = this.#buf;
    if (this.#line === null || start < this.#lineStart) {
      // ASCII lines the fast way, their ASCII-ness checked natively: bytes that are not all
      // ASCII decode to fewer chars (UTF-8 sequences) or to U+FFFD (anything else). 8-bit lines
      // as ISO-8859-1 (a one-byte string: the ASCII slices taken from it stay one-byte strings,
      // which keeps string code monomorphic).
      const rest = start === 0 ? buf : buf.subarray(start);
      const line = ASCII.decode(rest);
      this.#lineAscii = line.length === rest.length && line.indexOf("\ufffd") === -1;
      this.#line = this.#lineAscii ? line : latin1(rest);
      this.#lineStart = start;
    }
    if (!this.#lineAscii) {
      for (let i = start; i < end; i++) {
        if (buf[i] >= 0x80) return utf8Range(buf, start, end);
      }
    }
    const at = this.#lineStart;
    return this.#line.slice(start - at, end - at);
  }

  // Where the quoted string whose content starts at `start` ends (its closing `"`) if it has no
  // `\` escape, -1 otherwise (escaped, or not closed in this piece). A loop of bytes: the builtin
  // `indexOf()` is a C++ call that costs more than the whole loop on short strings once optimized.
  #plainQuoteEnd(start: number): number {
    const buf = this.#buf;
    let end = start;
    while (end < buf.length && buf[end] !== QUOTE && buf[end] !== BACKSLASH) end++;
    return buf[end] === QUOTE ? end : -1;
  }

  /** Skips spaces; returns the next byte without consuming it, or -1 at the end of the text. */
  peek(): number {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length && buf[pos] === SP) pos++;
    this.#pos = pos;
    return pos < buf.length ? buf[pos] : -1;
  }

  /** Whether nothing but spaces is left in the whole response. */
  atEnd(): boolean {
    return this.peek() === -1 && this.#segment >= this.#literals.length;
  }

  /**
   * Consumes `byte` (after spaces) or throws.
   * @param byte The expected byte, e.g. `0x28` for `(`.
   * @throws {TypedParseError} when the next byte differs.
   */
  expect(byte: number): void {
    if (this.peek() !== byte) this.fail(`expected ${JSON.stringify(String.fromCharCode(byte))}`);
    this.#pos++;
  }

  /** Consumes `(` if it comes next; returns whether it did. */
  listStart(): boolean {
    if (this.peek() !== OPEN) return false;
    this.#pos++;
    return true;
  }

  /** Consumes `)` if it comes next; returns whether it did. */
  listEnd(): boolean {
    if (this.peek() !== CLOSE) return false;
    this.#pos++;
    return true;
  }

  /**
   * Consumes `NIL` (any case) if it comes next as a whole atom; returns whether it did.
   */
  nil(): boolean {
    const c = this.peek();
    if (c !== 0x4e && c !== 0x6e) return false;
    const buf = this.#buf;
    const pos = this.#pos;
    if (
      (buf[pos + 1] | 0x20) === 0x69 && (buf[pos + 2] | 0x20) === 0x6c &&
      (pos + 3 >= buf.length || ATOM[buf[pos + 3]] === 0)
    ) {
      this.#pos = pos + 3;
      return true;
    }
    return false;
  }

  /**
   * Reads a `number` (RFC 3501: 1*DIGIT; 32 bits in RFC 3501, up to 2^63 for RFC 9051's
   * `number64`) as a JavaScript number.
   * @param max The largest value taken: `0xffffffff` for RFC 3501's 32-bit numbers
   *   (sequence numbers, UIDs, counts); 2^53 - 1 by default, for sizes (`number64`).
   * @throws {TypedParseError} when no digit comes next, or for a number above `max`.
   */
  number(max: number = Number.MAX_SAFE_INTEGER): number {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length && buf[pos] === SP) pos++;
    const start = pos;
    let n = 0;
    while (pos < buf.length) {
      const d = buf[pos] - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      pos++;
    }
    if (pos === start || n > max) {
      this.#pos = start;
      this.fail(pos === start ? "expected a number" : "number too large");
    }
    this.#pos = pos;
    return n;
  }

  /**
   * Reads a `number64` (RFC 4551 mod-sequence, Gmail's X-GM-MSGID) as a bigint.
   * @throws {TypedParseError} when no digit comes next.
   */
  bigNumber(): bigint {
    this.peek();
    const buf = this.#buf;
    const start = this.#pos;
    let pos = start;
    while (pos < buf.length && buf[pos] >= 0x30 && buf[pos] <= 0x39) pos++;
    if (pos === start) this.fail("expected a number");
    this.#pos = pos;
    return BigInt(latin1(buf.subarray(start, pos)));
  }

  /**
   * Reads an atom's bytes (tolerant: 8-bit bytes, `\`, `*`, `[`, `]` included).
   * @param stopAtBracket Stop at `]` (inside a `[CODE ...]` response code).
   * @throws {TypedParseError} when no atom character comes next.
   */
  atomBytes(stopAtBracket = false): Uint8Array {
    this.peek();
    const buf = this.#buf;
    const start = this.#pos;
    let pos = start;
    while (pos < buf.length && ATOM[buf[pos]] !== 0) {
      if (stopAtBracket && buf[pos] === CLOSE_BRACKET) break;
      pos++;
    }
    if (pos === start) this.fail("expected an atom");
    this.#pos = pos;
    return buf.subarray(start, pos);
  }

  /**
   * Reads an atom as a string (8-bit bytes read as UTF-8, windows-1252 if not valid UTF-8).
   * @param stopAtBracket Stop at `]` (inside a `[CODE ...]` response code).
   * @throws {TypedParseError} when no atom character comes next.
   */
  atom(stopAtBracket = false): string {
    this.peek();
    const start = this.#pos;
    const end = start + this.atomBytes(stopAtBracket).length;
    return this.#text(start, end);
  }

  /**
   * Reads an `nstring`: a quoted string (escapes undone), a literal (`{N}`, `{N+}`, or `~{N}`
   * from RFC 3516), or `NIL` (returns `null`). Tolerant: an atom where a string is due is taken
   * as the string (servers that skip quoting plain words in lists).
   * @throws {TypedParseError} for an unterminated quoted string, a `{N}` with no literal, or
   *   no string at all.
   */
  nstring(): Uint8Array | null {
    const c = this.peek();
    if (c === QUOTE) return this.#quoted();
    if (c === OPEN_BRACE || (c === TILDE && this.#buf[this.#pos + 1] === OPEN_BRACE)) {
      return this.#literal();
    }
    if (this.nil()) return null;
    if (c === -1 || ATOM[c] === 0) this.fail("expected a string");
    return this.atomBytes();
  }

  /**
   * Reads an `nstring` like {@linkcode ImapTokenizer.nstring}, as text: UTF-8 (RFC 6855, and the
   * raw 8-bit bytes some servers pass through), windows-1252 for bytes that are not valid UTF-8.
   * @throws {TypedParseError} as {@linkcode ImapTokenizer.nstring} does.
   */
  nstringText(): string | null {
    const c = this.peek();
    if (c === QUOTE) {
      const start = this.#pos + 1;
      const end = this.#plainQuoteEnd(start);
      if (end !== -1) {
        this.#pos = end + 1;
        return this.#text(start, end);
      }
    } else if (c !== OPEN_BRACE && c !== TILDE && c !== -1 && ATOM[c] !== 0) {
      return this.nil() ? null : this.atom();
    }
    const bytes = this.nstring();
    return bytes === null ? null : utf8Text(bytes);
  }

  /**
   * Internal (mailbox names): a quoted 7-bit string without escapes as text, consumed; or null.
   * @ignore
   */
  asciiQuoted(): string | null {
    const start = this.peek() === QUOTE ? this.#pos + 1 : -1;
    const end = start === -1 ? -1 : this.#plainQuoteEnd(start);
    if (end === -1) return null;
    for (let i = start; i < end; i++) if (this.#buf[i] >= 0x80) return null;
    this.#pos = end + 1;
    return this.#text(start, end);
  }

  /**
   * Reads an `nstring` as {@linkcode ImapTokenizer.nstring} does and hands its bytes to `read`
   * in place: a quoted string without escapes is read where it lies in the response, with no
   * string or copy made (dates, numbers in strings). `NIL` gives `null` without calling `read`.
   *
   * @param read Called once with the bytes and the string's `[start, end)` within them; must be
   *   done with the bytes when it returns (they are the response's).
   * @returns What `read` returned, or `null` for `NIL`.
   * @throws {TypedParseError} as {@linkcode ImapTokenizer.nstring} does.
   *
   * @example The length of a quoted string
   * ```ts
   * import { ImapTokenizer } from "@imaplib/imaplib";
   * const tok = ImapTokenizer.fromBytes(new TextEncoder().encode('"abc" NIL'));
   * const length = (_: Uint8Array, start: number, end: number) => end - start;
   * console.assert(tok.nstringWith(length) === 3 && tok.nstringWith(length) === null);
   * ```
   */
  nstringWith<T>(read: (bytes: Uint8Array, start: number, end: number) => T): T | null {
    if (this.peek() === QUOTE) {
      const buf = this.#buf;
      const start = this.#pos + 1;
      const end = this.#plainQuoteEnd(start);
      if (end !== -1) {
        this.#pos = end + 1;
        return read(buf, start, end);
      }
    }
    const bytes = this.nstring();
    return bytes === null ? null : read(bytes, 0, bytes.length);
  }

  /**
   * Reads an `astring` (RFC 3501: atom, quoted string or literal) as text, as
   * {@linkcode ImapTokenizer.nstringText} does; `NIL` here is the atom `"NIL"` (a keyword or
   * mailbox of that name), not nothing.
   * @throws {TypedParseError} for an unterminated quoted string, a `{N}` with no literal, or
   *   no string at all.
   */
  astringText(): string {
    const c = this.peek();
    if (
      c === QUOTE || c === OPEN_BRACE || (c === TILDE && this.#buf[this.#pos + 1] === OPEN_BRACE)
    ) {
      return this.nstringText()!;
    }
    if (c === -1 || ATOM[c] === 0) this.fail("expected a string");
    return this.atom();
  }

  #quoted(): Uint8Array {
    const buf = this.#buf;
    const start = this.#pos + 1;
    const end = this.#plainQuoteEnd(start);
    if (end !== -1) {
      this.#pos = end + 1;
      return buf.subarray(start, end);
    }
    // Slow path: undo `\"` and `\\` (tolerant: `\x` is `x` for any x).
    const out = new Uint8Array(buf.length - start);
    let n = 0;
    for (let pos = start; pos < buf.length; pos++) {
      let b = buf[pos];
      if (b === QUOTE) {
        this.#pos = pos + 1;
        return out.subarray(0, n);
      }
      if (b === BACKSLASH && pos + 1 < buf.length) b = buf[++pos];
      out[n++] = b;
    }
    return this.fail("unterminated quoted string");
  }

  #literal(): Uint8Array {
    const buf = this.#buf;
    let pos = this.#pos + (buf[this.#pos] === TILDE ? 2 : 1);
    const digits = pos;
    while (pos < buf.length && buf[pos] >= 0x30 && buf[pos] <= 0x39) pos++;
    if (pos === digits) this.fail("expected a literal size");
    if (buf[pos] === 0x2b) pos++; // `{N+}` (RFC 7888), as a client would send it
    if (buf[pos] !== CLOSE_BRACE) this.fail('expected "}"');
    pos++;
    if (pos !== buf.length) this.fail("literal size not at the end of its line");
    if (this.#segment >= this.#literals.length) this.fail("literal size with no literal");
    // The decoder framed the literal by its `{N}`: its bytes are taken as they are.
    const literal = this.#literals[this.#segment];
    this.#base += buf.length + literal.length;
    this.#buf = this.#texts[++this.#segment] ?? EMPTY;
    this.#pos = 0;
    this.#line = null;
    return literal;
  }

  /**
   * Reads any value (see {@linkcode ImapValue}): atom, number, string, literal, NIL or list.
   * @param depth Current list nesting (readers pass theirs on).
   * @throws {TypedParseError} for malformed input or nesting deeper than {@linkcode MAX_DEPTH}.
   */
  value(depth = 0): ImapValue {
    const c = this.peek();
    if (c === OPEN) {
      if (depth >= MAX_DEPTH) this.fail("lists nested too deep");
      this.#pos++;
      const list: ImapValue[] = [];
      while (!this.listEnd()) {
        if (this.peek() === -1) this.fail('expected ")"');
        list.push(this.value(depth + 1));
      }
      return list;
    }
    if (c === QUOTE || c === OPEN_BRACE || c === TILDE) return this.nstring();
    if (this.nil()) return null;
    if (c === -1 || c === CLOSE) this.fail("expected a value");
    return this.#atomLike();
  }

  // An atom, tolerating `BODY[...]`-style brackets (with spaces inside) as in `[...]` sections.
  #atomLike(): string {
    const buf = this.#buf;
    const start = this.#pos;
    let pos = start;
    while (pos < buf.length && ATOM[buf[pos]] !== 0) {
      if (buf[pos] === OPEN_BRACKET) pos = this.#sectionEnd(pos);
      pos++;
    }
    if (pos === start) this.fail("expected an atom");
    this.#pos = pos;
    return this.#text(start, pos);
  }

  /** Skips one value of any shape. */
  skipValue(): void {
    this.value();
  }

  // Index of the `]` that closes the `[` at `open`, skipping quoted strings; the line's end if
  // there is none.
  #sectionEnd(open: number): number {
    const buf = this.#buf;
    let pos = open + 1;
    while (pos < buf.length && buf[pos] !== CLOSE_BRACKET) {
      if (buf[pos] === QUOTE) {
        pos++;
        while (pos < buf.length && buf[pos] !== QUOTE) pos += buf[pos] === BACKSLASH ? 2 : 1;
      }
      pos++;
    }
    return Math.min(pos, buf.length);
  }

  /**
   * Reads a FETCH item name (RFC 3501 `msg-att` keys): `UID`, `BODY[HEADER.FIELDS (SUBJECT)]`,
   * `BINARY[1]<0>`... The name is upper-cased (tolerating servers that echo the client's
   * lower-case `body[]`), the section is kept as sent.
   * @throws {TypedParseError} when no name comes next or a `[` is not closed.
   */
  fetchAttName(): FetchAttName {
    this.peek();
    const buf = this.#buf;
    const start = this.#pos;
    let pos = start;
    let lower = false;
    while (pos < buf.length && ATOM[buf[pos]] === 1) {
      if (buf[pos] >= 0x61 && buf[pos] <= 0x7a) lower = true;
      pos++;
    }
    if (pos === start) this.fail("expected a FETCH item name");
    let name = this.#text(start, pos);
    if (lower) name = name.toUpperCase();
    const att: FetchAttName = { name };
    if (buf[pos] === OPEN_BRACKET) {
      const close = this.#sectionEnd(pos);
      if (close >= buf.length) {
        this.#pos = pos;
        this.fail('expected "]"');
      }
      att.section = this.#text(pos + 1, close);
      pos = close + 1;
      if (buf[pos] === LESS) {
        let origin = 0;
        let at = pos + 1;
        while (at < buf.length && buf[at] >= 0x30 && buf[at] <= 0x39) {
          origin = origin * 10 + buf[at] - 0x30;
          at++;
        }
        if (buf[at] === GREATER && at > pos + 1) {
          att.origin = origin;
          pos = at + 1;
        }
      }
    }
    this.#pos = pos;
    return att;
  }

  /**
   * Points this tokenizer at the start of another response, as
   * `new ImapTokenizer(parts, response)` would: one tokenizer reads many responses.
   * Internal (parseFetch), not part of the documented API.
   * @ignore
   */
  restart(parts: ResponseParts, response: number): void {
    this.#texts = parts.texts;
    this.#literals = parts.literals;
    this.#segment = 0;
    this.#buf = parts.texts[0] ?? EMPTY;
    this.#pos = this.#base = 0;
    this.#response = response;
    this.#line = null;
    this.#lineAscii = false;
  }

  /**
   * {@linkcode ImapTokenizer.fetchAttName} for the common item names without a section (`UID`,
   * `FLAGS`, `ENVELOPE`...) in any case, answered with a shared frozen object instead of a new
   * string and object each; `null`, consuming nothing, for any other.
   * Internal (parseFetch), not part of the documented API.
   * @ignore
   */
  knownAttName(): FetchAttName | null {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length && buf[pos] === SP) pos++;
    const start = pos;
    while (pos < buf.length && ATOM[buf[pos]] === 1) pos++;
    if (pos < buf.length && ATOM[buf[pos]] === 2) return null; // `[section]` or `<origin>`
    const att = knownAttName(buf, start, pos);
    if (att !== null) this.#pos = pos;
    return att;
  }

  /**
   * A system flag (RFC 3501 section 2.3.2: `\\Seen`, `\\Answered`, `\\Flagged`, `\\Deleted`,
   * `\\Draft`, `\\Recent`) next, exactly as written there, answered with one shared string
   * instead of a new one each; `null`, consuming nothing, for anything else.
   * Internal (parseFetch), not part of the documented API.
   * @ignore
   */
  knownFlag(): string | null {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length && buf[pos] === SP) pos++;
    if (buf[pos] !== BACKSLASH) return null;
    const start = pos;
    while (pos < buf.length && ATOM[buf[pos]] !== 0) pos++;
    const flag = systemFlag(buf, start, pos);
    if (flag !== null) this.#pos = pos;
    return flag;
  }

  /**
   * If the bytes next (after spaces) are the same as those between the offsets `start` and
   * `end` ({@linkcode ImapTokenizer.offset} values within the current text piece, around a
   * complete value) and a space, `)` or the end of the piece follows, consumes them and returns
   * true; otherwise consumes nothing and returns false.
   * Internal (readEnvelope), not part of the documented API.
   * @ignore
   */
  skipRepeat(start: number, end: number): boolean {
    const buf = this.#buf;
    let pos = this.#pos;
    while (pos < buf.length && buf[pos] === SP) pos++;
    const from = start - this.#base;
    const n = end - start;
    if (from < 0 || n <= 0 || from + n > pos || pos + n > buf.length) return false;
    for (let i = 0; i < n; i++) if (buf[pos + i] !== buf[from + i]) return false;
    const after = pos + n;
    if (after < buf.length && buf[after] !== SP && buf[after] !== CLOSE) return false;
    this.#pos = after;
    return true;
  }

  /**
   * The current position, for {@linkcode ImapTokenizer.reset} (lookahead where a server quirk
   * makes a production ambiguous).
   * @returns An opaque position.
   */
  mark(): readonly [segment: number, pos: number, base: number] {
    return [this.#segment, this.#pos, this.#base];
  }

  /**
   * Returns to a position from {@linkcode ImapTokenizer.mark}.
   * @param mark The position.
   */
  reset(mark: readonly [segment: number, pos: number, base: number]): void {
    if (mark[0] !== this.#segment) {
      this.#segment = mark[0];
      this.#buf = this.#texts[mark[0]] ?? EMPTY;
      this.#line = null;
    }
    this.#pos = mark[1];
    this.#base = mark[2];
  }

  /**
   * Consumes and returns the rest of the current text piece (up to the next literal or the end),
   * e.g. the human-readable text after a response code.
   */
  rest(): Uint8Array {
    const out = this.#buf.subarray(this.#pos);
    this.#pos = this.#buf.length;
    return out;
  }
}
