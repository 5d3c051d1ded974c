/**
 * FETCH responses (RFC 3501 section 7.4.2) to typed messages, with imapflow's
 * `FetchMessageObject` field names and Web types.
 *
 * @module
 */

import { type BodyStructure, readBodyStructure } from "./body_structure.ts";
import { type Envelope, readEnvelope, skipToClose } from "./envelope.ts";
import { dateFromBytes } from "./dates.ts";
import { TypedParseError } from "./errors.ts";
import { type DataItem, eachResponse, type ResponseParts } from "./data.ts";
import { ImapTokenizer } from "./tokenizer.ts";
import { type FetchAttName, type ImapValue, UINT32_MAX } from "./tokens.ts";
import { decodeMailbox } from "./utf7.ts";
import { plainObjects } from "./plain_objects.ts";
import { type FlagColor, flagColor } from "./flag_color.ts";

/**
 * One FETCH response as a typed message, imapflow's `FetchMessageObject` with Web types. Only
 * the items the server sent are present; an item the server sent as NIL is omitted too.
 *
 * | FETCH item                                  | field                                    |
 * | ------------------------------------------- | ---------------------------------------- |
 * | `UID`                                       | `uid`                                    |
 * | `FLAGS`                                     | `flags` (as sent: `\\Seen`, `$Label1`)   |
 * | `FLAGS` with `\\Flagged`                    | `flagColor` (Apple Mail's colour)        |
 * | `INTERNALDATE`                              | `internalDate` (omitted if unreadable)   |
 * | `RFC822.SIZE`                               | `size` (bytes)                           |
 * | `MODSEQ` (RFC 7162)                         | `modseq`                                 |
 * | `ENVELOPE`                                  | `envelope`                               |
 * | `BODYSTRUCTURE`, `BODY`                     | `bodyStructure`                          |
 * | `BODY[]`, `RFC822`                          | `source`                                 |
 * | `BODY[HEADER]`, `BODY[HEADER.FIELDS (..)]`, `BODY[HEADER.FIELDS.NOT (..)]`, `RFC822.HEADER` | `headers` |
 * | `BODY[s]` (any other section `s`)           | `bodyParts.get(s)`, e.g. `"1.2"`, `"TEXT"`, `"1.MIME"` |
 * | `RFC822.TEXT`                               | `bodyParts.get("TEXT")`                  |
 * | `BINARY[s]` (RFC 3516)                      | `bodyParts.get("BINARY[s]")`: decoded by the server |
 * | `BINARY.SIZE[s]` (RFC 3516)                 | `binarySizes.get(s)` (bytes, decoded)    |
 * | `EMAILID`, `THREADID` (RFC 8474)            | `emailId`, `threadId`                    |
 * | `X-GM-MSGID`, `X-GM-THRID` (Gmail)          | `gmailMessageId`, `gmailThreadId`; also `emailId` / `threadId` as decimal strings when no RFC 8474 id came (as imapflow does) |
 * | `X-GM-LABELS` (Gmail)                       | `labels` (modified UTF-7 decoded)        |
 * | anything else (`PREVIEW`, `X-FOO`)          | `extra.get(name)`, the name as sent upper-cased, section included |
 *
 * A partial fetch's `<origin>` is not part of the key (`BODY[]<0>` is `source`).
 *
 * @example Items by name
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([
 *   b("5 (UID 12 MODSEQ (9) X-GM-MSGID 1278455344230334865 X-GM-LABELS (\\\\Inbox Work))"),
 * ]);
 * console.assert(msg.uid === 12 && msg.modseq === 9n && msg.labels?.has("Work"));
 * console.assert(msg.emailId === "1278455344230334865");
 * ```
 */
