/**
 * VANISHED responses (RFC 7162 section 3.2.10): the UIDs of expunged messages, which a server
 * with QRESYNC enabled sends instead of EXPUNGE, and with `(EARLIER)` in answer to a SELECT
 * with QRESYNC or a `UID FETCH ... (VANISHED)`.
 *
 * @module
 */

import type { DataItem } from "./data.ts";
import { expandSequenceSet, sortedUnique } from "./sequence_set.ts";
import { latin1 } from "./text.ts";

/** @internal The UIDs of VANISHED responses, split by whether they carried `(EARLIER)`. */
export interface VanishedUids {
  /** From `VANISHED (EARLIER) set`: expunged before the command (SELECT, UID FETCH). */
  earlier: number[];
  /** From `VANISHED set`: expunged now (EXPUNGE, UID EXPUNGE, another client). */
  now: number[];
}

const EARLIER = /^\(EARLIER\)\s*/i;

/**
 * @internal Reads the data of `response("VANISHED")` (`(EARLIER) 41,43:116`, `405,407`), each
 * set expanded, ascending, without duplicates.
 * @param limit Most UIDs one response may name: more throws a `RangeError` (a hostile or
 *   broken `1:4294967295` must not allocate gigabytes). @default {1_000_000}
 * @throws {TypedParseError} for a set that is not a sequence set.
 * @throws {RangeError} for a set naming more than `limit` UIDs.
 */
export function parseVanished(
  data: readonly DataItem[],
  limit = 1_000_000,
): VanishedUids {
  const earlier: number[] = [];
  const now: number[] = [];
  for (const datum of data) {
    if (!(datum instanceof Uint8Array)) continue;
    const text = latin1(datum).trim();
    const into = EARLIER.test(text) ? earlier : now;
    for (const uid of expandSequenceSet(text.replace(EARLIER, ""), { limit })) into.push(uid);
  }
  return { earlier: sortedUnique(earlier), now: sortedUnique(now) };
}
