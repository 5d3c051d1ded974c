/**
 * The atoms servers send in nearly every FETCH response (item names without a section, system
 * flags), recognised by their bytes and answered with one shared value each instead of a new
 * string (and object) per response. The tables are made on first use: nothing runs at load, so
 * bundles that do not parse FETCH responses leave them out.
 *
 * Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

import type { FetchAttName } from "./tokens.ts";

type Entry<T> = { bytes: Uint8Array; value: T };

const NONE: never[] = [];
let attNames: Map<number, Entry<FetchAttName>[]> | null = null;
let flags: Map<number, Entry<string>[]> | null = null;

function byLength<T>(entries: [string, T][]): Map<number, Entry<T>[]> {
  const table = new Map<number, Entry<T>[]>();
  for (const [text, value] of entries) {
    const entry = { bytes: Uint8Array.from(text, (c) => c.charCodeAt(0)), value };
    table.set(text.length, [...table.get(text.length) ?? [], entry]);
  }
  return table;
}

/**
 * The FETCH item name `bytes[start, end)` if it is one of the common ones without a section
 * (`UID`, `FLAGS`, `INTERNALDATE`, `RFC822.SIZE`, `ENVELOPE`, `BODYSTRUCTURE`, `MODSEQ`), in any
 * case (RFC 3501: item names are case-insensitive), as a shared frozen object; else `null`.
 */
export function knownAttName(bytes: Uint8Array, start: number, end: number): FetchAttName | null {
  attNames ??= byLength(
    ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ"]
      .map((name) => [name, Object.freeze({ name })]),
  );
  // Upper-case letters, digits and `.`: a byte matches itself or its lower-case letter.
  // Indexed loops, not for-of with destructuring: this runs for every item of every FETCH
  // response, and a fresh process runs it unoptimized for the first few thousand, where an
  // iterator step costs more than the comparisons (30,000 lookups: 15-18 ms with for-of, 5-9 ms
  // without; bench/RESULTS.md, tenth session).
  const entries = attNames.get(end - start) ?? NONE;
  next: for (let e = 0; e < entries.length; e++) {
    const name = entries[e].bytes;
    for (let i = 0; i < name.length; i++) {
      const b = bytes[start + i];
      if (b !== name[i] && (name[i] < 0x41 || b !== (name[i] | 0x20))) continue next;
    }
    return entries[e].value;
  }
  return null;
}

/**
 * The system flag (RFC 3501 section 2.3.2) `bytes[start, end)` exactly as RFC 3501 writes it
 * (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`) as a shared string; else
 * `null` (flags are kept as sent, so other spellings are read as text).
 */
export function systemFlag(bytes: Uint8Array, start: number, end: number): string | null {
  flags ??= byLength(
    ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent"]
      .map((flag) => [flag, flag]),
  );
  const entries = flags.get(end - start) ?? NONE; // indexed: as in knownAttName()
  next: for (let e = 0; e < entries.length; e++) {
    const flag = entries[e].bytes;
    for (let i = 0; i < flag.length; i++) if (bytes[start + i] !== flag[i]) continue next;
    return entries[e].value;
  }
  return null;
}
