/**
 * `sortMessages()` and `threadMessages()`: the server sorts or threads the messages a search
 * query matches (SORT and THREAD, RFC 5256; SORT=DISPLAY, RFC 5957).
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4ArgumentError, IMAP4Error } from "../../errors.ts";
import type { Argument } from "../../wire/encoder.ts";
import { parseSearch } from "../search.ts";
import { type ThreadNode, ThreadReader } from "../thread.ts";
import { collect } from "./collect.ts";
import { searchArguments, type SearchQuery } from "./search_query.ts";
import { parseInParts, searchParts, turnOf } from "./slices.ts";

/**
 * A sort key (RFC 5256 section 3): `arrival` (INTERNALDATE), `date` (the Date header, else
 * INTERNALDATE), `size`, `subject` (the base subject: `Re:`, `Fwd:` and the like dropped),
 * `from`, `to`, `cc` (the first address's mailbox), and with SORT=DISPLAY (RFC 5957)
 * `displayFrom` / `displayTo` (the display name, else the address).
 *
 * @example
 * ```ts
 * import type { SortKey } from "@imaplib/imaplib";
 * const key: SortKey = "date";
 * console.assert(key === "date");
 * ```
 */
export type SortKey =
  | "arrival"
  | "cc"
  | "date"
  | "from"
  | "size"
  | "subject"
  | "to"
  | "displayFrom"
  | "displayTo";

/**
 * A sort criterion: a key, ascending, or `{ key, reverse: true }` for descending.
 *
 * @example Newest first, then by subject
 * ```ts
 * import type { SortCriterion } from "@imaplib/imaplib";
 * const order: SortCriterion[] = [{ key: "date", reverse: true }, "subject"];
 * console.assert(order.length === 2);
 * ```
 */
export type SortCriterion = SortKey | { key: SortKey; reverse?: boolean };

/**
 * Options of {@linkcode sortMessages} and {@linkcode threadMessages}.
 *
 * @example
 * ```ts
 * import type { SortMessagesOptions } from "@imaplib/imaplib";
 * const options: SortMessagesOptions = { uid: true };
 * console.assert(options.uid);
 * ```
 */
export interface SortMessagesOptions {
  /** Send `UID SORT` / `UID THREAD` and get UIDs back. @default {false} */
  uid?: boolean;
  /** Cancels the command; see `IMAP4CancelledError`. */
  signal?: AbortSignal;
}

/**
 * A threading algorithm (RFC 5256 section 2.1 and its registry): `references` (by
 * Message-ID, In-Reply-To and References, then by subject), `orderedsubject` (by base subject
 * only), or Dovecot's `refs` (REFERENCES without the subject step). The server must advertise
 * `THREAD=` with it.
 *
 * @example
 * ```ts
 * import type { ThreadAlgorithm } from "@imaplib/imaplib";
 * const algorithm: ThreadAlgorithm = "references";
 * console.assert(algorithm.length > 0);
 * ```
 */
export type ThreadAlgorithm = "references" | "orderedsubject" | "refs";

const KEYS: Record<SortKey, string> = {
  arrival: "ARRIVAL",
  cc: "CC",
  date: "DATE",
  from: "FROM",
  size: "SIZE",
  subject: "SUBJECT",
  to: "TO",
  displayFrom: "DISPLAYFROM",
  displayTo: "DISPLAYTO",
};

// The search criteria of `query` after the charset SORT and THREAD take as an argument of their
// own (RFC 5256 section 3): UTF-8, which every server with SORT or THREAD must accept.
function criteria(client: IMAP4, query: SearchQuery): Argument[] {
  const args = searchArguments(query, client.utf8_enabled, client.capabilities);
  if (args[0]?.kind === "raw" && args[0].value === "CHARSET UTF-8") args.shift();
  if (args.length === 0) args.push({ kind: "raw", value: "ALL" });
  return [{ kind: "raw", value: "UTF-8" }, ...args];
}

/**
 * Sorts the messages that match `query` on the server (SORT or `UID SORT`, RFC 5256 section
 * 3), and returns their numbers in that order: a page of a large mailbox by date without
 * fetching every date. Ties keep the order of the next criterion, then of the sequence numbers.
 *
 * @param client A logged-in client with a mailbox selected; the server must advertise `SORT`
 *   (and `SORT=DISPLAY` for `displayFrom` / `displayTo`).
 * @param sort The criteria, most significant first, at least one.
 * @param query Which messages, as for `searchMessages()`; `{}` for all.
 * @param options `uid`, `signal`.
 * @returns Message numbers (UIDs with `uid`), sorted; `[]` for no match.
 * @throws {IMAP4Error} without `SORT` (or `SORT=DISPLAY` for a display key): nothing sent.
 * @throws {IMAP4ArgumentError} for no criteria, an unknown key, or a query that cannot be sent.
 * @throws {IMAP4CommandError} on NO or BAD, e.g. `BADCHARSET`.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example The ten newest unread messages
 * ```ts ignore
 * import { sortMessages } from "@imaplib/imaplib";
 * const uids = await sortMessages(M, [{ key: "date", reverse: true }], { seen: false }, { uid: true });
 * console.log(uids.slice(0, 10));
 * ```
 */
