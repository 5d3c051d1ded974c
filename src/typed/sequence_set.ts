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

const COMMA = 0x2c;
const COLON = 0x3a;
const STAR = 0x2a;

function badSet(set: string, at: number): TypedParseError {
  return new TypedParseError(`Cannot parse sequence set: "${set}" at offset ${at}`, at);
}

/**
 * @internal The ranges of a set as flat `[low, high, low, high, ...]` in the order written
 * (each low <= high); none for `""` (no numbers, as compressSequenceSet writes an empty list).
 * One pass over the characters, no regular expression or substring per item: a COPYUID or
 * ESEARCH set can name a million items.
 * @throws {TypedParseError} for text that is not a set, or `*` without `max`.
 */
export function sequenceRanges(set: string, max?: number): number[] {
  const out: number[] = [];
  if (set === "") return out;
  let at = 0;
  // A number or `*` at `at`, read past; `item` is where its range starts (for errors).
  const bound = (item: number): number => {
    if (set.charCodeAt(at) === STAR) {
      if (max === undefined) {
        throw new TypedParseError(`Cannot expand sequence set: "*" needs options.max`, item);
      }
      at++;
      return max;
    }
    const start = at;
    let n = 0;
    for (let c = set.charCodeAt(at) - 0x30; c >= 0 && c <= 9; c = set.charCodeAt(++at) - 0x30) {
      n = n * 10 + c;
    }
    if (at === start) throw badSet(set, item);
    if (n < 1 || n > 0xffffffff) {
      throw new TypedParseError(
        `Cannot parse sequence set: ${set.slice(start, at)} is not a number 1..4294967295 ` +
          `in "${set}"`,
        item,
      );
    }
    return n;
  };
  for (;;) {
    const item = at;
    const low = bound(item);
    let high = low;
    if (set.charCodeAt(at) === COLON) {
      at++;
      high = bound(item);
    }
    out.push(Math.min(low, high), Math.max(low, high));
    if (at === set.length) return out;
    if (set.charCodeAt(at) !== COMMA || at + 1 === set.length) throw badSet(set, item);
    at++;
  }
}

/**
 * @internal The value of `text` when it is an RFC 3501 `number` (digits, at most 4294967295),
 * else `undefined`: a count or a number in imaplib's data (`EXISTS`, `EXPUNGE`, `UIDNEXT`).
 */
export function numberText(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) && +text <= 0xffffffff ? +text : undefined;
}

/**
 * @internal Numbers sorted ascending, duplicates dropped: a native `Uint32Array` sort, where a
 * `Set` and a sort with a comparator take ~0.4 s for a million UIDs (QRESYNC's VANISHED) and a
 * `Float64Array` sort 115 ms (29 ms here). The numbers must be integers from 0 to 4294967295
 * (message numbers and UIDs the caller has checked): others would wrap.
 */
export function sortedUnique(numbers: ArrayLike<number>): number[] {
  const sorted = new Uint32Array(numbers).sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  }
  return out;
}

/** @internal The numbers that ranges from {@linkcode sequenceRanges} name. */
export function rangesCount(pairs: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < pairs.length; i += 2) count += pairs[i + 1] - pairs[i] + 1;
  return count;
}

/**
 * @internal COPYUID's mapping (RFC 4315 section 3: the n-th source UID went to the n-th
 * destination UID) from the ranges of the two sets, which must name as many numbers, built a
 * step at a time so that a million UIDs can be mapped between turns of the event loop.
 */
export class UidMapBuilder {
  /** Source UID to destination UID, filled by {@linkcode UidMapBuilder.step}. */
  readonly map: Map<number, number> = new Map();
  #from: readonly number[];
  #to: readonly number[];
  #fromPair = 0;
  #toPair = 0;
  #source: number;
  #destination: number;

  constructor(from: readonly number[], to: readonly number[]) {
    this.#from = from;
    this.#to = to;
    this.#source = from[0];
    this.#destination = to[0];
  }

  /** Maps up to `entries` more UIDs; true once every UID is mapped. */
  step(entries: number): boolean {
    const from = this.#from;
    const to = this.#to;
    const map = this.map;
    for (let n = 0; n < entries && this.#fromPair < from.length; n++) {
      map.set(this.#source, this.#destination);
      if (this.#source === from[this.#fromPair + 1]) {
        this.#fromPair += 2;
        this.#source = from[this.#fromPair];
      } else {
        this.#source++;
      }
      if (this.#destination === to[this.#toPair + 1]) {
        this.#toPair += 2;
        this.#destination = to[this.#toPair];
      } else {
        this.#destination++;
      }
    }
    return this.#fromPair >= from.length;
  }
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
  return rangesCount(sequenceRanges(set, max));
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
  const pairs = sequenceRanges(set, options.max);
  const count = rangesCount(pairs);
  if (count > limit) {
    throw new RangeError(`Sequence set names ${count} numbers, more than the limit of ${limit}`);
  }
  const out: number[] = new Array(count);
  let i = 0;
  for (let p = 0; p < pairs.length; p += 2) {
    for (let n = pairs[p], high = pairs[p + 1]; n <= high; n++) out[i++] = n;
  }
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
  // Search results come ascending: then the numbers are only checked, not copied or sorted
  // (a Set and a sort with a comparator took a third of a second for a million numbers).
  const list: ArrayLike<number> = Array.isArray(numbers) ? numbers : [...numbers];
  let ascending = true;
  for (let i = 0; i < list.length; i++) {
    const n = list[i];
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
      throw new RangeError(`Not a message number or UID: ${n}`);
    }
    if (i > 0 && n < list[i - 1]) ascending = false;
  }
  // Runs absorb duplicates (a step of 0), so a native sort is all a scattered list needs.
  const sorted: ArrayLike<number> = ascending ? list : new Uint32Array(list).sort();
  // Written as bytes into one reused buffer, a string made per 64 KiB: String() and join() of
  // a million numbers took 100-300 ms more.
  const pieces: string[] = [];
  let at = 0;
  for (let i = 0; i < sorted.length;) {
    // A run of consecutive numbers, duplicates within it skipped.
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] - sorted[j] <= 1) j++;
    if (i > 0) SET_BYTES[at++] = COMMA;
    at = writeNumber(at, sorted[i]);
    if (sorted[j] !== sorted[i]) {
      SET_BYTES[at++] = COLON;
      at = writeNumber(at, sorted[j]);
    }
    i = j + 1;
    if (at >= SET_PIECE_BYTES) {
      pieces.push(ASCII.decode(SET_BYTES.subarray(0, at)));
      at = 0;
    }
  }
  pieces.push(ASCII.decode(SET_BYTES.subarray(0, at)));
  return pieces.length === 1 ? pieces[0] : pieces.join("");
}

const SET_PIECE_BYTES = 64 * 1024;
// Room for one more item past a piece's size: ",4294967295:4294967295".
const SET_BYTES = new Uint8Array(SET_PIECE_BYTES + 32);
const ASCII = new TextDecoder();

// Writes the decimal digits of `n` (1..4294967295) into SET_BYTES at `at`; returns the end.
function writeNumber(at: number, n: number): number {
  let digits = 1;
  for (let power = 10; power <= n; power *= 10) digits++;
  const end = at + digits;
  for (let i = end - 1; i > at; i--) {
    const rest = Math.floor(n / 10);
    SET_BYTES[i] = 0x30 + n - rest * 10;
    n = rest;
  }
  SET_BYTES[at] = 0x30 + n;
  return end;
}
