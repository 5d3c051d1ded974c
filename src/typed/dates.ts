/**
 * Dates in IMAP data: INTERNALDATE (RFC 3501 `date-time`) and the RFC 5322 `Date:` header an
 * ENVELOPE carries, read without `Date.parse` (whose leniency differs between runtimes).
 *
 * Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

import { utf8Range } from "./text.ts";

const MONTHS = new Map<string, number>(Object.entries({
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
}));

// RFC 5322 section 4.3 obsolete zone names, in minutes east of UTC. Military letters and
// unknown names count as UTC, as RFC 5322 says ("-0000": no zone information).
const ZONES = new Map<string, number>(Object.entries({
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
}));

// [day-name ","] day month year hour ":" minute [":" second] [zone], with RFC 5322 section 4.3's
// obsolete forms: 2- and 3-digit years, named zones, extra spaces, a missing comma, a trailing
// comment; INTERNALDATE's `dd-Mon-yyyy hh:mm:ss +zzzz` too (dashes between the date fields).
const DATE =
  /^\s*(?:[A-Za-z]+\s*,?\s*)?(\d{1,2})(?:\s+|\s*-\s*)([A-Za-z]{3})[A-Za-z]*\.?(?:\s+|\s*-\s*)(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?(?:\s*([+-])(\d\d):?(\d\d)|\s*([A-Za-z]+))?/;

// ISO 8601 / RFC 3339, as some broken mailers write Date: headers.
const ISO = /^\s*\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)\s*$/i;

/**
 * Reads an RFC 5322 date-time (or an INTERNALDATE, or ISO 8601) as a `Date`.
 *
 * @param text The header value or INTERNALDATE string.
 * @returns The instant, or `undefined` if the text is not a date it can read.
 */
export function parseDate(text: string): Date | undefined {
  if (text.length <= DATE_MAX_BYTES) {
    let high = 0;
    for (let i = 0; i < text.length; i++) high |= date[i] = text.charCodeAt(i);
    if (high < 0x80) {
      const fast = canonicalDate(text.length);
      if (fast !== null) return fast;
    }
  }
  return lenientDate(text);
}

/**
 * {@linkcode parseDate} of the bytes[start, end) of a date-time as the server sent it (ASCII;
 * other bytes read as UTF-8), without making a string for the canonical forms.
 *
 * @param bytes The bytes holding the date.
 * @param start Where the date starts.
 * @param end Where it ends.
 * @returns The instant, or `undefined` if it is not a date this can read.
 */
export function dateFromBytes(bytes: Uint8Array, start: number, end: number): Date | undefined {
  const fast = fastDate(bytes, start, end);
  return fast !== null ? fast : lenientDate(utf8Range(bytes, start, end));
}

// Dates not in a canonical form: obsolete RFC 5322 syntax, ISO 8601.
function lenientDate(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (m === null) {
    if (ISO.test(text)) {
      const t = Date.parse(text);
      return Number.isNaN(t) ? undefined : new Date(t);
    }
    return undefined;
  }
  const day = +m[1];
  const month = MONTHS.get(m[2].toLowerCase());
  let year = +m[3];
  if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3].length === 3) year += 1900;
  const hour = +m[4];
  const minute = +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (
    month === undefined || year < 1000 || day < 1 || day > daysIn(year, month) || hour > 23 ||
    minute > 59 || second > 60
  ) return undefined;
  let offset = 0; // minutes east of UTC
  if (m[7] !== undefined) {
    const hours = +m[8];
    const minutes = +m[9];
    if (minutes > 59) return undefined;
    offset = (m[7] === "-" ? -1 : 1) * (hours * 60 + minutes);
  } else if (m[10] !== undefined) {
    offset = ZONES.get(m[10].toLowerCase()) ?? 0;
  }
  return new Date(utc(year, month, day, hour, minute, second) - offset * 60_000);
}

// Date.UTC for the years 1000 and later that parseDate lets through, in integer arithmetic
// (several times faster than the builtin on V8): days since the epoch of a proleptic
// Gregorian date (H. Hinnant's days_from_civil), month 0-based; a second of 60 rolls over as
// Date.UTC rolls it.
function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  // Every operation below runs for every date: an arithmetic step taken only in some months
  // (`year - 1` in January and February) has no type feedback when V8 optimizes on a run of
  // other months, and the first date in those months then throws the optimized code away.
  const y = year - (month < 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 10) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) +
    dayOfYear;
  const days = era * 146097 + dayOfEra - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Days in a month (0-based), so that 31 Feb is refused rather than rolled over into March. The
// leap-year test runs for every month, for the reason given in utc().
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 ? 1 : 0) &
    ((year % 100 !== 0 ? 1 : 0) | (year % 400 === 0 ? 1 : 0));
  return DAYS_IN_MONTH[month] + (month === 1 ? leap : 0);
}

