/**
 * `fetchMessages()`: FETCH from an imapflow-like query, each message typed as it arrives.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { fetchCommand } from "../../client/args.ts";
import { coreOf } from "../../client/core.ts";
import { ResponseIterator } from "../../client/response_iterator.ts";
import { IMAP4ArgumentError } from "../../errors.ts";
import { type FetchMessage, parseFetchResponse } from "../fetch.ts";
import { atom, FIELD_NAME, type MessageSet, modseqArg, sequenceSet } from "./arguments.ts";
import { typedError } from "./errors.ts";

/**
 * What {@linkcode fetchMessages} fetches: imapflow's `FetchQueryObject`. Each field set to
 * `true` adds a FETCH item (RFC 3501 section 6.4.5); the message's field of the same name
 * holds the answer (see `FetchMessage`). Bodies are fetched with `BODY.PEEK`, so fetching
 * never sets `\Seen`.
 *
 * | field             | FETCH item                                                   |
 * | ----------------- | ------------------------------------------------------------ |
 * | (always)          | `UID`                                                        |
 * | `flags`           | `FLAGS`                                                      |
 * | `envelope`        | `ENVELOPE`                                                   |
 * | `bodyStructure`   | `BODYSTRUCTURE`                                              |
 * | `size`            | `RFC822.SIZE`                                                |
 * | `internalDate`    | `INTERNALDATE`                                               |
 * | `source`          | `BODY.PEEK[]`                                                |
 * | `headers: true`   | `BODY.PEEK[HEADER]`                                          |
 * | `headers: [names]`| `BODY.PEEK[HEADER.FIELDS (names)]`                           |
 * | `bodyParts`       | `BODY.PEEK[part]` per part, e.g. `"1"`, `"1.2"`, `"TEXT"`, `"2.MIME"` |
 * | `binaryParts`     | `BINARY.PEEK[part]` per part (RFC 3516), in `bodyParts` as `"BINARY[part]"` |
 * | `binarySizes`     | `BINARY.SIZE[part]` per part (RFC 3516), in `binarySizes`    |
 * | `modseq`          | `MODSEQ` (RFC 7162), if the server advertises `CONDSTORE`    |
 * | `emailId`         | `EMAILID` (RFC 8474 `OBJECTID`), or Gmail's `X-GM-MSGID`     |
 * | `threadId`        | `THREADID` (RFC 8474 `OBJECTID`), or Gmail's `X-GM-THRID`    |
 * | `labels`          | Gmail's `X-GM-LABELS` (`X-GM-EXT-1`)                         |
 *
 * Items the server does not advertise (`modseq`, `emailId`, `threadId`, `labels`) are left
 * out, as imapflow does: the field is then absent from every message. `binaryParts` and
 * `binarySizes` need `BINARY` and throw `IMAP4ArgumentError` without it (imapflow's
 * `download()` decodes the part itself; BINARY has the server do it).
 *
 * @example Envelope and flags
 * ```ts
 * import type { FetchQuery } from "@imaplib/imaplib";
 * const query: FetchQuery = { envelope: true, flags: true, headers: ["List-Id"] };
 * console.assert(Array.isArray(query.headers));
 * ```
 */
