/**
 * The typed functions' bulk work in slices: a LIST of 100,000 mailboxes, a SEARCH answering a
 * million numbers or a COPYUID of as many UIDs is read between turns of the event loop, as the
 * connection reads the bytes (`Connection.turnIfDue()`), so no stretch holds the loop much past
 * the connection's slice of work. The pure parsers stay synchronous; these run them on parts.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import type { DataItem } from "../data.ts";
import { TypedParseError } from "../errors.ts";
import { type CopyUid, readCopyUid } from "../response_code.ts";
import { UidMapBuilder } from "../sequence_set.ts";
import type { Turn } from "../../session/connection.ts";

/** The turn of `client`'s connection: its slice counts reading and the typed work alike. */
export function turnOf(client: IMAP4): Turn {
  const connection = coreOf(client).session.connection;
  return () => connection.turnIfDue();
}

// Responses parsed between two looks at the clock: LIST and STATUS responses take 1-3 µs each
// warm, so a part stays well inside the 4 ms slice.
const RESPONSES_PER_PART = 256;
// Bytes of one SEARCH line read between two looks at the clock (~90 ns per number).
const SEARCH_BYTES_PER_PART = 64 * 1024;
// UIDs mapped between two looks at the clock (~140 ns per Map entry).
const UIDS_PER_PART = 16_384;

/**
 * Runs `parse` over `data` part by part (whole responses: a `[header, literal]` pair stays with
 * the bytes that close it) and joins the results, letting the loop turn between parts.
 * Responses are independent for every parser this serves, so the result equals `parse(data)`.
 * A parse error is thrown as `parse(whole)` throws it (`whole`: the data `data` was cut from,
 * `data` itself by default), parsed again at once so that the error's response index and
 * offset are the caller's; only a broken response pays for that.
 */
export async function parseInParts<T>(
  data: readonly DataItem[],
  parse: (data: readonly DataItem[]) => T[],
  turn: Turn,
  whole: readonly DataItem[] = data,
  perPart: number = RESPONSES_PER_PART,
): Promise<T[]> {
  if (data.length <= perPart) return parse(data);
  const out: T[] = [];
  for (let start = 0; start < data.length;) {
    let end = Math.min(start + perPart, data.length);
    while (end < data.length && !closesResponse(data[end - 1])) end++;
    let parsed: T[];
    try {
      parsed = parse(data.slice(start, end));
    } catch (error) {
      if (error instanceof TypedParseError) parse(whole);
      throw error;
    }
    for (let i = 0; i < parsed.length; i++) out.push(parsed[i]);
    start = end;
    const pending = turn();
    if (pending) await pending;
  }
  return out;
}

// A bytes item (or imaplib's None) ends a response; a pair leaves it open (data.ts).
function closesResponse(item: DataItem): boolean {
  return item === null || item === undefined || item instanceof Uint8Array;
}

/**
 * SEARCH data with each long line cut at spaces into parts of about `bytesPerPart` (views, no
 * copy), for `parseSearch()`, which joins the numbers of all responses: a million numbers come
 * in one 7 MB line. Only the numbers are cut; a line's `(MODSEQ n)` stays whole with the last
 * part (RFC 7162 section 3.1.5).
 */
export function searchParts(
  data: readonly DataItem[],
  bytesPerPart: number = SEARCH_BYTES_PER_PART,
): DataItem[] {
  const out: DataItem[] = [];
  for (const item of data) {
    if (!(item instanceof Uint8Array) || item.length <= bytesPerPart) {
      out.push(item);
      continue;
    }
    const open = item.indexOf(0x28);
    const numbersEnd = open === -1 ? item.length : open;
    let start = 0;
    for (;;) {
      const cut = start + bytesPerPart < numbersEnd
        ? item.lastIndexOf(0x20, start + bytesPerPart)
        : -1;
      if (cut <= start) {
        out.push(item.subarray(start));
        break;
      }
      out.push(item.subarray(start, cut));
      start = cut + 1;
    }
  }
  return out;
}

/**
 * COPYUID's data (RFC 4315 section 3: `uidvalidity source-set destination-set`, the bytes
 * imaplib stores for it) read as `parseResponseCodeTyped()` reads it, its mapping (see
 * `UidMapBuilder`) built a part at a time between turns of the loop; no mapping when the sets do
 * not name as many UIDs, or more than a million. `null` for data that is not that. V8 grows a
 * `Map` by rehashing it whole, which no part can split: past ~100,000 UIDs that growth alone
 * holds the loop (~120 ms at a million UIDs on the bench machine, bench/RESULTS.md).
 */
export async function copyUidInParts(
  data: Uint8Array,
  turn: Turn,
): Promise<{ uidValidity: number; uidMap?: Map<number, number> } | null> {
  let copy: CopyUid;
  try {
    copy = readCopyUid(TEXT.decode(data));
  } catch (error) {
    if (error instanceof TypedParseError) return null;
    throw error;
  }
  if (!copy.mappable) return { uidValidity: copy.uidValidity };
  const builder = new UidMapBuilder(copy.from, copy.to);
  while (!builder.step(UIDS_PER_PART)) {
    const pending = turn();
    if (pending) await pending;
  }
  return { uidValidity: copy.uidValidity, uidMap: builder.map };
}

const TEXT = new TextDecoder();

/** Calls `each` for every item, letting the loop turn every `perPart` items. */
export async function forEachInParts<T>(
  items: readonly T[],
  each: (item: T) => void,
  turn: Turn,
  perPart: number = RESPONSES_PER_PART * 4,
): Promise<void> {
  for (let start = 0; start < items.length; start += perPart) {
    const end = Math.min(start + perPart, items.length);
    for (let i = start; i < end; i++) each(items[i]);
    if (end < items.length) {
      const pending = turn();
      if (pending) await pending;
    }
  }
}
