// imaplib's four module functions: Int2AP, ParseFlags, Internaldate2tuple, Time2Internaldate.
// Reference: CPython 3.14 Lib/imaplib.py and the TestImaplib cases of Lib/test/test_imaplib.py.

/** imaplib's `Months[1:]`: English abbreviations, never the process locale's. */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// imaplib's `Flags` and `InternalDate` patterns, run with `re.match` semantics on a byte string
// whose characters are the bytes 0..255. Python's `.` is every byte but LF, so `[^\n]` (a JS `.`
// would also stop at CR); `^` without the `m` flag anchors at the start like `re.match`.
const FLAGS = /^[^\n]*FLAGS \(([^)]*)\)/;
const INTERNAL_DATE = new RegExp(
  '^[^\\n]*INTERNALDATE "([ 0123][0-9])-([A-Z][a-z][a-z])-([0-9]{4})' +
    ' ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([-+])([0-9]{2})([0-9]{2})"',
);

/** The bytes `bytes.split()` splits on: SP, HT, LF, VT, FF, CR (ASCII only, as Python's). */
function isAsciiSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** The input as bytes (a string is UTF-8 encoded) and as a byte string for the patterns. */
function asBytes(resp: Uint8Array | string): { bytes: Uint8Array; text: string } {
  let bytes: Uint8Array;
  if (typeof resp === "string") bytes = new TextEncoder().encode(resp);
  else if (resp instanceof Uint8Array) bytes = resp;
  else throw new TypeError(`expected string or bytes-like object, got '${typeOf(resp)}'`);
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return { bytes, text };
}