export interface FetchQuery {
  /** The UID: always fetched (as imapflow does); accepted for imapflow's queries. */
  uid?: boolean;
  /** The flags. */
  flags?: boolean;
  /** The parsed ENVELOPE. */
  envelope?: boolean;
  /** The parsed BODYSTRUCTURE. */
  bodyStructure?: boolean;
  /** RFC822.SIZE, in bytes. */
  size?: boolean;
  /** INTERNALDATE. */
  internalDate?: boolean;
  /** The whole message, byte for byte (`source`). */
  source?: boolean;
  /**
   * The header block (`true`), or only the named fields (RFC 5322 field names, e.g.
   * `["Subject", "List-Id"]`; an empty list fetches none). Lands in `headers` as bytes.
   */
  headers?: boolean | readonly string[];
  /**
   * Body sections by part number (`"1"`, `"1.2"`), optionally with `.TEXT`, `.HEADER` or
   * `.MIME`, or `"TEXT"`; land in `bodyParts` under the name the server gives them.
   */
  bodyParts?: readonly string[];
  /**
   * Body parts by part number (`"1"`, `"2.1"`; `""` for the whole message) with their
   * Content-Transfer-Encoding undone by the server (BINARY, RFC 3516 section 4.2): base64 and
   * quoted-printable come back as the bytes they encode. Land in `bodyParts` as
   * `"BINARY[1]"`. A server that cannot decode a part answers NO `[UNKNOWN-CTE]`.
   */
  binaryParts?: readonly string[];
  /** Decoded sizes of body parts (BINARY.SIZE, RFC 3516 section 4.2.3), in `binarySizes`. */
  binarySizes?: readonly string[];
  /** The mod-sequence (CONDSTORE; fetching it enables CONDSTORE, RFC 7162 section 3.1). */
  modseq?: boolean;
  /** The thread id (RFC 8474, or Gmail's). */
  threadId?: boolean;
  /** The email id (RFC 8474, or Gmail's). */
  emailId?: boolean;
  /** Gmail's labels. */
  labels?: boolean;
}

/**
 * Options of {@linkcode fetchMessages}.
 *
 * @example Only what changed since a mod-sequence, by UID
 * ```ts
 * import type { FetchMessagesOptions } from "@imaplib/imaplib";
 * const options: FetchMessagesOptions = { uid: true, changedSince: 1042n };
 * console.assert(options.uid);
 * ```
 */