export interface FetchMessage {
  /** The message sequence number. */
  seq: number;
  /** The UID. */
  uid?: number;
  /** The flags, as sent (`\\Seen`, `$Forwarded`). */
  flags?: Set<string>;
  /** The flag's colour, with `flags`, when the message is `\\Flagged` (see `flagColor()`). */
  flagColor?: FlagColor;
  /** INTERNALDATE, the time the server received the message. */
  internalDate?: Date;
  /** RFC822.SIZE in bytes. */
  size?: number;
  /** The CONDSTORE mod-sequence (RFC 7162). */
  modseq?: bigint;
  /** The parsed ENVELOPE. */
  envelope?: Envelope;
  /** The parsed BODYSTRUCTURE (or BODY). */
  bodyStructure?: BodyStructure;
  /** The whole message: BODY[] or RFC822. */
  source?: Uint8Array;
  /** The header lines: BODY[HEADER], BODY[HEADER.FIELDS (...)] or RFC822.HEADER. */
  headers?: Uint8Array;
  /** Other sections by name as the server sent it (see the table above). */
  bodyParts?: Map<string, Uint8Array>;
  /**
   * BINARY.SIZE (RFC 3516 section 4.2.3): the size in bytes of a part once the server undid its
   * transfer encoding, by section (`"1"`, `"2.1"`).
   */
  binarySizes?: Map<string, number>;
  /** RFC 8474 EMAILID, or Gmail's X-GM-MSGID in decimal. */
  emailId?: string;
  /** RFC 8474 THREADID, or Gmail's X-GM-THRID in decimal. */
  threadId?: string;
  /** Gmail's X-GM-LABELS (system labels as sent, e.g. `\\Inbox`, `\\Important`). */
  labels?: Set<string>;
  /** Gmail's X-GM-MSGID (a 64-bit unsigned number). */
  gmailMessageId?: bigint;
  /** Gmail's X-GM-THRID (a 64-bit unsigned number). */
  gmailThreadId?: bigint;
  /** FETCH items this parser does not know, by name (see the table above), never fatal. */
  extra?: Map<string, ImapValue>;
}

type ItemReader = (tok: ImapTokenizer, msg: FetchMessage, att: FetchAttName) => void;

const OPEN = 0x28;
const STAR = 0x2a;

// Reads `( *astring )` as a set of texts, each through `decode` if given; null for NIL (or a
// stray value where the list is due). Tolerated: quoted keywords (servers that quote them).
function readSet(
  tok: ImapTokenizer,
  decode: ((text: string) => string) | null,
): Set<string> | null {
  if (!tok.listStart()) {
    tok.skipValue();
    return null;
  }
  const set = new Set<string>();
  while (!tok.listEnd()) {
    if (tok.peek() === -1) tok.fail('expected ")"');
    const text = tok.knownFlag() ?? tok.astringText();
    set.add(decode === null ? text : decode(text));
  }
  return set;
}

// A value that is a parenthesised single value in RFC 7162 / RFC 8474: `(123)`; a bare value
// is tolerated.
function readWrapped<T>(tok: ImapTokenizer, read: () => T): T | undefined {
  if (tok.nil()) return undefined;
  if (!tok.listStart()) return read();
  const value = tok.peek() === 0x29 ? undefined : read();
  skipToClose(tok);
  return value;
}

function setPart(msg: FetchMessage, key: string, bytes: Uint8Array | null): void {
  if (bytes === null) return;
  (msg.bodyParts ??= new Map()).set(key, bytes);
}

function isHeaderSection(section: string): boolean {
  const upper = section.toUpperCase();
  return upper === "HEADER" || upper.startsWith("HEADER.FIELDS");
}

