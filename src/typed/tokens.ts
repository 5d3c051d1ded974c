/**
 * The values and names the tokenizer reads (RFC 3501 section 4 and section 9 `msg-att`), and its
 * limits: the types the typed parsers share, apart from the tokenizer class itself.
 *
 * @module
 */

/**
 * A generic IMAP value (RFC 3501 section 4), as {@linkcode ImapTokenizer.value} reads it:
 * an atom or number as a `string` (as sent), a quoted string or literal as `Uint8Array`,
 * `NIL` as `null`, a parenthesised list as an array.
 *
 * @example A generic value
 * ```ts
 * import { ImapTokenizer, type ImapValue } from "@imaplib/imaplib";
 * const tok = ImapTokenizer.fromBytes(new TextEncoder().encode('(a "b" NIL)'));
 * const value: ImapValue = tok.value();
 * console.assert(Array.isArray(value) && value[0] === "a" && value[2] === null);
 * console.assert(Array.isArray(value) && value[1] instanceof Uint8Array);
 * ```
 */
export type ImapValue = string | Uint8Array | null | ImapValue[];

/**
 * A FETCH item name (`msg-att`): `BODY[1.2]<0>` is `{ name: "BODY", section: "1.2", origin: 0 }`.
 *
 * @example A partial section
 * ```ts
 * import { ImapTokenizer } from "@imaplib/imaplib";
 * const att = ImapTokenizer.fromBytes(new TextEncoder().encode("body[1.2]<0>")).fetchAttName();
 * console.assert(att.name === "BODY" && att.section === "1.2" && att.origin === 0);
 * ```
 */
export interface FetchAttName {
  /** The name in upper case (`UID`, `BODY`, `BINARY`, `X-GM-LABELS`). */
  name: string;
  /** The text between `[` and `]` as the server sent it; absent when there were no brackets. */
  section?: string;
  /** The `<N>` origin octet of a partial fetch, if sent. */
  origin?: number;
}

/**
 * Deepest list nesting any reader accepts (a hostile `((((...` cannot overflow the stack).
 *
 * @example Too deep
 * ```ts
 * import { ImapTokenizer, MAX_DEPTH, TypedParseError } from "@imaplib/imaplib";
 * const deep = new TextEncoder().encode("(".repeat(MAX_DEPTH + 1));
 * let error: unknown;
 * try {
 *   ImapTokenizer.fromBytes(deep).value();
 * } catch (e) {
 *   error = e;
 * }
 * console.assert(error instanceof TypedParseError);
 * ```
 */
export const MAX_DEPTH = 100;

/** @internal The largest RFC 3501 `number` (32 bits): sequence numbers, UIDs, counts. */
export const UINT32_MAX = 0xffffffff;
