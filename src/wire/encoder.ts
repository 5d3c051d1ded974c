/**
 * The command encoder: a command becomes fragments (lines and literals), never one string.
 *
 * Arguments are typed by what the grammar needs (RFC 3501 section 4 and 9): a mailbox or user
 * name is an `astring` (sent as an atom when it is one, a quoted string when it can be quoted,
 * a literal otherwise); a password or a `string` (a SEARCH string of the typed layer) is always a
 * quoted string or a literal, its text taken as it is; the APPEND message is
 * a literal (`binary-message`: a BINARY literal8 `~{N}`, RFC 3516 section 4.3); everything else
 * (sequence sets, criteria, fetch items, flag lists) is sent as the
 * caller wrote it, as imaplib does. NUL, CR and LF are refused in every argument except a
 * literal's content, so an argument can never end the command line.
 *
 * @module
 */

import { IMAP4ArgumentError } from "../errors.ts";
import { concat, toBytes } from "./bytes.ts";

/** A command line, CRLF included; if a literal follows, it ends with the literal's marker. */
export interface LineFragment {
  /** Discriminant. */
  kind: "line";
  /** The bytes to write. */
  bytes: Uint8Array;
}

/** A literal's content (RFC 3501 section 4.3), written after the line that announces it. */
export interface LiteralFragment {
  /** Discriminant. */
  kind: "literal";
  /** The content; its length is the number in the preceding marker. */
  bytes: Uint8Array;
  /** `true` for `{N}`: the server's `+` continuation request must arrive before it is sent. */
  synchronizing: boolean;
}

/** One piece of an encoded command. Lines and literals alternate, starting and ending with a line. */
export type Fragment = LineFragment | LiteralFragment;

/**
 * What the grammar needs an argument to be: `raw` as written; `astring` and `list-mailbox` an
 * atom (with `list-mailbox`'s wildcards) when it is one, else quoted or a literal, and a value
 * already in quotes kept (imaplib style, `'"My Folder"'`); `password` and `string` always a
 * quoted string or a literal (RFC 3501 `string`), quotes in the value being part of it;
 * `message` a literal; `binary-message` a literal8 (`~{N}`, RFC 3516 section 4.3: the APPEND
 * of a message that may hold NUL bytes, for a server that advertises `BINARY`).
 */
export type ArgumentKind =
  | "raw"
  | "astring"
  | "list-mailbox"
  | "password"
  | "string"
  | "message"
  | "binary-message";

/** A typed command argument. `null`/`undefined` values are dropped, as imaplib drops `None`. */
export interface Argument {
  /** How to encode it. */
  kind: ArgumentKind;
  /** The value; a string is encoded as UTF-8. */
  value: string | Uint8Array | null | undefined;
}

/** Options that change how arguments are encoded. */
export interface EncodeOptions {
  /**
   * UTF-8 mode (RFC 6855, after `ENABLE UTF8=ACCEPT`): 8-bit astrings go in quoted strings
   * instead of literals, and the APPEND message is sent as `UTF8 (~{N}...)`.
   * @default {false}
   */
  utf8?: boolean;
  /**
   * Non-synchronizing literals (RFC 7888), as the server advertised: `"LITERAL+"` sends every
   * literal as `{N+}` (or `~{N+}`), `"LITERAL-"` only those of at most 4,096 bytes (section 5;
   * larger ones stay `{N}`). A non-synchronizing literal follows its line at once, without
   * waiting for the server's `+`. Unset: every literal is synchronizing.
   * @default {undefined}
   */
  nonSynchronizing?: "LITERAL+" | "LITERAL-";
}

/**
 * The largest literal, in bytes, that a LITERAL- server accepts as non-synchronizing (RFC 7888
 * section 5); larger ones are sent as synchronizing `{N}` literals.
 *
 * @example The boundary
 * ```ts
 * import { encodeCommand, LITERAL_MINUS_MAX_BYTES } from "@imaplib/imaplib";
 * const message = { kind: "message" as const, value: "x".repeat(LITERAL_MINUS_MAX_BYTES) };
 * const [line] = encodeCommand("A1", "APPEND", [message], { nonSynchronizing: "LITERAL-" });
 * console.assert(new TextDecoder().decode(line.bytes) === "A1 APPEND {4096+}\r\n");
 * ```
 */
