/**
 * SEARCH (RFC 3501 section 7.2.5) and ESEARCH (RFC 4731, RFC 9051 section 7.3.4) responses.
 *
 * @module
 */

import { skipToClose } from "./envelope.ts";
import { eachResponse } from "./mailbox.ts";
import type { DataItem } from "./data.ts";
import { type ImapValue, UINT32_MAX } from "./tokens.ts";

const OPEN = 0x28;

/**
 * Parses the data of a SEARCH (or UID SEARCH, SORT) result into numbers, in the server's order,
 * all responses joined.
 *
 * Pure and synchronous. An empty result (`[b""]`, or imaplib's `[None]`) is `[]`. A CONDSTORE
 * `(MODSEQ n)` at the end (RFC 7162 section 3.1.5) is skipped; use ESEARCH for the mod-sequence.
 *
 * @param data The `data` of `M.search(...)` / `M.uid("SEARCH", ...)` / `M.sort(...)`.
 * @returns Message numbers or UIDs.
 * @throws {TypedParseError} for anything but numbers, or a number above 4294967295 (RFC 3501).
 *
 * @example Numbers, and no matches
 * ```ts
 * import { parseSearch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * console.assert(parseSearch([b("2 84 882")]).join() === "2,84,882");
 * console.assert(parseSearch([b("")]).length === 0 && parseSearch([null]).length === 0);
 * ```
 */
export function parseSearch(data: readonly DataItem[]): number[] {
  const out: number[] = [];
  eachResponse(data, (tok) => {
    while (!tok.atEnd()) {
      if (tok.peek() === OPEN) tok.skipValue();
      else out.push(tok.number(UINT32_MAX));
    }
  });
  return out;
}

/**
 * One ESEARCH response (RFC 4731; RFC 9051's answer to SEARCH).
 *
 * @example Counting
 * ```ts
 * import { parseEsearch } from "@imaplib/imaplib";
 * const [result] = parseEsearch([new TextEncoder().encode("UID COUNT 0")]);
 * console.assert(result.uid && result.count === 0 && result.all === undefined);
 * ```
 */
export interface EsearchResult {
  /** The tag of the command this answers (`(TAG "A282")`), if given. */
  tag?: string;
  /** Whether the numbers are UIDs (the `UID` indicator). */
  uid: boolean;
  /** MIN: the lowest matching number. */
  min?: number;
  /** MAX: the highest matching number. */
  max?: number;
  /** COUNT: how many matched. */
  count?: number;
  /**
   * ALL: the matches as a compact sequence set, as sent (`"2:4,6"`); expand it with
   * `expandSequenceSet(result.all)`, which refuses sets too large to hold.
   */
  all?: string;
  /** MODSEQ (RFC 7162 section 3.1.5): the highest mod-sequence of the matches. */
  modseq?: bigint;
  /** PARTIAL (RFC 9394): the range asked for and the matches in it (a sequence set). */
  partial?: { range: string; set?: string };
  /** Return data this parser does not know, by upper-case name, values as read. */
  extra?: Map<string, ImapValue>;
}

/**
 * Parses ESEARCH responses (RFC 4731 section 3.1; RFC 9051 section 7.3.4), one object each.
 *
 * Pure and synchronous. Return data in any order and case; unknown return data lands in
 * `extra`.
 *
 * @param data The data of ESEARCH responses, e.g. `M.response("ESEARCH")`'s.
 * @returns One result per response.
 * @throws {TypedParseError} for a response that is not an ESEARCH response (MIN, MAX and COUNT
 *   above 4294967295 included).
 *
 * @example RFC 4731's example, ALL expanded
 * ```ts
 * import { expandSequenceSet, parseEsearch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [r] = parseEsearch([b('(TAG "A282") UID MIN 2 COUNT 4 ALL 2:4,6')]);
 * console.assert(r.tag === "A282" && r.uid && r.min === 2 && r.count === 4);
 * console.assert(expandSequenceSet(r.all!).join() === "2,3,4,6");
 * ```
 */
export function parseEsearch(data: readonly DataItem[]): EsearchResult[] {
  return eachResponse(data, (tok) => {
    const result: EsearchResult = { uid: false };
    if (tok.listStart()) {
      // search-correlator: ("TAG" tag-string); further correlators (RFC 7377) skipped.
      while (!tok.listEnd()) {
        if (tok.peek() === -1) tok.fail('expected ")"');
        const name = tok.nstringText() ?? "";
        if (name.toUpperCase() === "TAG") result.tag = tok.nstringText() ?? undefined;
        else if (tok.peek() !== 0x29) tok.skipValue();
      }
      if (result.tag === undefined) delete result.tag;
    }
    while (!tok.atEnd()) {
      const name = tok.atom().toUpperCase();
      switch (name) {
        case "UID":
          result.uid = true;
          break;
        case "MIN":
          result.min = tok.number(UINT32_MAX);
          break;
        case "MAX":
          result.max = tok.number(UINT32_MAX);
          break;
        case "COUNT":
          result.count = tok.number(UINT32_MAX);
          break;
        case "ALL":
          result.all = tok.atom();
          break;
        case "MODSEQ":
          result.modseq = tok.bigNumber();
          break;
        case "PARTIAL": {
          tok.expect(OPEN);
          const range = tok.atom();
          const set = tok.nstringText();
          result.partial = set === null ? { range } : { range, set };
          skipToClose(tok);
          break;
        }
        default:
          (result.extra ??= new Map()).set(name, tok.value());
      }
    }
    return result;
  });
}
