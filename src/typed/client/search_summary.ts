/**
 * `searchSummary()`: ESEARCH (RFC 4731) from a query object: the lowest and highest match, how
 * many, and all of them as numbers, in one round trip.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4ArgumentError } from "../../errors.ts";
import { countSequenceSet } from "../sequence_set.ts";
import { isImap4rev2 } from "./imap4rev2.ts";
import type { SearchQuery } from "./search_query.ts";
import { expandAll, runSearch, type SearchMessagesOptions } from "./search_messages.ts";

/** What {@linkcode searchSummary} can ask for: RFC 4731's return options, in lower case. */
export type SearchReturn = "min" | "max" | "count" | "all";

/**
 * Options of {@linkcode searchSummary}.
 *
 * @example Only how many
 * ```ts
 * import type { SearchSummaryOptions } from "@imaplib/imaplib";
 * const options: SearchSummaryOptions = { uid: true, returns: ["count"] };
 * console.assert(options.returns?.length === 1);
 * ```
 */
export interface SearchSummaryOptions extends SearchMessagesOptions {
  /** The results wanted. @default {["min", "max", "count", "all"]} */
  returns?: readonly SearchReturn[];
}

/**
 * The answer of {@linkcode searchSummary}: each field asked for in `returns`; `min` and `max`
 * are absent when nothing matched.
 *
 * @example No match
 * ```ts
 * import type { SearchSummary } from "@imaplib/imaplib";
 * const none: SearchSummary = { count: 0, all: [] };
 * console.assert(none.min === undefined);
 * ```
 */
export interface SearchSummary {
  /** MIN: the lowest matching number (a UID with `uid`). */
  min?: number;
  /** MAX: the highest matching number. */
  max?: number;
  /** COUNT: how many matched. */
  count?: number;
  /** ALL: every match, ascending (the compact set expanded, up to `limit` numbers). */
  all?: number[];
  /** MODSEQ (RFC 7162 section 3.1.5): the highest mod-sequence of the matches, when sent. */
  modseq?: bigint;
}

const RETURNS: Record<SearchReturn, string> = {
  min: "MIN",
  max: "MAX",
  count: "COUNT",
  all: "ALL",
};

const ALL_RETURNS: readonly SearchReturn[] = ["min", "max", "count", "all"];

/**
 * Searches the selected mailbox like {@linkcode searchMessages} and returns a summary: the
 * lowest and highest matching number, how many matched, and all matches (RFC 4731 ESEARCH:
 * `SEARCH RETURN (MIN MAX COUNT ALL)`). Where the server advertises `ESEARCH` (or IMAP4rev2 is
 * enabled) the server computes it and sends a compact set (`ALL 2:4,9`); otherwise a plain
 * SEARCH runs and the summary is computed here. One command either way.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param query The criteria, as for {@linkcode searchMessages}.
 * @param options `uid`, `returns` (default: all four), `limit`, `signal`.
 * @returns `{ min, max, count, all }`, each only if asked; `all` is `[]` and `count` 0 for no
 *   match.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4ArgumentError} for an unknown return option, or a query that cannot be sent.
 * @throws {RangeError} when ALL names more than `limit` numbers (nothing is allocated), or for
 *   an invalid date or number in the query.
 * @throws {TypedParseError} for an answer that is not numbers or an ESEARCH response.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example How many unread, and the newest
 * ```ts ignore
 * import { searchSummary, selectMailbox } from "@imaplib/imaplib";
 * await selectMailbox(M, "INBOX");
 * const { count, max } = await searchSummary(M, { seen: false }, {
 *   uid: true,
 *   returns: ["count", "max"],
 * });
 * ```
 */
export async function searchSummary(
  client: IMAP4,
  query: SearchQuery,
  options: SearchSummaryOptions = {},
): Promise<SearchSummary> {
  const returns = new Set(options.returns ?? ALL_RETURNS);
  for (const r of returns) {
    if (!Object.hasOwn(RETURNS, r)) {
      throw new IMAP4ArgumentError(`not a search return option: ${JSON.stringify(r)}`);
    }
  }
  const esearch = client.capabilities.includes("ESEARCH") || isImap4rev2(client);
  // RFC 4731 section 3.1: an empty RETURN () means ALL, so none asked is sent as COUNT.
  const items = returns.size > 0 ? [...returns].map((r) => RETURNS[r]) : ["COUNT"];
  const answer = await runSearch(
    client,
    "searchSummary()",
    query,
    options,
    esearch ? `RETURN (${items.join(" ")})` : undefined,
  );
  const summary: SearchSummary = {};
  if (Array.isArray(answer) || !esearch) {
    // Plain SEARCH numbers, or an ESEARCH the client did not ask for (a server switched to
    // IMAP4rev2 by `M.enable()`): computed here.
    const numbers = Array.isArray(answer) ? answer : expandAll(answer.all, options.limit);
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    if (returns.has("min") && sorted.length > 0) summary.min = sorted[0];
    if (returns.has("max") && sorted.length > 0) summary.max = sorted[sorted.length - 1];
    if (returns.has("count")) summary.count = sorted.length;
    if (returns.has("all")) summary.all = sorted;
    return summary;
  }
  if (returns.has("min") && answer.min !== undefined) summary.min = answer.min;
  if (returns.has("max") && answer.max !== undefined) summary.max = answer.max;
  if (returns.has("count")) {
    // A server that sent ALL without the COUNT asked for: counted from the set, not expanded.
    summary.count = answer.count ?? (answer.all === undefined ? 0 : countSequenceSet(answer.all));
  }
  if (returns.has("all")) summary.all = expandAll(answer.all, options.limit);
  if (answer.modseq !== undefined) summary.modseq = answer.modseq;
  return summary;
}
