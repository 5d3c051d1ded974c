/**
 * SASLprep (RFC 4013), the string preparation SCRAM applies to user names and passwords
 * (RFC 5802 section 5.1).
 *
 * What is done: non-ASCII spaces (RFC 3454 table C.1.2) become U+0020; the characters of table
 * B.1 ("commonly mapped to nothing": soft hyphen, zero-width joiners, variation selectors...)
 * are removed; the result is normalised with NFKC (`String.prototype.normalize`, so with the
 * runtime's Unicode version rather than Unicode 3.2); control characters (C.2.1, C.2.2),
 * private use (C.3), non-characters (C.4), surrogates (C.5) and the tagging, change-of-display
 * and inappropriate characters (C.6 to C.9) are refused. What is not done: the bidirectional
 * check (RFC 3454 section 6) and the refusal of code points unassigned in Unicode 3.2
 * (table A.1). Printable ASCII is always unchanged.
 *
 * @module
 */

import { IMAP4Error } from "../errors.ts";

// RFC 3454 table C.1.2 (non-ASCII space characters).
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// RFC 3454 table B.1 (commonly mapped to nothing).
const MAPPED_TO_NOTHING =
  /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
// Tables C.2.1, C.2.2, C.3, C.4 (BMP part), C.5, C.6, C.7, C.8, C.9.
const PROHIBITED = new RegExp(
  "[\\u0000-\\u001F\\u007F\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029" +
    "\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}" +
    "\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}" +
    "\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}" +
    "\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}" +
    "\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}" +
    "\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}" +
    "\\u{10FFFE}\\u{10FFFF}\\uD800-\\uDFFF\\uFFF9-\\uFFFD\\u2FF0-\\u2FFB" +
    "\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u206A-\\u206F\\u{E0001}\\u{E0020}-\\u{E007F}]",
  "u",
);

/**
 * Prepares `text` with SASLprep (RFC 4013), as described in the module documentation.
 *
 * @param text A user name or password.
 * @param what What `text` is, for the error message (the text itself is never shown).
 * @returns The prepared string; printable ASCII comes back unchanged.
 * @throws {IMAP4Error} if it contains a prohibited character.
 *
 * @example Mapping and normalisation (RFC 4013 section 3)
 * ```ts
 * import { saslprep } from "@imaplib/imaplib";
 * console.assert(saslprep("I\u00ADX") === "IX"); // soft hyphen mapped to nothing
 * console.assert(saslprep("\u2168") === "IX"); // ROMAN NUMERAL NINE, NFKC
 * console.assert(saslprep("user") === "user"); // printable ASCII unchanged
 * ```
 */
export function saslprep(text: string, what = "string"): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const mapped = text.replace(NON_ASCII_SPACE, " ").replace(MAPPED_TO_NOTHING, "");
  const normalised = mapped.normalize("NFKC");
  const bad = PROHIBITED.exec(normalised);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new IMAP4Error(`SASLprep: the ${what} contains a prohibited character (U+${code})`);
  }
  return normalised;
}
