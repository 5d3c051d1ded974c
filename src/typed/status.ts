/**
 * STATUS responses (RFC 3501 section 7.2.4, RFC 9051 section 7.2.4) to typed objects, with
 * imapflow's `StatusObject` field names.
 *
 * @module
 */

import { eachResponse, type MailboxNameOptions, readMailbox } from "./mailbox.ts";
import type { DataItem } from "./data.ts";
import type { ImapTokenizer } from "./tokenizer.ts";
import { type ImapValue, UINT32_MAX } from "./tokens.ts";

/**
 * One STATUS response, imapflow's `StatusObject` with Web types.
 *
 * @example Only what was asked
 * ```ts
 * import { parseStatus } from "@imaplib/imaplib";
 * const [status] = parseStatus([new TextEncoder().encode("INBOX (UNSEEN 2)")]);
 * console.assert(status.unseen === 2 && status.messages === undefined);
 * ```
 */
export interface MailboxStatus {
  /** The Unicode mailbox name (modified UTF-7 decoded, or UTF-8). */
  path: string;
  /** The name as the server sent it. */
  pathAsListed: string;
  /** MESSAGES: messages in the mailbox. */
  messages?: number;
  /** RECENT: messages with `\\Recent` (IMAP4rev1 only). */
  recent?: number;
  /** UIDNEXT: the next UID the mailbox will assign (a 32-bit number). */
  uidNext?: number;
  /** UIDVALIDITY (a 32-bit number). */
  uidValidity?: number;
  /** UNSEEN: messages without `\\Seen`. */
  unseen?: number;
  /** HIGHESTMODSEQ (RFC 7162 CONDSTORE). */
  highestModseq?: bigint;
  /** SIZE (RFC 8438): the mailbox's size in bytes. */
  size?: number;
  /** DELETED (RFC 9051): messages with `\\Deleted`. */
  deleted?: number;
  /** APPENDLIMIT (RFC 7889): the largest message APPEND accepts, in bytes; omitted for NIL. */
  appendLimit?: number;
  /** MAILBOXID (RFC 8474). */
  mailboxId?: string;
  /** Items this parser does not know, by upper-case name, values as read. */
  extra?: Map<string, ImapValue>;
}

const OPEN = 0x28;

type Item = (tok: ImapTokenizer, status: MailboxStatus) => void;

// A number up to `max`, or NIL (then nothing).
function count(set: (status: MailboxStatus, n: number) => void, max = UINT32_MAX): Item {
  return (tok, status) => {
    if (!tok.nil()) set(status, tok.number(max));
  };
}

const ITEMS = new Map<string, Item>([
  ["MESSAGES", count((s, n) => s.messages = n)],
  ["RECENT", count((s, n) => s.recent = n)],
  ["UIDNEXT", count((s, n) => s.uidNext = n)],
  ["UIDVALIDITY", count((s, n) => s.uidValidity = n)],
  ["UNSEEN", count((s, n) => s.unseen = n)],
  // number64 (RFC 8438, RFC 9051): up to 2^53 - 1 as a number.
  ["SIZE", count((s, n) => s.size = n, Number.MAX_SAFE_INTEGER)],
  ["DELETED", count((s, n) => s.deleted = n)],
  ["APPENDLIMIT", count((s, n) => s.appendLimit = n, Number.MAX_SAFE_INTEGER)],
  ["HIGHESTMODSEQ", (tok, s) => {
    if (!tok.nil()) s.highestModseq = tok.bigNumber();
  }],
  ["MAILBOXID", (tok, s) => {
    // `MAILBOXID (F2212ea87-6097-4256-9d51-71338625)`; a bare id tolerated.
    const wrapped = tok.listStart();
    const id = tok.nstringText();
    if (id !== null) s.mailboxId = id;
    if (wrapped && !tok.listEnd()) tok.fail('expected ")"');
  }],
]);

/**
 * Parses the data of a STATUS result (or STATUS responses of LIST-STATUS, RFC 5819) into
 * objects, one per response, in order.
 *
 * Pure and synchronous. The mailbox name is decoded as {@linkcode parseList} does. Item names
 * in any case; unknown items land in `extra`; NIL values (APPENDLIMIT NIL) are omitted.
 *
 * @param data The `data` of `M.status(name, "(MESSAGES UNSEEN ...)")`.
 * @param options `utf8` for UTF-8 names.
 * @returns One status per response; `const [status] = parseStatus(data)` for one mailbox.
 * @throws {TypedParseError} for a response that is not a STATUS response (a count or UID above
 *   4294967295 included; SIZE and APPENDLIMIT are `number64`).
 *
 * @example Dovecot's answer
 * ```ts
 * import { parseStatus } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [status] = parseStatus([
 *   b('"INBOX" (MESSAGES 231 UIDNEXT 44292 UNSEEN 3 HIGHESTMODSEQ 7011231777)'),
 * ]);
 * console.assert(status.messages === 231 && status.uidNext === 44292);
 * console.assert(status.highestModseq === 7011231777n);
 * ```
 */
export function parseStatus(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): MailboxStatus[] {
  const utf8 = options.utf8 ?? false;
  return eachResponse(data, (tok) => {
    const status: MailboxStatus = readMailbox(tok, utf8);
    tok.expect(OPEN);
    while (!tok.listEnd()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      const name = tok.atom().toUpperCase();
      const item = ITEMS.get(name);
      if (item !== undefined) item(tok, status);
      else (status.extra ??= new Map()).set(name, tok.value());
    }
    return status;
  });
}