// Item readers by upper-case name: adding an item adds a row.
const ITEMS = new Map<string, ItemReader>([
  ["UID", (tok, msg) => {
    if (!tok.nil()) msg.uid = tok.number(UINT32_MAX);
  }],
  ["FLAGS", (tok, msg) => {
    const flags = readSet(tok, null); // NIL (tolerated): no flags
    if (flags === null) return;
    msg.flags = flags;
    const color = flagColor(flags);
    if (color !== undefined) msg.flagColor = color;
  }],
  ["INTERNALDATE", (tok, msg) => {
    const date = tok.nstringWith(dateFromBytes);
    if (date) msg.internalDate = date;
  }],
  ["RFC822.SIZE", (tok, msg) => {
    if (!tok.nil()) msg.size = tok.number();
  }],
  ["MODSEQ", (tok, msg) => {
    const modseq = readWrapped(tok, () => tok.bigNumber());
    if (modseq !== undefined) msg.modseq = modseq;
  }],
  ["ENVELOPE", (tok, msg) => {
    const envelope = readEnvelope(tok);
    if (envelope !== undefined) msg.envelope = envelope;
  }],
  ["BODYSTRUCTURE", (tok, msg) => {
    const structure = readBodyStructure(tok);
    if (structure !== undefined) msg.bodyStructure = structure;
  }],
  ["BODY", (tok, msg, att) => {
    if (att.section === undefined) {
      const structure = readBodyStructure(tok);
      if (structure !== undefined) msg.bodyStructure = structure;
      return;
    }
    const bytes = tok.nstring();
    if (bytes === null) return;
    if (att.section === "") msg.source = bytes;
    else if (isHeaderSection(att.section)) msg.headers = bytes;
    else setPart(msg, att.section, bytes);
  }],
  ["BINARY", (tok, msg, att) => setPart(msg, `BINARY[${att.section ?? ""}]`, tok.nstring())],
  ["BINARY.SIZE", (tok, msg, att) => {
    if (!tok.nil()) (msg.binarySizes ??= new Map()).set(att.section ?? "", tok.number());
  }],
  ["RFC822", (tok, msg) => {
    const bytes = tok.nstring();
    if (bytes !== null) msg.source = bytes;
  }],
  ["RFC822.HEADER", (tok, msg) => {
    const bytes = tok.nstring();
    if (bytes !== null) msg.headers = bytes;
  }],
  ["RFC822.TEXT", (tok, msg) => setPart(msg, "TEXT", tok.nstring())],
  ["EMAILID", (tok, msg) => {
    const id = readWrapped(tok, () => tok.nstringText());
    if (id !== undefined && id !== null) msg.emailId = id;
  }],
  ["THREADID", (tok, msg) => {
    const id = readWrapped(tok, () => tok.nstringText());
    if (id !== undefined && id !== null) msg.threadId = id;
  }],
  ["X-GM-MSGID", (tok, msg) => {
    if (tok.nil()) return;
    msg.gmailMessageId = tok.bigNumber();
    msg.emailId ??= String(msg.gmailMessageId);
  }],
  ["X-GM-THRID", (tok, msg) => {
    if (tok.nil()) return;
    msg.gmailThreadId = tok.bigNumber();
    msg.threadId ??= String(msg.gmailThreadId);
  }],
  ["X-GM-LABELS", (tok, msg) => {
    msg.labels = readSet(tok, decodeMailbox) ?? new Set();
  }],
]);

// Plain objects sized to their fields (plain_objects.ts), rather than `{ seq }`.
const MessageObject = /* @__PURE__ */ plainObjects<FetchMessage>();

function extraKey(att: FetchAttName): string {
  if (att.section === undefined) return att.name;
  return `${att.name}[${att.section}]` + (att.origin === undefined ? "" : `<${att.origin}>`);
}

function readMessage(tok: ImapTokenizer): FetchMessage {
  if (tok.peek() === STAR) {
    // Tolerated: a whole untagged line, `* 12 FETCH (...)`, instead of imaplib's `12 (...)`.
    tok.atom();
  }
  const seq = tok.number(UINT32_MAX);
  if (tok.peek() !== OPEN) {
    const mark = tok.mark();
    if (tok.peek() === -1 || tok.atom().toUpperCase() !== "FETCH") {
      tok.reset(mark);
      tok.fail('expected "("');
    }
  }
  tok.expect(OPEN);
  const msg = new MessageObject();
  msg.seq = seq;
  while (!tok.listEnd()) {
    if (tok.peek() === -1) tok.fail('expected ")"');
    const att = tok.knownAttName() ?? tok.fetchAttName();
    const reader = ITEMS.get(att.name);
    if (reader !== undefined) reader(tok, msg, att);
    else (msg.extra ??= new Map()).set(extraKey(att), tok.value());
  }
  return msg;
}

