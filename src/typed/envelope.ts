/**
 * ENVELOPE (RFC 3501 section 7.4.2): the parsed header fields of a message, imapflow's
 * `MessageEnvelopeObject` with Web types.
 *
 * @module
 */

import { dateFromBytes } from "./dates.ts";
import { decodeWords } from "./encoded_words.ts";
import { flatText } from "./text.ts";
import { TextCache } from "./text_cache.ts";
import { listOf, plainObjects } from "./plain_objects.ts";
import type { ImapTokenizer } from "./tokenizer.ts";

/**
 * One address of an ENVELOPE address list (RFC 3501 `address`), imapflow's
 * `MessageAddressObject`.
 *
 * RFC 3501 group syntax (RFC 5322 section 3.4 `group`: `Team: a@x, b@y;`) arrives as a start
 * marker (host NIL, mailbox the group's name), the members, and an end marker (mailbox and host
 * NIL). It is kept as one entry `{ name: "Team", group: [members] }` in the list, in place of the
 * markers; `undisclosed-recipients:;` is `{ name: "undisclosed-recipients", group: [] }`.
 *
 * @example A group and a plain address
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([b(
 *   '1 (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL "Team" NIL)("Ann" NIL "ann" "x.org")' +
 *     '(NIL NIL NIL NIL)(NIL NIL "bob" "y.org")) NIL NIL NIL NIL))',
 * )]);
 * const [team, bob] = msg.envelope!.to!;
 * console.assert(team.name === "Team" && team.group?.[0].address === "ann@x.org");
 * console.assert(bob.address === "bob@y.org" && bob.name === undefined);
 * ```
 */
export interface Address {
  /** The display name (RFC 2047 decoded); omitted when NIL. For a group: the group's name. */
  name?: string;
  /**
   * `mailbox@host`, or just `mailbox` when the host is empty; omitted when the mailbox is NIL.
   * The source route (`addr-adl`, obsolete) is dropped.
   */
  address?: string;
  /** The group's members, for a group entry (see above); absent on plain addresses. */
  group?: Address[];
}

/**
 * A parsed ENVELOPE (RFC 3501 section 7.4.2), imapflow's `MessageEnvelopeObject`.
 * Fields are omitted when the server sent NIL.
 *
 * @example Fields the server sent
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([b(
 *   '1 (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "Hi" NIL NIL NIL NIL NIL NIL NIL "<1@x>"))',
 * )]);
 * console.assert(msg.envelope?.date?.toISOString() === "1994-02-08T05:52:25.000Z");
 * console.assert(msg.envelope?.messageId === "<1@x>" && !("from" in msg.envelope));
 * ```
 */
export interface Envelope {
  /** The `Date:` header (RFC 5322 section 3.3, obsolete forms read); omitted if unreadable. */
  date?: Date;
  /** The `Subject:` header, RFC 2047 decoded. */
  subject?: string;
  /** The `Message-ID:` header as sent, angle brackets included. */
  messageId?: string;
  /** The `In-Reply-To:` header as sent. */
  inReplyTo?: string;
  /** `From:` addresses. */
  from?: Address[];
  /** `Sender:` addresses (servers fill in From when the header is missing). */
  sender?: Address[];
  /** `Reply-To:` addresses (servers fill in From when the header is missing). */
  replyTo?: Address[];
  /** `To:` addresses. */
  to?: Address[];
  /** `Cc:` addresses. */
  cc?: Address[];
  /** `Bcc:` addresses. */
  bcc?: Address[];
}

const OPEN = 0x28;
const CLOSE = 0x29;

// A string field that may be missing before the list's `)` (tolerated, read as NIL).
function field(tok: ImapTokenizer): string | null {
  return tok.peek() === CLOSE ? null : tok.nstringWith(ownText);
}

// The text of bytes[start, end) as the tokenizer's nstringText() reads it (UTF-8, windows-1252
// if not valid UTF-8), as a flat string of its own. The tokenizer's texts are slices of a string
// of the whole response, which a kept text would keep alive: ~490 bytes a message on the
// harness's workload (b), and the envelope reads nothing else as text.
function ownText(bytes: Uint8Array, start: number, end: number): string {
  return flatText(bytes.subarray(start, end));
}

// Plain objects sized to their fields, without literals (plain_objects.ts).
const EnvelopeObject = /* @__PURE__ */ plainObjects<Envelope>();
const AddressObject = /* @__PURE__ */ plainObjects<Address>();

/**
 * Reads an `envelope` or `NIL` (then `undefined`). Tolerant: missing trailing fields, extra
 * fields, and a string where an address list is due (read as none).
 * @throws {TypedParseError} for input that is not an envelope at all.
 */
export function readEnvelope(tok: ImapTokenizer): Envelope | undefined {
  if (tok.nil()) return undefined;
  tok.expect(OPEN);
  const envelope = new EnvelopeObject();
  const date = tok.peek() === CLOSE ? null : tok.nstringWith(dateFromBytes);
  if (date) envelope.date = date;
  const subject = field(tok);
  if (subject !== null) envelope.subject = decodeWords(subject);
  tok.peek();
  const fromStart = tok.offset;
  const from = readAddresses(tok);
  const fromEnd = tok.offset;
  if (from !== undefined) envelope.from = from;
  // Servers repeat From as Sender and Reply-To (RFC 3501 says they must when those headers are
  // missing): the same bytes give the same addresses, copied rather than read again.
  const sender = from !== undefined && tok.skipRepeat(fromStart, fromEnd)
    ? copyAddresses(from)
    : readAddresses(tok);
  if (sender !== undefined) envelope.sender = sender;
  const replyTo = from !== undefined && tok.skipRepeat(fromStart, fromEnd)
    ? copyAddresses(from)
    : readAddresses(tok);
  if (replyTo !== undefined) envelope.replyTo = replyTo;
  const to = readAddresses(tok);
  if (to !== undefined) envelope.to = to;
  const cc = readAddresses(tok);
  if (cc !== undefined) envelope.cc = cc;
  const bcc = readAddresses(tok);
  if (bcc !== undefined) envelope.bcc = bcc;
  const inReplyTo = field(tok);
  if (inReplyTo !== null) envelope.inReplyTo = inReplyTo;
  const messageId = field(tok);
  if (messageId !== null) envelope.messageId = messageId;
  skipToClose(tok);
  return envelope;
}