// Month from three letters, any case: the letters' lower-case codes packed in one number.
const MONTH_CODES = new Map<number, number>(
  [...MONTHS].map(([name, month]) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    month,
  ]),
);

// A copy of the date being read, followed by zeros: canonicalDate() reads up to a few bytes past
// what it has checked, which then read as 0, with no bounds check per byte. It was the costliest
// function of a fresh typed FETCH for JSC's optimizing compiler (32 ms); without those checks it
// compiles in a quarter to a third less time on JSC and V8 (bench/RESULTS.md). Dates are short
// (RFC 5322: ~31 characters).
const DATE_MAX_BYTES = 64;
const date = new Uint8Array(DATE_MAX_BYTES + 8);

// Two digits of `date` at `at` as a number, or -1.
function two(at: number): number {
  const a = date[at] - 0x30;
  const b = date[at + 1] - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

// canonicalDate() of bytes[start, end); `null` for a text longer than DATE_MAX_BYTES too (the
// lenient reading reads those as canonicalDate() would).
function fastDate(bytes: Uint8Array, start: number, end: number): Date | undefined | null {
  const length = end - start;
  if (length > DATE_MAX_BYTES) return null;
  for (let i = 0; i < length; i++) date[i] = bytes[start + i];
  return canonicalDate(length);
}

// The canonical forms without a regular expression or a string (most dates servers send), read
// from the first `length` bytes of `date`: `[Ddd, ]d[d] Mon yyyy hh:mm[:ss] +zzzz[ (comment)]`
// and INTERNALDATE's `dd-Mon-yyyy hh:mm:ss +zzzz`. `null` when the text is in another form (the
// caller then tries the lenient reading); `undefined` for a date that does not exist.
function canonicalDate(length: number): Date | undefined | null {
  for (let i = length; i < length + 8; i++) date[i] = 0;
  let at = 0;
  while (at < length && date[at] === 0x20) at++;
  const first = date[at] | 0x20;
  if (first >= 0x61 && first <= 0x7a) {
    // "Tue, "
    if (date[at + 3] !== 0x2c || date[at + 4] !== 0x20) return null;
    at += 5;
  }
  let day = date[at] - 0x30;
  if (day < 0 || day > 9) return null;
  at++;
  const d2 = date[at] - 0x30;
  if (d2 >= 0 && d2 <= 9) {
    day = day * 10 + d2;
    at++;
  }
  const sep = date[at];
  if (sep !== 0x20 && sep !== 0x2d) return null;
  const month = MONTH_CODES.get(
    ((date[at + 1] | 0x20) << 16) | ((date[at + 2] | 0x20) << 8) | (date[at + 3] | 0x20),
  );
  if (month === undefined || date[at + 4] !== sep || at + 7 > length) return null;
  at += 5;
  let year = two(at);
  if (year < 0) return null;
  if (date[at + 2] === 0x20) {
    year += year < 50 ? 2000 : 1900; // RFC 5322 section 4.3: a 2-digit year
    at += 3;
  } else {
    const years = at + 4 <= length ? two(at + 2) : -1;
    if (years < 0 || date[at + 4] !== 0x20) return null;
    year = year * 100 + years;
    at += 5;
  }
  if (at + 5 > length) return null;
  const hour = two(at);
  const minute = two(at + 3);
  if (hour < 0 || minute < 0 || date[at + 2] !== 0x3a) return null;
  at += 5;
  let second = 0;
  if (date[at] === 0x3a) {
    second = at + 3 <= length ? two(at + 1) : -1;
    if (second < 0) return null;
    at += 3;
  }
  let offset = 0; // minutes east of UTC; none written: UTC
  if (at < length) {
    if (date[at] !== 0x20) return null;
    const sign = date[at + 1];
    if (sign === 0x2b || sign === 0x2d) {
      if (at + 6 > length) return null;
      const zoneHours = two(at + 2);
      const zoneMinutes = two(at + 4);
      if (zoneHours < 0 || zoneMinutes < 0) return null;
      if (zoneMinutes > 59) return undefined;
      offset = (sign === 0x2d ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
      at += 6;
    } else {
      // A zone name (RFC 5322 section 4.3: UT, GMT, EST...; unknown names count as UTC).
      let zone = "";
      let i = at + 1;
      for (; i < length && ((date[i] | 0x20) >= 0x61 && (date[i] | 0x20) <= 0x7a); i++) {
        zone += String.fromCharCode(date[i] | 0x20);
      }
      if (i === at + 1) return null;
      offset = ZONES.get(zone) ?? 0;
      at = i;
    }
    if (at < length && date[at] !== 0x20) return null;
  }
  if (
    year < 1000 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 ||
    second > 60
  ) return undefined;
  return new Date(utc(year, month, day, hour, minute, second) - offset * 60_000);
}