/**
 * Parses the data of a FETCH or UID FETCH result into typed messages, one per FETCH response,
 * in order (several responses for one message, e.g. an unsolicited FLAGS update, stay separate).
 *
 * Pure and synchronous. RFC 3501 section 7.4.2 with CONDSTORE (RFC 7162), BINARY (RFC 3516),
 * OBJECTID (RFC 8474) and Gmail's X-GM-* items; see {@linkcode FetchMessage} for the mapping.
 *
 * Quirks tolerated: item names, flags and sections in any case (Exchange / Office 365 send
 * non-canonical case, HaskellNet pull request 116; servers answer `HEADER.FIELDS` with the
 * field names in their own case, node-imap issue 639); NIL where a string or number is due (the
 * field is omitted); `{0}` literals (iCloud's empty `BODY[HEADER.FIELDS (References)] {0}`,
 * libetpan issue 426); missing or extra spaces (imap.qq.com's `(UID 19436 )`, jakartaee/mail-api
 * issue 209); a whole `* N FETCH (...)` line; and those listed in `body_structure.ts`
 * and `envelope.ts`. Unknown items land in `extra`.
 *
 * @param data The `data` of `M.fetch()` / `M.uid("FETCH", ...)`: bytes for a response without
 *   literals, `[header, literal]` pairs then the closing bytes for one with literals; `null`
 *   items (no data) are skipped.
 * @returns The messages.
 * @throws {TypedParseError} for a response that cannot be read (its index in `response`), a
 *   sequence number or UID above 4294967295 included.
 *
 * @example Flags, size, envelope
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([
 *   b('1 (UID 7 FLAGS (\\Seen) RFC822.SIZE 15 ENVELOPE (NIL "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" ' +
 *     '(("Bob" NIL "bob" "example.org")) NIL NIL NIL NIL NIL NIL "<1@example.org>"))'),
 * ]);
 * console.assert(msg.uid === 7 && msg.flags?.has("\\Seen") && msg.size === 15);
 * console.assert(msg.envelope?.subject === "Grüße");
 * console.assert(msg.envelope?.from?.[0].address === "bob@example.org");
 * ```
 *
 * @example A body as a literal
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([[b("1 (UID 7 BODY[HEADER] {15}"), b("Subject: hi\r\n\r\n")], b(")")]);
 * console.assert(new TextDecoder().decode(msg.headers) === "Subject: hi\r\n\r\n");
 * ```
 */
export function parseFetch(data: readonly DataItem[]): FetchMessage[] {
  const out: FetchMessage[] = [];
  let tok: ImapTokenizer | null = null;
  eachResponse(data, (parts, i) => {
    if (tok === null) tok = new ImapTokenizer(parts, i);
    else tok.restart(parts, i);
    out.push(readMessage(tok));
  });
  return out;
}

/**
 * Parses one FETCH response: the `data` of one `fetchIter()` item whose type is `"FETCH"`.
 *
 * Same reading as {@linkcode parseFetch}.
 *
 * @param data The item's data (one response: bytes, or pairs then the closing bytes).
 * @returns The message.
 * @throws {TypedParseError} for data that is not exactly one readable FETCH response.
 *
 * @example With fetchIter()
 * ```ts ignore
 * import { parseFetchResponse } from "@imaplib/imaplib";
 * for await (const [type, data] of M.fetchIter("1:*", "(UID FLAGS ENVELOPE)")) {
 *   if (type === "FETCH") console.log(parseFetchResponse(data).envelope?.subject);
 * }
 * ```
 */
export function parseFetchResponse(data: readonly DataItem[]): FetchMessage {
  let message: FetchMessage | null = null;
  // One tokenizer for every call (parsing is synchronous, so no two calls share it at once):
  // fetchMessages() calls this once per message.
  const tok = responseTokenizer ??= new ImapTokenizer(NO_PARTS);
  let count: number;
  try {
    count = eachResponse(data, (parts, i) => {
      if (i > 0) return;
      tok.restart(parts, 0);
      message = readMessage(tok);
    });
  } finally {
    tok.restart(NO_PARTS, 0); // keeps no caller's bytes alive
  }
  if (count !== 1 || message === null) {
    throw new TypedParseError(
      `Cannot parse response: expected one FETCH response, got ${count}`,
      0,
    );
  }
  return message;
}

const NO_PARTS: ResponseParts = { texts: [], literals: [] };
let responseTokenizer: ImapTokenizer | null = null;