/** Skips values up to and including the `)` that closes the current list. */
export function skipToClose(tok: ImapTokenizer): void {
  while (!tok.listEnd()) {
    if (tok.peek() === -1) tok.fail('expected ")"');
    tok.skipValue();
  }
}

// New objects with the same fields (the strings shared): each list stays the caller's own.
function copyAddresses(list: Address[]): Address[] {
  const out = list.slice();
  for (let i = 0; i < out.length; i++) {
    const a = out[i];
    out[i] = a.group === undefined ? { ...a } : { ...a, group: copyAddresses(a.group) };
  }
  return out;
}

function readAddresses(tok: ImapTokenizer): Address[] | undefined {
  const c = tok.peek();
  if (c === CLOSE) return undefined;
  if (c !== OPEN) {
    // NIL (read without the generic reader: Cc and Bcc are NIL in most messages), or a string
    // where a list is due (tolerated as no addresses).
    if (!tok.nil()) tok.skipValue();
    return undefined;
  }
  tok.listStart();
  let out: Address[] | null = null;
  let group: Address | null = null;
  while (!tok.listEnd()) {
    if (!tok.listStart()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      tok.skipValue(); // junk between addresses (tolerated)
      continue;
    }
    // The four fields as bytes (views into the response, used before the next one is read).
    const hasName = span(tok);
    const nameBytes = spanBytes;
    const nameStart = spanStart;
    const nameEnd = spanEnd;
    // addr-adl, the obsolete source route: NIL nearly always, read without the generic reader.
    if (tok.peek() !== CLOSE && !tok.nil()) tok.skipValue();
    const hasMailbox = span(tok);
    const mailboxBytes = spanBytes;
    const mailboxStart = spanStart;
    const mailboxEnd = spanEnd;
    const hasHost = span(tok);
    skipToClose(tok);
    if (!hasHost) {
      if (group !== null) out = add(out, group);
      // End marker (mailbox NIL) closes the group; start marker (mailbox = name) opens one.
      group = !hasMailbox ? null : {
        name: decodeWords(ownText(mailboxBytes, mailboxStart, mailboxEnd)),
        group: [],
      };
      continue;
    }
    let at: string | null = null;
    if (hasMailbox) {
      if (spanEnd === spanStart) {
        at = ownText(mailboxBytes, mailboxStart, mailboxEnd); // an empty host
      } else if (mailboxBytes === spanBytes) {
        // Both in the response's text: the bytes from the mailbox to the host (`ann" "x.org`)
        // are the key.
        at = addresses.get(mailboxBytes, mailboxStart, spanEnd) ?? null;
        if (at === null) {
          at = ownText(mailboxBytes, mailboxStart, mailboxEnd) + "@" +
            ownText(spanBytes, spanStart, spanEnd);
          addresses.remember(mailboxBytes, mailboxStart, spanEnd, at);
        }
      } else {
        at = ownText(mailboxBytes, mailboxStart, mailboxEnd) + "@" +
          ownText(spanBytes, spanStart, spanEnd);
      }
    }
    let name: string | null = null;
    if (hasName) {
      name = names.get(nameBytes, nameStart, nameEnd) ?? null;
      if (name === null) {
        name = decodeWords(ownText(nameBytes, nameStart, nameEnd));
        names.remember(nameBytes, nameStart, nameEnd, name);
      }
    }
    // By a constructor, not a literal (plain_objects.ts).
    const address: Address = new AddressObject();
    if (name !== null) address.name = name;
    if (at !== null) address.address = at;
    if (group === null) out = add(out, address);
    else group.group!.push(address);
  }
  if (group !== null) out = add(out, group); // a group the server never closed
  return out ?? [];
}

// The bytes of the string span() read last: a view into the response, or a copy for a quoted
// string with escapes or a literal.
let spanBytes: Uint8Array = new Uint8Array(0);
let spanStart = 0;
let spanEnd = 0;

function keepSpan(bytes: Uint8Array, start: number, end: number): true {
  spanBytes = bytes;
  spanStart = start;
  spanEnd = end;
  return true;
}

// Reads an address field's nstring into the span; false for NIL or a missing field.
function span(tok: ImapTokenizer): boolean {
  return tok.peek() !== CLOSE && tok.nstringWith(keepSpan) !== null;
}

// Addresses (`mailbox@host`) and display names (RFC 2047 decoded) by the bytes they were read
// from: a mailbox has few senders and recipients, and a hit makes no string at all.
const addresses = /* @__PURE__ */ new TextCache();
const names = /* @__PURE__ */ new TextCache();

// Appends to a list made on the first item, with room for one (most address lists hold one
// address).
function add(list: Address[] | null, item: Address): Address[] {
  if (list === null) return listOf(item);
  list.push(item);
  return list;
}
