/**
 * `searchMessages()`: SEARCH or UID SEARCH from a query object, numbers back; and the SEARCH
 * runner the other typed functions share, which reads `* SEARCH` or `* ESEARCH` answers.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import type { Argument } from "../../wire/encoder.ts";
import { type EsearchResult, parseEsearch, parseSearch } from "../search.ts";
import { expandSequenceSet } from "../sequence_set.ts";
import { collect } from "./collect.ts";
import { parseInParts, searchParts, turnOf } from "./slices.ts";
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
  /**
   * Most numbers a compact ESEARCH `ALL` set (`1:4000000`, RFC 4731) may expand to: a larger
   * set throws a `RangeError` before anything is allocated. Plain SEARCH results are bounded
   * by the line limit instead.
   * @default {1_000_000}
   */
  limit?: number;
  /** Cancels the search; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/**
 * @internal Runs SEARCH or UID SEARCH with `args` (criteria, after `RETURN (...)` for ESEARCH
 * if wanted) and returns what answered it: the ESEARCH response tagged for this command (an
 * IMAP4rev2 server answers a plain SEARCH so too, RFC 9051 section 6.4.4), or the numbers of
 * the `* SEARCH` responses.
 */
export async function search(
  client: IMAP4,
  method: string,
  args: Argument[],
  uid: boolean,
  signal: AbortSignal | undefined,
): Promise<EsearchResult | number[]> {
  const { tag, responses } = await collect(
    client,
    signal,
    method,
    uid ? "UID SEARCH" : "SEARCH",
    uid ? "UID" : "SEARCH",
    uid ? [{ kind: "raw", value: "SEARCH" }, ...args] : args,
    ["ESEARCH", "SEARCH"],
  );
  // RFC 4731 section 3.1: the correlator names the command; one without a tag answers the
  // command in progress.
  const esearch = parseEsearch(responses.get("ESEARCH")!)
    .filter((r) => r.tag === undefined || r.tag === tag);
  if (esearch.length > 0) return esearch[esearch.length - 1];
  // A million numbers come in one 7 MB line (~0.1 s to read): in parts, the loop turning.
  const data = responses.get("SEARCH")!;
  return parseInParts(searchParts(data), parseSearch, turnOf(client), data, 1);
}

/**
 * @internal SEARCH or UID SEARCH from a query object, with `returnOptions` (`"RETURN (...)"`)
 * or none; see {@linkcode search}.
 */
export function runSearch(
  client: IMAP4,
  method: string,
  query: SearchQuery,
  options: { uid?: boolean; signal?: AbortSignal },
  returnOptions?: string,
): Promise<EsearchResult | number[]> {
  // Through the client's command core: imaplib's search() sends criteria as written, so it
  // has no way to send a string as a literal.
  const args: Argument[] = searchArguments(query, client.utf8_enabled, client.capabilities);
  if (returnOptions) args.unshift({ kind: "raw", value: returnOptions });
  return search(client, method, args, options.uid ?? false, options.signal);
}

/**
 * @internal `UID SEARCH criteria` (raw criteria, e.g. a sequence set or `ALL`) as UIDs, from
 * `* SEARCH` or, in IMAP4rev2, `* ESEARCH` (expanded up to `limit` numbers).
 */
export async function searchUids(
  client: IMAP4,
  method: string,
  criteria: string,
  signal: AbortSignal | undefined,
  limit?: number,
): Promise<number[]> {
  const answer = await search(client, method, [{ kind: "raw", value: criteria }], true, signal);
  return Array.isArray(answer) ? answer : expandAll(answer.all, limit);
}

/**
 * @internal An ESEARCH `ALL` set as numbers; `[]` when absent (no match).
 * @throws {RangeError} when it names more than `limit` numbers.
 */
export function expandAll(set: string | undefined, limit = 1_000_000): number[] {
  if (set === undefined) return [];
  try {
    return expandSequenceSet(set, { limit });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(
      `${error.message} (an ESEARCH ALL result; raise the \`limit\` option to accept it)`,
      { cause: error },
    );
  }
}

/**
 * Searches the selected mailbox (SEARCH, RFC 3501 section 6.4.4; `UID SEARCH` with
 * `{ uid: true }`) with criteria from a query object, and returns the matching numbers:
 * imapflow's `search()`.
 *
 * Either answer is read: `* SEARCH` numbers, or the `* ESEARCH` an IMAP4rev2 server sends
 * instead (RFC 9051 section 6.4.4; see `enableImap4rev2()`), whose compact set (`ALL 1:3,5`) is
 * expanded up to `limit` numbers.
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
 * @param options `uid`, `limit`, `signal`.
 * @returns The message numbers (UIDs with `uid`) in the server's order; `[]` for no match.
 * @throws {IMAP4CommandError} on NO or BAD, e.g. `BADCHARSET` from a server without UTF-8.
 * @throws {IMAP4ArgumentError} for an unknown key or a value that cannot be sent.
 * @throws {RangeError} for an invalid date or number, or an ESEARCH set over `limit`.
 * @throws {TypedParseError} for an answer that is not numbers or an ESEARCH response (the
 *   command has completed: the connection stays in step).
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
  const answer = await runSearch(client, "searchMessages()", query, options);
  return Array.isArray(answer) ? answer : expandAll(answer.all, options.limit);
}
