/**
 * Command arguments of the typed methods, built for the caller: mailbox names (modified UTF-7 or
 * UTF-8, quoted), sequence sets, flag lists, quoted strings. Every value is checked here, so
 * that nothing a caller passes can change the command's grammar.
 *
 * @module
 */

import { IMAP4ArgumentError } from "../../errors.ts";
import type { IMAP4 } from "../../client/imap4.ts";
import { compressSequenceSet } from "../sequence_set.ts";
import { encodeMailbox } from "../utf7.ts";
import { isImap4rev2 } from "./imap4rev2.ts";

/**
 * Messages for a typed method: a sequence set as IMAP writes it (`"1:3,7"`, `"5:*"`), one
 * number, or numbers (sent as a compact set). Message sequence numbers, or UIDs with
 * `{ uid: true }`. No numbers (`[]`) means no message: the method sends nothing.
 *
 * @example Three ways to name messages
 * ```ts
 * import type { MessageSet } from "@imaplib/imaplib";
 * const sets: MessageSet[] = ["1:3,7", 42, [3, 1, 2]]; // [3, 1, 2] is sent as "1:3"
 * console.assert(sets.length === 3);
 * ```
 */
export type MessageSet = string | number | Iterable<number>;

const SET = /^(?:\d+|\*)(?::(?:\d+|\*))?(?:,(?:\d+|\*)(?::(?:\d+|\*))?)*$/;

/**
 * @internal A sequence set's text; `""` for no numbers.
 * @throws {IMAP4ArgumentError} for text that is not a sequence set.
 * @throws {RangeError} for a number that is not an integer from 1 to 4294967295.
 */
export function sequenceSet(set: MessageSet): string {
  if (typeof set === "string") {
    if (!SET.test(set)) throw new IMAP4ArgumentError(`not a sequence set: ${JSON.stringify(set)}`);
    return set;
  }
  return compressSequenceSet(typeof set === "number" ? [set] : set);
}

/** @internal `s` as an IMAP quoted string (RFC 3501 section 4.3): `"` and `\` escaped. */
export function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&")}"`;
}

/**
 * @internal Whether mailbox names are UTF-8 on this connection: once `UTF8=ACCEPT` is enabled
 * (RFC 6855 section 3), or in IMAP4rev2 (RFC 9051 section 5.1); modified UTF-7 otherwise.
 */
export function utf8Names(client: IMAP4): boolean {
  return client.utf8_enabled || isImap4rev2(client);
}

/**
 * @internal A Unicode mailbox name as the server expects it, quoted: modified UTF-7 (RFC 3501
 * section 5.1.3), or UTF-8 (see {@linkcode utf8Names}; outside UTF8=ACCEPT mode the encoder
 * sends a non-ASCII name as a literal).
 */
export function mailboxArg(client: IMAP4, path: string): string {
  return quoted(utf8Names(client) ? path : encodeMailbox(path));
}

// A flag is `\` and an atom, or an atom (a keyword); atom-specials (RFC 3501 section 9) and
// anything outside printable ASCII are not allowed.
const FLAG = /^\\?[!#$&'+-[^-z|-~]+$/;
/** @internal A header field name (RFC 5322 `field-name`) that is also an atom. */
export const FIELD_NAME = /^[!#$&'+-9;-[^-z|-~]+$/;

/**
 * @internal An atom (a keyword, a header field name when `what` says so), checked.
 * @throws {IMAP4ArgumentError} if it is not one.
 */
export function atom(value: string, what = "flag", pattern: RegExp = FLAG): string {
  if (!pattern.test(value) || (what === "keyword" && value.startsWith("\\"))) {
    throw new IMAP4ArgumentError(`not a valid ${what}: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * @internal Flags as a parenthesized list, e.g. `(\Seen $Forwarded)`.
 * @throws {IMAP4ArgumentError} for a flag that is not `\Atom` or an atom.
 */
export function flagList(flags: Iterable<string>): string {
  return `(${Array.from(flags, (flag) => atom(flag)).join(" ")})`;
}

/**
 * @internal A mod-sequence (RFC 7162 `mod-sequence-value`: 1 to 2^63 - 1) as text.
 * @throws {RangeError} otherwise.
 */
export function modseqArg(value: bigint | number, zero = false): string {
  const n = BigInt(value);
  if (n < (zero ? 0n : 1n) || n > 0x7fffffffffffffffn) {
    throw new RangeError(`not a mod-sequence: ${value}`);
  }
  return String(n);
}
