/**
 * SEARCH criteria (RFC 3501 section 6.4.4) from an imapflow-like query object: every key
 * checked, every string quoted or sent as a literal, every date written as IMAP wants it.
 *
 * @module
 */

import { IMAP4ArgumentError, IMAP4Error } from "../../errors.ts";
import type { Argument } from "../../wire/encoder.ts";
import { atom, FIELD_NAME, type MessageSet, modseqArg, quoted, sequenceSet } from "./arguments.ts";

/**
 * A SEARCH query, imapflow's `SearchObject`: every key given must match (AND); `or` and `not`
 * combine queries. `{}` matches every message.
 *
 * Strings match as substrings, case-insensitively (RFC 3501 section 6.4.4); any text may be
 * given, quotes, backslashes and non-ASCII included: {@linkcode searchMessages} quotes it, or
 * sends it as a literal with `CHARSET UTF-8` (or quoted UTF-8 once `UTF8=ACCEPT` is enabled).
 * Dates match whole days (the server's day boundaries; RFC 3501 ignores time and zone): a
 * `Date` stands for its day in UTC, a string `"YYYY-MM-DD"` for that day.
 *
 * | key                           | criterion                                          |
 * | ----------------------------- | -------------------------------------------------- |
 * | `all: true`                   | `ALL`                                              |
 * | `seq`                         | a sequence set of message numbers                  |
 * | `uid`                         | `UID set`                                          |
 * | `seen`, `answered`, `flagged`, `deleted`, `draft` | `SEEN` if true, `UNSEEN` (etc.) if false |
 * | `recent`, `new`, `old`        | `RECENT`, `NEW`, `OLD` if true; `NOT ...` if false |
 * | `keyword`, `unKeyword`        | `KEYWORD k`, `UNKEYWORD k`                         |
 * | `from`, `to`, `cc`, `bcc`, `subject`, `body`, `text` | `FROM "..."` (etc.)         |
 * | `header: { name: value }`     | `HEADER name "value"` each; `true` for "has the field" |
 * | `since`, `before`, `on`       | `SINCE d`, `BEFORE d`, `ON d` (INTERNALDATE)       |
 * | `sentSince`, `sentBefore`, `sentOn` | `SENTSINCE d` (etc.: the Date header)        |
 * | `larger`, `smaller`           | `LARGER n`, `SMALLER n` (bytes)                    |
 * | `modseq`                      | `MODSEQ n` (RFC 7162)                              |
 * | `emailId`, `threadId`         | `EMAILID id`, `THREADID id` (RFC 8474); on Gmail without OBJECTID, `X-GM-MSGID id`, `X-GM-THRID id` |
 * | `gmraw`                       | `X-GM-RAW "..."`: Gmail's own search syntax (X-GM-EXT-1) |
 * | `or: [q1, q2, ...]`           | any of the queries                                 |
 * | `not: q`                      | not the query                                      |
 *
 * @example Unread mail from Bob this year, or anything flagged
 * ```ts
 * import type { SearchQuery } from "@imaplib/imaplib";
 * const query: SearchQuery = {
 *   or: [{ seen: false, from: "bob@example.org", since: new Date("2025-01-01") }, { flagged: true }],
 * };
 * console.assert(query.or?.length === 2);
 * ```
 */