export async function sortMessages(
  client: IMAP4,
  sort: readonly SortCriterion[],
  query: SearchQuery,
  options: SortMessagesOptions = {},
): Promise<number[]> {
  const { uid = false, signal } = options;
  const method = "sortMessages()";
  if (sort.length === 0) throw new IMAP4ArgumentError(`${method}: no sort criteria`);
  const keys = sort.map((criterion) => {
    const { key, reverse = false } = typeof criterion === "string" ? { key: criterion } : criterion;
    const name = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
    if (name === undefined) throw new IMAP4ArgumentError(`not a sort key: ${JSON.stringify(key)}`);
    return reverse ? `REVERSE ${name}` : name;
  });
  const needs = keys.some((k) => k.includes("DISPLAY")) ? "SORT=DISPLAY" : "SORT";
  if (!client.capabilities.includes(needs)) {
    throw new IMAP4Error(`${method}: the server does not advertise ${needs} (RFC 5256, 5957)`);
  }
  const args = [{ kind: "raw" as const, value: `(${keys.join(" ")})` }, ...criteria(client, query)];
  const { responses } = await collect(
    client,
    signal,
    method,
    uid ? "UID SORT" : "SORT",
    uid ? "UID" : "SORT",
    uid ? [{ kind: "raw", value: "SORT" }, ...args] : args,
    ["SORT"],
  );
  // A sort of a million messages answers in one 7 MB line: read in parts (slices.ts).
  const data = responses.get("SORT")!;
  return parseInParts(searchParts(data), parseSearch, turnOf(client), data, 1);
}

/**
 * Threads the messages that match `query` on the server (THREAD or `UID THREAD`, RFC 5256
 * section 4), and returns the threads as trees (see `ThreadNode`), in the server's order.
 *
 * @param client A logged-in client with a mailbox selected; the server must advertise
 *   `THREAD=` with `algorithm`.
 * @param algorithm `references`, `orderedsubject`, or `refs` (Dovecot's).
 * @param query Which messages, as for `searchMessages()`; `{}` for all.
 * @param options `uid`, `signal`.
 * @returns The threads' roots; `[]` for no match.
 * @throws {IMAP4Error} when the server does not advertise the algorithm: nothing sent.
 * @throws {IMAP4ArgumentError} for an unknown algorithm or a query that cannot be sent.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {TypedParseError} for an answer that is not thread lists (the command has completed).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Conversations of the last week
 * ```ts ignore
 * import { threadMessages } from "@imaplib/imaplib";
 * const since = new Date(Date.now() - 7 * 86_400_000);
 * for (const thread of await threadMessages(M, "references", { since }, { uid: true })) {
 *   console.log(thread.id, thread.children.length);
 * }
 * ```
 */
export async function threadMessages(
  client: IMAP4,
  algorithm: ThreadAlgorithm,
  query: SearchQuery,
  options: SortMessagesOptions = {},
): Promise<ThreadNode[]> {
  const { uid = false, signal } = options;
  const method = "threadMessages()";
  const name = typeof algorithm === "string" ? algorithm.toUpperCase() : "";
  if (!["REFERENCES", "ORDEREDSUBJECT", "REFS"].includes(name)) {
    throw new IMAP4ArgumentError(`not a threading algorithm: ${JSON.stringify(algorithm)}`);
  }
  if (!client.capabilities.includes(`THREAD=${name}`)) {
    throw new IMAP4Error(`${method}: the server does not advertise THREAD=${name} (RFC 5256)`);
  }
  const args = [{ kind: "raw" as const, value: name }, ...criteria(client, query)];
  const { responses } = await collect(
    client,
    signal,
    method,
    uid ? "UID THREAD" : "THREAD",
    uid ? "UID" : "THREAD",
    uid ? [{ kind: "raw", value: "THREAD" }, ...args] : args,
    ["THREAD"],
  );
  // Half a million threads take 0.1-0.3 s to read: in parts, the event loop turning (slices.ts).
  const threads: ThreadNode[] = [];
  const turn = turnOf(client);
  let response = 0;
  for (const item of responses.get("THREAD")!) {
    if (item === null || item === undefined) continue;
    const reader = new ThreadReader(item instanceof Uint8Array ? item : item[0], response++);
    while (!reader.step(THREAD_BYTES_PER_PART)) {
      const pending = turn();
      if (pending) await pending;
    }
    for (const thread of reader.threads) threads.push(thread);
  }
  return threads;
}

// THREAD bytes read between two looks at the event loop's clock (~25-80 ns a byte).
const THREAD_BYTES_PER_PART = 32 * 1024;
