/**
 * The typed layer beyond imaplib: the text functions IMAP needs (modified UTF-7 mailbox names,
 * RFC 2047 encoded words, RFC 2231 parameters, sequence sets).
 *
 * `mod.ts` at the root re-exports everything here.
 *
 * @example Mailbox names
 * ```ts
 * import { decodeMailbox } from "@imaplib/imaplib";
 * console.assert(decodeMailbox("Entw&APw-rfe") === "Entwürfe");
 * ```
 *
 * @module
 */

export { TypedParseError } from "./errors.ts";
export { decodeMailbox, encodeMailbox } from "./utf7.ts";
export { decodeWords } from "./encoded_words.ts";
export { decodeParameters } from "./parameters.ts";
export {
  compressSequenceSet,
  countSequenceSet,
  type ExpandOptions,
  expandSequenceSet,
} from "./sequence_set.ts";