export interface SearchQuery {
  /** Every message (the empty query means the same). */
  all?: boolean;
  /** Messages by sequence number. */
  seq?: MessageSet;
  /** Messages by UID. */
  uid?: MessageSet;
  /** `\Answered` set (true) or not (false). */
  answered?: boolean;
  /** `\Deleted` set or not. */
  deleted?: boolean;
  /** `\Draft` set or not. */
  draft?: boolean;
  /** `\Flagged` set or not. */
  flagged?: boolean;
  /** `\Seen` set or not. */
  seen?: boolean;
  /** `\Recent` set (RECENT) or not (OLD). */
  recent?: boolean;
  /** NEW: recent and unseen. */
  new?: boolean;
  /** OLD: not recent. */
  old?: boolean;
  /** Has this keyword (an atom, e.g. `"$Forwarded"`). */
  keyword?: string;
  /** Lacks this keyword. */
  unKeyword?: string;
  /** The From header contains this. */
  from?: string;
  /** The To header contains this. */
  to?: string;
  /** The Cc header contains this. */
  cc?: string;
  /** The Bcc header contains this. */
  bcc?: string;
  /** The Subject contains this. */
  subject?: string;
  /** The body contains this. */
  body?: string;
  /** The header or body contains this. */
  text?: string;
  /** Each named header field contains its value (`true`: the field exists). */
  header?: Record<string, string | boolean>;
  /** INTERNALDATE on or after this day. */
  since?: Date | string;
  /** INTERNALDATE before this day. */
  before?: Date | string;
  /** INTERNALDATE on this day. */
  on?: Date | string;
  /** Date header on or after this day. */
  sentSince?: Date | string;
  /** Date header before this day. */
  sentBefore?: Date | string;
  /** Date header on this day. */
  sentOn?: Date | string;
  /** RFC822.SIZE larger than this many bytes. */
  larger?: number;
  /** RFC822.SIZE smaller than this many bytes. */
  smaller?: number;
  /** Mod-sequence at least this (RFC 7162; enables CONDSTORE). */
  modseq?: bigint | number;
  /** RFC 8474 EMAILID; Gmail's X-GM-MSGID (a decimal number) where the server has no OBJECTID. */
  emailId?: string;
  /** RFC 8474 THREADID; Gmail's X-GM-THRID where the server has no OBJECTID. */
  threadId?: string;
  /**
   * A Gmail search (`X-GM-RAW`, as in Gmail's search box: `"has:attachment larger:5M"`). Needs
   * the server's `X-GM-EXT-1`; elsewhere the query throws `IMAP4Error` before anything is sent.
   */
  gmraw?: string;
  /** Any of these queries (at least one). */
  or?: SearchQuery[];
  /** Not this query. */
  not?: SearchQuery;
}

// A criterion's pieces: raw text, or a string (quoted or a literal, by the encoder).
type Token = string | { string: string };

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
const FLAG_KEYS: Record<string, [string, string]> = {
  answered: ["ANSWERED", "UNANSWERED"],
  deleted: ["DELETED", "UNDELETED"],
  draft: ["DRAFT", "UNDRAFT"],
  flagged: ["FLAGGED", "UNFLAGGED"],
  seen: ["SEEN", "UNSEEN"],
  recent: ["RECENT", "OLD"],
  new: ["NEW", "NOT NEW"],
  old: ["OLD", "NOT OLD"],
  all: ["ALL", "NOT ALL"],
};
const DATE_KEYS: Record<string, string> = {
  since: "SINCE",
  before: "BEFORE",
  on: "ON",
  sentSince: "SENTSINCE",
  sentBefore: "SENTBEFORE",
  sentOn: "SENTON",
};
const STRING_KEYS = ["from", "to", "cc", "bcc", "subject", "body", "text"];
const OBJECT_ID = /^[A-Za-z0-9_-]+$/;

/** @internal A day as RFC 3501 `date` (`1-Feb-2025`): a Date's day in UTC, or `YYYY-MM-DD`. */
export function searchDate(value: Date | string): string {
  const date = typeof value === "string"
    ? (/^\d{4}-\d\d-\d\d$/.test(value) ? new Date(value + "T00:00:00Z") : new Date(NaN))
    : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new RangeError(`not a date (a Date, or "YYYY-MM-DD"): ${String(value)}`);
  }
  return `${date.getUTCDate()}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()}`;
}

function bad(key: string, value: unknown): IMAP4ArgumentError {
  return new IMAP4ArgumentError(`search: bad value for ${key}: ${String(value)}`);
}

