/**
 * Mailbox names in responses (LIST, STATUS, ACL, QUOTAROOT...): read as sent, decoded to
 * Unicode. Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

import { isAscii, latin1, utf8Text } from "./text.ts";
import { type DataItem, eachResponse as eachParts } from "./data.ts";
import { ImapTokenizer } from "./tokenizer.ts";
import { decodeMailbox } from "./utf7.ts";

/**
 * How the typed parsers read mailbox names.
 *
 * @example UTF-8 names
 * ```ts
 * import { parseList } from "@imaplib/imaplib";
 * const data = [new TextEncoder().encode('() "/" "Tom &- Jerry"')];
 * console.assert(parseList(data)[0].path === "Tom & Jerry");
 * console.assert(parseList(data, { utf8: true })[0].path === "Tom &- Jerry");
 * ```
 */
export interface MailboxNameOptions {
  /**
   * Names are UTF-8 (RFC 6855: the client enabled UTF8=ACCEPT) rather than modified UTF-7
   * (RFC 3501 section 5.1.3). Without it, names of 7-bit bytes are decoded from modified UTF-7,
   * and names with 8-bit bytes (servers that send raw UTF-8 regardless) are read as UTF-8.
   * @default {false}
   */
  utf8?: boolean;
}

/** A name as sent and as Unicode. */
export interface MailboxName {
  /** The Unicode name. `INBOX` in any case is `"INBOX"` (RFC 3501 section 5.1). */
  path: string;
  /** The name as the server sent it (bytes read as UTF-8), for sending it back verbatim. */
  pathAsListed: string;
}

/** Decodes a mailbox name's bytes (see {@linkcode MailboxNameOptions}). */
export function mailboxName(bytes: Uint8Array, utf8: boolean): MailboxName {
  if (isAscii(bytes)) return asciiName(latin1(bytes), utf8);
  const text = utf8Text(bytes); // raw 8-bit names: UTF-8 whatever `utf8` says
  return nameOf(text, text);
}

// A name of ASCII bytes, as text: modified UTF-7 unless the names are UTF-8.
function asciiName(pathAsListed: string, utf8: boolean): MailboxName {
  return nameOf(utf8 ? pathAsListed : decodeMailbox(pathAsListed), pathAsListed);
}

function nameOf(path: string, pathAsListed: string): MailboxName {
  if (path.length === 5 && path.toUpperCase() === "INBOX") path = "INBOX";
  return { path, pathAsListed };
}

/**
 * Reads a mailbox name (an `astring`: NIL is the mailbox named `NIL`).
 */
export function readMailbox(tok: ImapTokenizer, utf8: boolean): MailboxName {
  const ascii = tok.asciiQuoted(); // most names: quoted, 7-bit
  if (ascii !== null) return asciiName(ascii, utf8);
  const mark = tok.mark();
  const bytes = tok.nstring();
  if (bytes !== null) return mailboxName(bytes, utf8);
  tok.reset(mark);
  return mailboxName(tok.atomBytes(), utf8); // `NIL`: a mailbox of that name
}

/**
 * Runs `read` on a tokenizer for each response in `data`, collecting the results (errors carry
 * the response's index). One tokenizer reads them all, over parts that are not copied (a
 * listing of 100,000 mailboxes made five objects per response before).
 */
export function eachResponse<T>(
  data: readonly DataItem[],
  read: (tok: ImapTokenizer) => T,
): T[] {
  const out: T[] = [];
  let tok: ImapTokenizer | null = null;
  eachParts(data, (parts, i) => {
    if (tok === null) tok = new ImapTokenizer(parts, i);
    else tok.restart(parts, i);
    out.push(read(tok));
  });
  return out;
}