function typeOf(value: unknown): string {
  return value === null ? "null" : typeof value;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Converts an integer to imaplib's A-P representation: base 16 with the digits `A` to `P`.
 *
 * imaplib uses it to make the random tag prefix of a connection (`Int2AP(randint(4096, 65535))`,
 * four letters). The absolute value is taken and truncated toward zero first (`int(abs(num))`),
 * so `-17.9` gives `BB`; `0` (and anything below 1 in magnitude) gives an empty result. Follows
 * imaplib's `Int2AP`, which returns `bytes`.
 *
 * @param num Any finite number; only the integer part of its absolute value counts.
 * @returns The ASCII letters `A`..`P`, most significant digit first; empty for 0.
 * @throws {TypeError} If `num` is not a number (Python: `abs()` of a non-number).
 * @throws {RangeError} If `num` is NaN or infinite (Python: `int()` raises ValueError or
 *   OverflowError).
 *
 * @example Making a tag prefix
 * ```ts
 * import assert from "node:assert/strict";
 * import { Int2AP } from "@imaplib/imaplib";
 *
 * assert.deepEqual(Int2AP(4096), new TextEncoder().encode("BAAA"));
 * assert.equal(Int2AP(0).length, 0);
 * ```
 */
export function Int2AP(num: number): Uint8Array {
  if (typeof num !== "number") {
    throw new TypeError(`bad operand type for abs(): '${typeOf(num)}'`);
  }
  if (Number.isNaN(num)) throw new RangeError("cannot convert float NaN to integer");
  if (!Number.isFinite(num)) throw new RangeError("cannot convert float infinity to integer");
  let n = BigInt(Math.trunc(Math.abs(num)));
  const digits: number[] = [];
  while (n > 0n) {
    digits.push(0x41 + Number(n % 16n)); // 0x41 = "A"
    n /= 16n;
  }
  return Uint8Array.from(digits.reverse());
}

/**
 * Extracts the flags of the last `FLAGS (...)` list on the first line of a response.
 *
 * Follows imaplib's `ParseFlags`, i.e. `Flags.match(resp)` with
 * `Flags = re.compile(br'.*FLAGS \((?P<flags>[^\)]*)\)')`: the match is anchored at the start of
 * `resp`; the greedy `.*` cannot cross an LF, so `FLAGS (` must be on the first line, and the last
 * one there that is followed by a `)` wins (`PERMANENTFLAGS (` counts too); the list itself may
 * span lines. The list is split like `bytes.split()`: on runs of ASCII whitespace (SP, HT, LF,
 * VT, FF, CR) only. No match gives an empty array (imaplib: an empty tuple).
 *
 * Bytes in, bytes out: each flag is a new `Uint8Array` (a copy, never a view of `resp`). A string
 * is accepted as a convenience and UTF-8 encoded first (imaplib accepts only bytes).
 *
 * @param resp One response, e.g. the header of a FETCH item or an untagged `FLAGS` line.
 * @returns The flags in order, e.g. `[\Seen, \Answered]` as bytes; `[]` when nothing matches.
 * @throws {TypeError} If `resp` is neither a `Uint8Array` nor a string.
 *
 * @example Flags from a FETCH response
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParseFlags } from "@imaplib/imaplib";
 *
 * const flags = ParseFlags(new TextEncoder().encode("1 (FLAGS (\\Seen \\Answered) UID 4)"));
 * assert.deepEqual(flags.map((f) => new TextDecoder().decode(f)), ["\\Seen", "\\Answered"]);
 * assert.deepEqual(ParseFlags("nothing here"), []);
 * ```
 */
export function ParseFlags(resp: Uint8Array | string): Uint8Array[] {
  const { bytes, text } = asBytes(resp);
  const mo = FLAGS.exec(text);
  if (!mo) return [];
  const end = mo[0].length - 1; // the closing ")"
  const flags: Uint8Array[] = [];
  let start = -1;
  for (let i = end - mo[1].length; i <= end; i++) {
    if (i === end || isAsciiSpace(bytes[i])) {
      if (start >= 0) flags.push(bytes.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  return flags;
}

/**
 * Parses the `INTERNALDATE "..."` of a FETCH response into the instant it denotes.
 *
 * Follows imaplib's `Internaldate2tuple`: `InternalDate.match(resp)` with imaplib's pattern
 * `.*INTERNALDATE "DD-Mmm-YYYY HH:MM:SS +HHMM"` (day `[ 0123][0-9]`, so a space-padded day such
 * as `" 1-Jan-2000"` is accepted; month `[A-Z][a-z][a-z]`; two-digit fields; zone sign `+` or
 * `-`), anchored at the start, the greedy `.*` confined to the first line (the last match there
 * wins). Fields are not range checked, exactly as imaplib's `calendar.timegm` arithmetic: day 00
 * is the last day of the previous month, `99:99:99` rolls over. The zone is subtracted to get UTC.
 *
 * Difference from imaplib: Python returns `time.localtime(utc)`, a `struct_time` in the process's
 * local time zone; a JS `Date` is an instant, so this returns that instant and the local fields
 * are `getFullYear()`, `getHours()`, etc. (in the process's time zone, read at start from `TZ`),
 * the UTC ones `getUTCHours()` etc. `time.mktime(Internaldate2tuple(x))` in Python equals
 * `Internaldate2tuple(x).getTime() / 1000` here. A string is accepted and UTF-8 encoded first
 * (imaplib accepts only bytes).
 *
 * @param resp One response, e.g. `25 (INTERNALDATE "17-Jul-1996 02:44:25 -0700")`.
 * @returns The instant, whole seconds; `null` when the response has no INTERNALDATE of that form.
 * @throws {TypeError} If `resp` is neither a `Uint8Array` nor a string.
 * @throws {RangeError} If the month matches the pattern but is not an English abbreviation (such
 *   as `Foo`), or the year is 0000: imaplib raises `KeyError` and `ValueError` there.
 *
 * @example Reading an INTERNALDATE
 * ```ts
 * import assert from "node:assert/strict";
 * import { Internaldate2tuple } from "@imaplib/imaplib";
 *
 * const date = Internaldate2tuple('25 (INTERNALDATE "01-Jan-2000 11:30:00 +1130")');
 * assert.equal(date?.toISOString(), "2000-01-01T00:00:00.000Z");
 * assert.equal(Internaldate2tuple("25 (UID 4)"), null);
 * ```
 */
export function Internaldate2tuple(resp: Uint8Array | string): Date | null {
  const mo = INTERNAL_DATE.exec(asBytes(resp).text);
  if (!mo) return null;
  const [, day, mon, year, hour, min, sec, zonen, zoneh, zonem] = mo;
  const month = MONTHS.indexOf(mon);
  if (month < 0) throw new RangeError(`Cannot parse INTERNALDATE: unknown month "${mon}"`);
  if (Number(year) === 0) throw new RangeError("Cannot parse INTERNALDATE: year 0 is out of range");
  let zone = (Number(zoneh) * 60 + Number(zonem)) * 60;
  if (zonen === "-") zone = -zone;
  const first = new Date(0);
  first.setUTCFullYear(Number(year), month, 1); // not Date.UTC, which maps years 0..99 to 19xx
  const seconds = (Number(day) - 1) * 86400 + Number(hour) * 3600 + Number(min) * 60 +
    Number(sec) - zone;
  return new Date(first.getTime() + seconds * 1000);
}

/**
 * Formats a time as an IMAP INTERNALDATE string, double quotes included, for APPEND.
 *
 * Returns `"DD-Mmm-YYYY HH:MM:SS +HHMM"` as imaplib's `Time2Internaldate` does
 * (`'"%d-{Mon}-%Y %H:%M:%S %z"'`): day zero-padded to two digits, English month, year padded to
 * four digits (CPython 3.14 on every platform), fractions of a second dropped, and the UTC offset
 * that was in force at that instant, with seconds appended (`+HHMMSS`) when it has any (historic
 * local mean times), as Python's `%z`. Independent of the process locale.
 *
 * - a number is seconds since the epoch (`time.time()`), shown in the process's local time zone,
 *   as imaplib's `datetime.fromtimestamp(n, timezone.utc).astimezone()`, including its rounding
 *   to the nearest microsecond (half to even) before the fraction is dropped;
 * - a `Date` is shown in the process's local time zone. Difference from imaplib: a JS `Date`
 *   carries no zone, so it stands for both an aware `datetime` (Python shows it in its own zone)
 *   and a `time.struct_time` / 9-tuple of local time; for another zone, pass the quoted string;
 * - a string that starts and ends with `"` is returned unchanged, assumed to be in the right
 *   format (so is `'"'`, as in imaplib).
 *
 * The local time zone is the process's, which JS runtimes read from `TZ` at start.
 *
 * @param date_time Epoch seconds, a `Date`, or an already quoted INTERNALDATE string.
 * @returns The quoted INTERNALDATE, e.g. `"18-May-2033 05:33:20 +0200"` (with the quotes).
 * @throws {TypeError} `date_time not of a known type` for any other type (imaplib raises
 *   `ValueError`; it also takes tuples and `datetime`, which have no JS counterpart here).
 * @throws {RangeError} `date_time not of a known type` for a string without the quotes, the empty
 *   string included (CPython 3.14 raises `IndexError` for `""`, gh-153854); for NaN, an infinite
 *   number or an invalid `Date`; and `year N is out of range` outside years 1 to 9999, which
 *   Python's `datetime` cannot represent.
 *
 * @example Formatting for APPEND
 * ```ts
 * import assert from "node:assert/strict";
 * import { Time2Internaldate } from "@imaplib/imaplib";
 *
 * // The result depends on the process's time zone; with TZ=Europe/Berlin it is
 * // '"18-May-2033 05:33:20 +0200"'.
 * const internal = Time2Internaldate(2_000_000_000);
 * assert.match(internal, /^"\d\d-May-2033 \d\d:\d\d:20 [+-]\d{4}"$/);
 * assert.equal(Time2Internaldate('"18-May-2033 05:33:20 +0200"'), '"18-May-2033 05:33:20 +0200"');
 * ```
 */
export function Time2Internaldate(date_time: Date | number | string): string {
  let ms: number;
  if (typeof date_time === "number") {
    if (Number.isNaN(date_time)) throw new RangeError("Invalid value NaN (not a number)");
    if (!Number.isFinite(date_time)) {
      throw new RangeError("timestamp out of range for platform time_t");
    }
    // Python's fromtimestamp: round the fraction to microseconds, half to even.
    let seconds = Math.trunc(date_time);
    const fraction = (date_time - seconds) * 1e6;
    let us = Math.round(fraction);
    if (Math.abs(fraction - Math.trunc(fraction)) === 0.5) us = 2 * Math.round(fraction / 2);
    if (us >= 1e6) seconds += 1;
    else if (us < 0) seconds -= 1;
    ms = seconds * 1000;
    const utcYear = new Date(ms).getUTCFullYear();
    if (utcYear < 1 || utcYear > 9999) throw new RangeError(`year ${utcYear} is out of range`);
  } else if (date_time instanceof Date) {
    ms = date_time.getTime();
    if (Number.isNaN(ms)) throw new RangeError("date_time is an invalid Date");
  } else if (typeof date_time === "string") {
    if (date_time.startsWith('"') && date_time.endsWith('"')) return date_time;
    throw new RangeError("date_time not of a known type");
  } else {
    throw new TypeError("date_time not of a known type");
  }
  const dt = new Date(ms);
  if (Number.isNaN(dt.getTime())) {
    throw new RangeError("timestamp out of range for platform time_t");
  }
  const year = dt.getFullYear();
  if (year < 1 || year > 9999) throw new RangeError(`year ${year} is out of range`);
  // The offset in seconds: the local wall-clock fields read as UTC, minus the instant.
  // (getTimezoneOffset() rounds to whole minutes; Python's %z keeps seconds.)
  const wall = new Date(0);
  wall.setUTCFullYear(year, dt.getMonth(), dt.getDate());
  wall.setUTCHours(dt.getHours(), dt.getMinutes(), dt.getSeconds(), dt.getMilliseconds());
  const offset = Math.round((wall.getTime() - dt.getTime()) / 1000);
  const abs = Math.abs(offset);
  const zone = (offset < 0 ? "-" : "+") + pad(Math.floor(abs / 3600), 2) +
    pad(Math.floor(abs / 60) % 60, 2) + (abs % 60 ? pad(abs % 60, 2) : "");
  return `"${pad(dt.getDate(), 2)}-${MONTHS[dt.getMonth()]}-${pad(year, 4)} ` +
    `${pad(dt.getHours(), 2)}:${pad(dt.getMinutes(), 2)}:${pad(dt.getSeconds(), 2)} ${zone}"`;
}