export interface FetchMessagesOptions {
  /** The set holds UIDs: send `UID FETCH` (RFC 3501 section 6.4.8). @default {false} */
  uid?: boolean;
  /**
   * Only messages whose mod-sequence is higher (RFC 7162 section 3.1.4.1, `CHANGEDSINCE`).
   * The server must advertise `CONDSTORE`; the modifier itself enables CONDSTORE for the
   * session (RFC 7162 section 3.1), as `ENABLE CONDSTORE` or `selectMailbox(..., { condstore:
   * true })` would. Every message then carries `modseq`.
   */
  changedSince?: bigint | number;
  /** Stops the fetch; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

// A body section (RFC 3501 `section-spec`) without HEADER.FIELDS (use `headers` for those).
const PART = /^(?:\d+(?:\.\d+)*(?:\.(?:HEADER|TEXT|MIME))?|TEXT)$/i;
// A BINARY section (RFC 3516 `section-binary`): part numbers only, or none.
const BINARY_PART = /^(?:\d+(?:\.\d+)*)?$/;

/**
 * @internal The FETCH items of `query` as a parenthesized list, for a server with
 * `capabilities`.
 * @throws {IMAP4ArgumentError} for a header field name or body part that cannot be sent.
 */
export function fetchItems(query: FetchQuery, capabilities: readonly string[]): string {
  const has = (cap: string) => capabilities.includes(cap);
  const objectId = has("OBJECTID");
  const gmail = has("X-GM-EXT-1");
  const items = ["UID"];
  const add = (wanted: boolean | undefined, item: string | false) => {
    if (wanted && item) items.push(item);
  };
  add(query.flags, "FLAGS");
  add(query.internalDate, "INTERNALDATE");
  add(query.size, "RFC822.SIZE");
  add(query.envelope, "ENVELOPE");
  add(query.bodyStructure, "BODYSTRUCTURE");
  add(query.modseq, has("CONDSTORE") && "MODSEQ");
  add(query.emailId, objectId ? "EMAILID" : gmail && "X-GM-MSGID");
  add(query.threadId, objectId ? "THREADID" : gmail && "X-GM-THRID");
  add(query.labels, gmail && "X-GM-LABELS");
  add(query.source, "BODY.PEEK[]");
  const { headers } = query;
  if (headers === true) items.push("BODY.PEEK[HEADER]");
  else if (headers && headers.length > 0) {
    const names = headers.map((name) => atom(name, "header field name", FIELD_NAME));
    items.push(`BODY.PEEK[HEADER.FIELDS (${names.join(" ")})]`);
  }
  for (const part of query.bodyParts ?? []) {
    items.push(`BODY.PEEK[${atom(part, "body part", PART)}]`);
  }
  for (
    const [parts, item] of [[query.binaryParts, "BINARY.PEEK"], [
      query.binarySizes,
      "BINARY.SIZE",
    ]] as const
  ) {
    if (!parts || parts.length === 0) continue;
    if (!has("BINARY")) {
      throw new IMAP4ArgumentError(`${item} needs a server that advertises BINARY (RFC 3516)`);
    }
    for (const part of parts) {
      if (!BINARY_PART.test(part)) {
        throw new IMAP4ArgumentError(`not a BINARY part number: ${JSON.stringify(part)}`);
      }
      items.push(`${item}[${part}]`);
    }
  }
  return `(${items.join(" ")})`;
}

/**
 * Fetches messages and yields each one, typed, as its FETCH response arrives (FETCH or
 * `UID FETCH`, RFC 3501 sections 6.4.5 and 6.4.8): memory is bounded by one message, so a
 * whole mailbox's sources can be read in a loop (the iterator keeps nothing of a message it
 * handed over; on Deno a `for await` loop itself keeps its last value referenced until the next
 * arrives; on the Node/Bun transport a `source` that arrived whole in one socket buffer is a
 * view of it, and keeps that buffer while it is kept). Built on `IMAP4.fetchIter()`'s iterator
 * and `parseFetchResponse()`; imapflow's `fetch()`.
 *
 * Needs a selected mailbox. While the loop runs, the FETCH holds the connection: other
 * commands called meanwhile fail at once (collect what you need, act after the loop).
 * Leaving the loop early (`break`, an exception) reads and drops the rest of the FETCH, so the
 * connection stays usable. Only the FETCH responses of the requested messages are yielded, in
 * the server's order; other untagged responses that arrive meanwhile (EXISTS, EXPUNGE, flag
 * changes of other messages) are dropped.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages: sequence numbers, or UIDs with `{ uid: true }`; `"1:*"` for all.
 * @param query What to fetch; see {@linkcode FetchQuery}.
 * @param options `uid`, `changedSince`, `signal`; see {@linkcode FetchMessagesOptions}.
 * @returns An async iterable of `FetchMessage`, each with `seq` and `uid` and the fields asked.
 * @throws {IMAP4CommandError} from the iterator when the server answers NO or BAD.
 * @throws {IMAP4CancelledError} when `signal` fires (after the rest was read and dropped).
 * @throws {IMAP4ArgumentError} for a bad set, header field name or body part (nothing sent);
 *   for `binaryParts` / `binarySizes` when the server has no `BINARY`.
 * @throws {IMAP4Error} in the wrong state, or while something else holds the connection.
 * @throws {TypedParseError} for a response that cannot be read (the rest is dropped).
 * @throws {IMAP4Abort} when the connection fails.
 *
 * @example Subjects and sizes of a mailbox, one message at a time
 * ```ts ignore
 * import { fetchMessages, IMAP4, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await selectMailbox(M, "INBOX", { readOnly: true });
 * for await (const msg of fetchMessages(M, "1:*", { envelope: true, size: true })) {
 *   console.log(msg.uid, msg.size, msg.envelope?.subject);
 * }
 * ```
 */
export function fetchMessages(
  client: IMAP4,
  set: MessageSet,
  query: FetchQuery,
  options: FetchMessagesOptions = {},
): AsyncGenerator<FetchMessage, void, undefined> {
  const { uid = false, changedSince, signal } = options;
  const method = "fetchMessages()";
  // fetchIter()'s command and iterator (client/response_iterator.ts), each FETCH response
  // parsed as it is handed over.
  return new ResponseIterator<FetchMessage>(coreOf(client), {
    holder: "fetchIter()",
    signal,
    command: () => {
      const messages = sequenceSet(set);
      let items = fetchItems(query, client.capabilities);
      if (changedSince !== undefined) items += ` (CHANGEDSINCE ${modseqArg(changedSince)})`;
      // An aborted signal is checked next, by the iterator; mapError names this function.
      return messages === "" ? null : fetchCommand(messages, items, { uid });
    },
    map: (type, data) => {
      if (type !== "FETCH") return undefined;
      const message = parseFetchResponse(data);
      // UID was asked for: a FETCH without it is an unsolicited change of another message.
      return message.uid === undefined ? undefined : message;
    },
    mapError: (error) => typedError(error, uid ? "UID FETCH" : "FETCH", method),
  });
}

/**
 * One message, fetched with {@linkcode fetchMessages}'s query: imapflow's `fetchOne()`. `"*"`
 * names the last message of the mailbox.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param message A message sequence number, a UID with `{ uid: true }`, or `"*"`.
 * @param query What to fetch, as for {@linkcode fetchMessages}.
 * @param options `uid`, `changedSince`, `signal`, as for {@linkcode fetchMessages}.
 * @returns The message, or `null` when the mailbox has no such message (or, with
 *   `changedSince`, when it has not changed since).
 * @throws As {@linkcode fetchMessages}; {@linkcode IMAP4ArgumentError} for a `message` that
 *   is neither a number nor `"*"`.
 *
 * @example The newest message's subject
 * ```ts ignore
 * import { fetchMessage } from "@imaplib/imaplib";
 * const last = await fetchMessage(M, "*", { envelope: true });
 * console.log(last?.envelope?.subject);
 * ```
 */
export async function fetchMessage(
  client: IMAP4,
  message: number | "*",
  query: FetchQuery,
  options: FetchMessagesOptions = {},
): Promise<FetchMessage | null> {
  if (message !== "*" && !(Number.isInteger(message) && message >= 1 && message <= 0xffffffff)) {
    throw new IMAP4ArgumentError(`not a message number: ${JSON.stringify(message)}`);
  }
  let found: FetchMessage | null = null;
  try {
    for await (const msg of fetchMessages(client, String(message), query, options)) {
      // With a number, the message asked for, not another one's unsolicited FETCH (RFC 3501
      // section 7); `*` is the last message, whichever number it has.
      if (message === "*" || (options.uid ? msg.uid : msg.seq) === message) found ??= msg;
    }
  } catch (error) {
    // A cancellation names this function; NO and BAD are typed already.
    throw typedError(error, options.uid ? "UID FETCH" : "FETCH", "fetchMessage()");
  }
  return found;
}

/**
 * Every message of a fetch in one array, in the server's order: imapflow's `fetchAll()`.
 * {@linkcode fetchMessages} collected, so memory holds them all at once; prefer the loop for
 * sources and other large items.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages: sequence numbers, or UIDs with `{ uid: true }`.
 * @param query What to fetch, as for {@linkcode fetchMessages}.
 * @param options `uid`, `changedSince`, `signal`, as for {@linkcode fetchMessages}.
 * @returns The messages; `[]` for none.
 * @throws As {@linkcode fetchMessages}; a cancellation names `fetchAll()`.
 *
 * @example Flags and sizes of the first ten messages
 * ```ts ignore
 * import { fetchAll } from "@imaplib/imaplib";
 * const messages = await fetchAll(M, "1:10", { flags: true, size: true });
 * console.log(messages.map((m) => [m.seq, m.size, m.flagColor]));
 * ```
 */
export async function fetchAll(
  client: IMAP4,
  set: MessageSet,
  query: FetchQuery,
  options: FetchMessagesOptions = {},
): Promise<FetchMessage[]> {
  const messages: FetchMessage[] = [];
  try {
    for await (const message of fetchMessages(client, set, query, options)) messages.push(message);
  } catch (error) {
    throw typedError(error, options.uid ? "UID FETCH" : "FETCH", "fetchAll()");
  }
  return messages;
}