// Adds the search-key(s) of one query key to `keys`, each key as its tokens.
function criterion(
  key: string,
  value: unknown,
  keys: Token[][],
  caps: readonly string[],
): void {
  if (value === undefined) return;
  if (key in FLAG_KEYS) {
    if (typeof value !== "boolean") throw bad(key, value);
    keys.push([FLAG_KEYS[key][value ? 0 : 1]]);
  } else if (key in DATE_KEYS) {
    keys.push([`${DATE_KEYS[key]} ${searchDate(value as Date | string)}`]);
  } else if (STRING_KEYS.includes(key)) {
    if (typeof value !== "string") throw bad(key, value);
    keys.push([key.toUpperCase(), { string: value }]);
  } else if (key === "seq" || key === "uid") {
    const set = sequenceSet(value as MessageSet);
    if (set === "") throw bad(key, "an empty set");
    keys.push([key === "uid" ? `UID ${set}` : set]);
  } else if (key === "keyword" || key === "unKeyword") {
    keys.push([`${key.toUpperCase()} ${atom(String(value), "keyword")}`]);
  } else if (key === "larger" || key === "smaller") {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw bad(key, value);
    keys.push([`${key.toUpperCase()} ${value}`]);
  } else if (key === "modseq") {
    keys.push([`MODSEQ ${modseqArg(value as bigint | number, true)}`]);
  } else if (key === "emailId" || key === "threadId") {
    let name = key.toUpperCase();
    // Gmail has RFC 8474's ids under its own names (X-GM-EXT-1), as imapflow sends them.
    if (!caps.includes("OBJECTID") && caps.includes("X-GM-EXT-1")) {
      name = key === "emailId" ? "X-GM-MSGID" : "X-GM-THRID";
    }
    keys.push([`${name} ${atom(String(value), key, OBJECT_ID)}`]);
  } else if (key === "gmraw") {
    if (typeof value !== "string") throw bad(key, value);
    if (!caps.includes("X-GM-EXT-1")) {
      throw new IMAP4Error("search: gmraw needs a server with X-GM-EXT-1 (Gmail)");
    }
    keys.push(["X-GM-RAW", { string: value }]);
  } else if (key === "header") {
    if (typeof value !== "object" || value === null) throw bad(key, value);
    for (const [name, match] of Object.entries(value)) {
      if (typeof match !== "string" && match !== true) throw bad(`header ${name}`, match);
      keys.push([`HEADER ${atom(name, "header field name", FIELD_NAME)}`, {
        string: match === true ? "" : match,
      }]);
    }
  } else if (key === "not") {
    keys.push(["NOT", ...group(value as SearchQuery, caps)]);
  } else if (key === "or") {
    if (!Array.isArray(value) || value.length === 0) throw bad(key, "not a non-empty array");
    // OR takes two keys: `OR a OR b c` for three.
    const chain: Token[] = [];
    for (let i = 0; i < value.length - 1; i++) chain.push("OR", ...group(value[i], caps));
    keys.push([...chain, ...group(value[value.length - 1], caps)]);
  } else {
    throw new IMAP4ArgumentError(`search: unknown key ${JSON.stringify(key)}`);
  }
}

// The search-keys of a query; `ALL` for none.
function keysOf(query: SearchQuery, caps: readonly string[]): Token[][] {
  if (typeof query !== "object" || query === null) throw bad("query", query);
  const keys: Token[][] = [];
  for (const [key, value] of Object.entries(query)) criterion(key, value, keys, caps);
  return keys.length > 0 ? keys : [["ALL"]];
}

// A query as one search-key: parenthesized when it has several (the `)` placed by
// searchArguments()).
function group(query: SearchQuery, caps: readonly string[]): Token[] {
  const keys = keysOf(query, caps);
  if (keys.length === 1) return keys[0];
  const out = keys.flat();
  out[0] = `(${out[0]}`; // every key starts with raw text
  out.push(")");
  return out;
}

/**
 * @internal The SEARCH arguments of `query`: raw criteria with strings quoted in them; a
 * string that is not printable ASCII outside UTF-8 mode (`utf8` false) as a `string` argument,
 * which the encoder sends as a literal, and then `CHARSET UTF-8` first.
 * `capabilities` are the server's (Gmail's names for `emailId`, `threadId`; `gmraw`).
 * @throws {IMAP4ArgumentError} for an unknown key or a value that cannot be sent.
 * @throws {IMAP4Error} for `gmraw` without X-GM-EXT-1.
 * @throws {RangeError} for a bad date, number or mod-sequence.
 */
export function searchArguments(
  query: SearchQuery,
  utf8: boolean,
  capabilities: readonly string[] = [],
): Argument[] {
  const args: Argument[] = [];
  let literals = false;
  for (const token of keysOf(query, capabilities).flat()) {
    const last = args[args.length - 1];
    if (token === ")") {
      // A literal cannot be followed by `)` without a space: after one, `ALL)` (ALL is the
      // identity of AND) closes the group.
      if (last.kind === "raw") last.value += ")";
      else args.push({ kind: "raw", value: "ALL)" });
    } else if (typeof token === "string") {
      args.push({ kind: "raw", value: token });
    } else if (utf8 || /^[ -~]*$/.test(token.string)) {
      args.push({ kind: "raw", value: quoted(token.string) });
    } else {
      literals = true;
      args.push({ kind: "string", value: token.string });
    }
  }
  if (literals && !utf8) args.unshift({ kind: "raw", value: "CHARSET UTF-8" });
  return args;
}