export const LITERAL_MINUS_MAX_BYTES = 4096;

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const CRLF = new Uint8Array([0x0d, 0x0a]);

// Three native scans rather than a byte loop: an argument may be megabytes (a set of a million
// UIDs), and the loop took 5-10 ms per 7 MB.
const CR_LF_NUL = [0x00, 0x0a, 0x0d];

function checkNoCrLfNul(bytes: Uint8Array, what: string): void {
  let i = -1;
  for (const b of CR_LF_NUL) {
    const at = bytes.indexOf(b);
    if (at >= 0 && (i < 0 || at < i)) i = at;
  }
  if (i < 0) return;
  const name = bytes[i] === 0 ? "NUL" : bytes[i] === 0x0a ? "LF" : "CR";
  throw new IMAP4ArgumentError(`${what} contains ${name} at byte ${i}; refusing to send it`);
}

// atom-specials (RFC 3501 section 9): ( ) { SP CTL % * " \ ]
function isAtomChar(b: number): boolean {
  return b > 0x20 && b < 0x7f && b !== 0x28 && b !== 0x29 && b !== 0x7b && b !== 0x25 &&
    b !== 0x2a && b !== DQUOTE && b !== BACKSLASH && b !== 0x5d;
}

function allBytes(bytes: Uint8Array, ok: (b: number) => boolean): boolean {
  for (let i = 0; i < bytes.length; i++) if (!ok(bytes[i])) return false;
  return true;
}

// ASTRING-CHAR = ATOM-CHAR / resp-specials ("]")
const isAstringChar = (b: number) => isAtomChar(b) || b === 0x5d;
// list-char = ATOM-CHAR / list-wildcards / resp-specials
const isListChar = (b: number) => isAstringChar(b) || b === 0x25 || b === 0x2a;

/** True if `bytes` is a complete, valid quoted string (RFC 3501 `quoted`), quotes included. */
export function isQuoted(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== DQUOTE || bytes[bytes.length - 1] !== DQUOTE) return false;
  for (let i = 1; i < bytes.length - 1; i++) {
    const b = bytes[i];
    if (b === DQUOTE) return false;
    if (b === BACKSLASH) {
      const next = bytes[++i];
      if (i >= bytes.length - 1 || (next !== DQUOTE && next !== BACKSLASH)) return false;
    }
  }
  return true;
}

// The content of a valid quoted string (see isQuoted), escapes removed.
function unquote(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 1; i < bytes.length - 1; i++) {
    if (bytes[i] === BACKSLASH) i++;
    out.push(bytes[i]);
  }
  return new Uint8Array(out);
}

function quote(bytes: Uint8Array): Uint8Array {
  let escapes = 0;
  for (const b of bytes) if (b === DQUOTE || b === BACKSLASH) escapes++;
  const out = new Uint8Array(bytes.length + escapes + 2);
  let at = 0;
  out[at++] = DQUOTE;
  for (const b of bytes) {
    if (b === DQUOTE || b === BACKSLASH) out[at++] = BACKSLASH;
    out[at++] = b;
  }
  out[at] = DQUOTE;
  return out;
}

const is7Bit = (b: number) => b < 0x80;

/** An encoded argument: inline bytes, or a literal to send after a marker. */
type Encoded =
  | { inline: Uint8Array }
  | { literal: Uint8Array; utf8Wrap: boolean; literal8?: boolean };

