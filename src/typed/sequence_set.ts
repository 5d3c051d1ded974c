/**
 * Sequence sets (RFC 3501 section 9, `sequence-set`): `"1:3,5,9:*"` to numbers and back.
 *
 * @module
 */

import { TypedParseError } from "./errors.ts";

/**
 * Options of {@linkcode expandSequenceSet}.
 *
 * @example `*` and a limit
 * ```ts
 * import { expandSequenceSet } from "@imaplib/imaplib";
 * console.assert(expandSequenceSet("5:*", { max: 7, limit: 10 }).join() === "5,6,7");
 * ```
 */
export interface ExpandOptions {
  /**
   * The number `*` stands for (the highest UID or message number in the mailbox). Without it a
   * set containing `*` throws a `TypedParseError`.
   */
  max?: number;
  /**
   * Most numbers the expansion may produce; a set naming more throws a `RangeError` before
   * anything is allocated (`1:4294967295` would otherwise take 34 GB).
   * @default {1_000_000}
   */
  limit?: number;
}

const RANGE = /^(\d+|\*)(?::(\d+|\*))?$/;

function bound(text: string, set: string, at: number, max: number | undefined): number {
  if (text === "*") {
    if (max === undefined) {
      throw new TypedParseError(`Cannot expand sequence set: "*" needs options.max`, at);
    }
    return max;
  }
  const n = Number(text);
  if (n < 1 || n > 0xffffffff) {
    throw new TypedParseError(
      `Cannot parse sequence set: ${text} is not a number 1..4294967295 in "${set}"`,
      at,
    );
  }
  return n;
}

// [low, high] pairs of a set, in the order written; none for "" (no numbers, as
// compressSequenceSet writes an empty list).
function ranges(set: string, max: number | undefined): [number, number][] {
  const out: [number, number][] = [];
  if (set === "") return out;
  let at = 0;
  for (const item of set.split(",")) {
    const m = RANGE.exec(item);
    if (m === null) {
      throw new TypedParseError(`Cannot parse sequence set: "${set}" at offset ${at}`, at);
    }
    const a = bound(m[1], set, at, max);
    const b = m[2] === undefined ? a : bound(m[2], set, at, max);
    out.push(a <= b ? [a, b] : [b, a]);
    at += item.length + 1;
  }
  return out;
}

/**
 * Counts the numbers a sequence set names (each range counted once per time it is written).
 *
 * @param set A sequence set, e.g. `"1:3,5"`.
 * @param max What `*` stands for.
 * @returns The count (`"1:3,5"` is 4).
 * @throws {TypedParseError} for text that is not a sequence set, or `*` without `max`.
 *
 * @example Counting
 * ```ts
 * import { countSequenceSet } from "@imaplib/imaplib";
 * console.assert(countSequenceSet("1:3,5") === 4);
 * console.assert(countSequenceSet("7:*", 9) === 3);
 * ```
 */
export function countSequenceSet(set: string, max?: number): number {
  let count = 0;
  for (const [low, high] of ranges(set, max)) count += high - low + 1;
  return count;
}

/**
 * Expands a sequence set (RFC 3501 section 9) to its numbers, in the order written: `"3:1"` is
 * `[1, 2, 3]` (a range names the same numbers either way, RFC 3501), `"5,1"` stays `[5, 1]`.
 * Numbers written twice come out twice (the server's order matters for COPYUID). The empty
 * string (what {@linkcode compressSequenceSet} writes for no numbers) is `[]`.
 *
 * @param set A sequence set as the server sent it (`"1:3,5"`, `"2:4,6"` from ESEARCH ALL).
 * @param options `max` for `*`; `limit` on the count.
 * @returns The numbers.
 * @throws {TypedParseError} for text that is not a sequence set, or `*` without `max`.
 * @throws {RangeError} when the set names more than `options.limit` numbers.
 *
 * @example Expanding an ESEARCH ALL set
 * ```ts
 * import { expandSequenceSet } from "@imaplib/imaplib";
 * console.assert(expandSequenceSet("2:4,6").join() === "2,3,4,6");
 * console.assert(expandSequenceSet("8:*", { max: 9 }).join() === "8,9");
 * ```
 */
export function expandSequenceSet(set: string, options: ExpandOptions = {}): number[] {
  const limit = options.limit ?? 1_000_000;
  const parsed = ranges(set, options.max);
  let count = 0;
  for (const [low, high] of parsed) count += high - low + 1;
  if (count > limit) {
    throw new RangeError(`Sequence set names ${count} numbers, more than the limit of ${limit}`);
  }
  const out: number[] = new Array(count);
  let i = 0;
  for (const [low, high] of parsed) for (let n = low; n <= high; n++) out[i++] = n;
  return out;
}

/**
 * Writes numbers as a compact sequence set: sorted ascending, duplicates dropped, runs of
 * consecutive numbers as `low:high`.
 *
 * @param numbers Message numbers or UIDs (positive integers).
 * @returns The set, e.g. `"1:3,5"`; `""` for no numbers.
 * @throws {RangeError} for a number that is not an integer from 1 to 4294967295.
 *
 * @example Compacting search results
 * ```ts
 * import { compressSequenceSet } from "@imaplib/imaplib";
 * console.assert(compressSequenceSet([5, 1, 2, 3, 3]) === "1:3,5");
 * ```
 */
export function compressSequenceSet(numbers: Iterable<number>): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  for (const n of sorted) {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
      throw new RangeError(`Not a message number or UID: ${n}`);
    }
  }
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
