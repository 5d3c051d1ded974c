/**
 * `searchMessages()`: SEARCH or UID SEARCH from a query object, numbers back.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { parseSearch } from "../search.ts";
import { run } from "./errors.ts";
import { searchArguments, type SearchQuery } from "./search_query.ts";

/**
 * Options of {@linkcode searchMessages}.
 *
 * @example UIDs rather than sequence numbers
 * ```ts
 * import type { SearchMessagesOptions } from "@imaplib/imaplib";
 * const options: SearchMessagesOptions = { uid: true };
 * console.assert(options.uid);
 * ```
 */
export interface SearchMessagesOptions {
  /** Send `UID SEARCH` and get UIDs back (RFC 3501 section 6.4.8). @default {false} */
  uid?: boolean;
  /** Cancels the search; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/**
 * Searches the selected mailbox (SEARCH, RFC 3501 section 6.4.4; `UID SEARCH` with
 * `{ uid: true }`) with criteria from a query object, and returns the matching numbers:
 * imapflow's `search()`.
 *
 * Everything is written for the caller: strings quoted (`"` and `\` escaped), strings with
 * non-ASCII characters sent as literals after `CHARSET UTF-8` (or quoted UTF-8 once
 * `UTF8=ACCEPT` is enabled, RFC 6855), dates as `D-Mon-YYYY`, nested `or`/`not` parenthesized.
 * Unknown keys are refused, so a typo does not widen the search. Unlike imaplib's `search()`,
 * whose arguments are sent as written, this is the command builder: it sends the criteria
 * with the literals they need (imaplib's `search()` cannot send a literal).
 *
 * @param client A logged-in client with a mailbox selected.
 * @param query The criteria; see {@linkcode SearchQuery}. `{}` matches all.
 * @param options `uid`, `signal`.
 * @returns The message numbers (UIDs with `uid`) in the server's order; `[]` for no match.
 * @throws {IMAP4CommandError} on NO or BAD, e.g. `BADCHARSET` from a server without UTF-8.
 * @throws {IMAP4ArgumentError} for an unknown key or a value that cannot be sent.
 * @throws {RangeError} for an invalid date or number.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Unread mail with a quoted word in the subject, since a day
 * ```ts ignore
 * import { IMAP4, searchMessages, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await selectMailbox(M, "INBOX");
 * const uids = await searchMessages(M, {
 *   seen: false,
 *   subject: 'the "final" offer',
 *   since: new Date("2025-06-01"),
 * }, { uid: true });
 * ```
 */
export async function searchMessages(
  client: IMAP4,
  query: SearchQuery,
  options: SearchMessagesOptions = {},
): Promise<number[]> {
  const { uid = false, signal } = options;
  const args = searchArguments(query, client.utf8_enabled);
  // Through the client's command core: imaplib's search() sends criteria as written, so it
  // has no way to send a string as a literal.
  const core = coreOf(client);
  const [, data] = await run(
    signal,
    "searchMessages()",
    uid ? "UID SEARCH" : "SEARCH",
    () =>
      uid
        ? core.untagged("UID", [{ kind: "raw", value: "SEARCH" }, ...args], "SEARCH")
        : core.untagged("SEARCH", args),
  );
  return parseSearch(data);
}