function encodeArgument(arg: Argument, utf8: boolean, what: string): Encoded {
  const bytes = toBytes(arg.value as string | Uint8Array);
  switch (arg.kind) {
    case "message":
      return { literal: bytes, utf8Wrap: utf8 };
    case "binary-message":
      return { literal: bytes, utf8Wrap: utf8, literal8: true };
    case "raw":
      checkNoCrLfNul(bytes, what);
      return { inline: bytes };
    case "password":
    case "string":
      checkNoCrLfNul(bytes, what);
      return utf8 || allBytes(bytes, is7Bit) ? { inline: quote(bytes) } : {
        literal: bytes,
        utf8Wrap: false,
      };
    case "astring":
    case "list-mailbox": {
      checkNoCrLfNul(bytes, what);
      if (bytes.length === 0) return { inline: quote(bytes) };
      if (isQuoted(bytes)) {
        // Already quoted by the caller (imaplib style, `'"My Folder"'`); 8-bit bytes are not
        // allowed in a quoted string outside UTF-8 mode, so those go as a literal.
        if (utf8 || allBytes(bytes, is7Bit)) return { inline: bytes };
        return { literal: unquote(bytes), utf8Wrap: false };
      }
      if (allBytes(bytes, arg.kind === "astring" ? isAstringChar : isListChar)) {
        return { inline: bytes };
      }
      return utf8 || allBytes(bytes, is7Bit) ? { inline: quote(bytes) } : {
        literal: bytes,
        utf8Wrap: false,
      };
    }
  }
}

/**
 * Encodes `tag name args...` as fragments.
 *
 * A literal is synchronizing (`{N}`) unless `nonSynchronizing` allows otherwise: the session
 * writes it only after the server's `+` continuation request, and never if the command is
 * refused first (RFC 3501 section 7.5). A non-synchronizing one (`{N+}`, RFC 7888) is written
 * right after its line.
 *
 * @param tag The command's tag (e.g. `ABCD1`).
 * @param name The command name (e.g. `SELECT`, or `UID FETCH` words already joined).
 * @param args The arguments; `null`/`undefined` values are skipped.
 * @param options See {@linkcode EncodeOptions}.
 * @returns Alternating line and literal fragments; the last is a line ending in CRLF.
 * @throws {IMAP4ArgumentError} if an argument other than the message contains NUL, CR or LF,
 *   or is neither a string nor a `Uint8Array`. Nothing is returned, so nothing is sent.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "@imaplib/imaplib";
 * const [line] = encodeCommand("A1", "SELECT", [{ kind: "astring", value: "Sent Items" }]);
 * console.assert(new TextDecoder().decode(line.bytes) === 'A1 SELECT "Sent Items"\r\n');
 * ```
 */
export function encodeCommand(
  tag: string,
  name: string,
  args: readonly Argument[],
  options: EncodeOptions = {},
): Fragment[] {
  const utf8 = options.utf8 ?? false;
  const fragments: Fragment[] = [];
  let line: Uint8Array[] = [toBytes(tag), toBytes(" "), toBytes(name)];
  checkNoCrLfNul(line[2], `command name ${JSON.stringify(name)}`);
  const flush = (tail: Uint8Array) => {
    line.push(tail);
    fragments.push({ kind: "line", bytes: concat(line) });
    line = [];
  };
  args.forEach((arg, index) => {
    if (arg.value === null || arg.value === undefined) return;
    if (typeof arg.value !== "string" && !(arg.value instanceof Uint8Array)) {
      throw new IMAP4ArgumentError(
        `argument ${index + 1} of ${name} must be a string or Uint8Array, got ${typeof arg.value}`,
      );
    }
    const encoded = encodeArgument(arg, utf8, `argument ${index + 1} of ${name}`);
    line.push(toBytes(" "));
    if ("inline" in encoded) {
      line.push(encoded.inline);
      return;
    }
    const size = encoded.literal.length;
    const nonSync = options.nonSynchronizing === "LITERAL+" ||
      (options.nonSynchronizing === "LITERAL-" && size <= LITERAL_MINUS_MAX_BYTES);
    const marker = `{${size}${nonSync ? "+" : ""}}\r\n`;
    flush(
      toBytes(encoded.utf8Wrap ? `UTF8 (~${marker}` : encoded.literal8 ? `~${marker}` : marker),
    );
    fragments.push({ kind: "literal", bytes: encoded.literal, synchronizing: !nonSync });
    if (encoded.utf8Wrap) line.push(toBytes(")"));
  });
  flush(CRLF);
  return fragments;
}
