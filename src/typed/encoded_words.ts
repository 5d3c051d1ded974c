/**
 * RFC 2047 encoded words (`=?charset?Q?...?=`, `=?charset?B?...?=`) in header text.
 *
 * @module
 */

import { BASE64_VALUES as BASE64, decoderFor, shortUtf8, utf8Bytes } from "./text.ts";
import { decodeUtf7 } from "./utf7.ts";

/**
 * Decodes the RFC 2047 encoded words in a header text (subject, display name, parameter value).
 *
 * - Q (section 4.2: `_` is a space, `=XX` a byte) and B (base64) encodings, either case.
 * - Adjacent encoded words are joined, dropping the whitespace between them (section 6.2); their
 *   bytes are joined before decoding when the charset is the same, so a character split across
 *   two words (as some mailers split UTF-8 and base64) comes out whole.
 * - Any charset the runtime's `TextDecoder` knows (the WHATWG labels: UTF-8, ISO-8859-x,
 *   windows-125x, KOI8-R, Shift_JIS, EUC-KR, GB18030, Big5...), plus UTF-7 (RFC 2152), which
 *   `TextDecoder` does not know. An RFC 2231 section 5 language suffix (`=?UTF-8*en?Q?...?=`) is
 *   ignored.
 * - Tolerant, never throws: a word with an unknown charset or broken base64 is kept as written;
 *   words not separated from text by whitespace are decoded anyway (many mailers write them).
 *
 * @param text Header text, e.g. an ENVELOPE subject as a string.
 * @returns The text with encoded words decoded.
 *
 * @example Q, B and joined words
 * ```ts
 * import { decodeWords } from "@imaplib/imaplib";
 * console.assert(decodeWords("=?UTF-8?Q?Entw=C3=BCrfe?=") === "Entwürfe");
 * console.assert(decodeWords("=?ISO-8859-1?B?R3L832U=?=") === "Grüße");
 * console.assert(decodeWords("=?UTF-8?Q?a?= =?UTF-8?Q?b?= c") === "ab c");
 * console.assert(decodeWords("=?x-unknown?Q?a?=") === "=?x-unknown?Q?a?=");
 * ```
 */
export function decodeWords(text: string): string {
  const start = text.indexOf("=?");
  if (start === -1) return text;
  // Names repeat (an ENVELOPE's From, Sender and Reply-To are usually the same address, and a
  // mailbox has few senders): decoded texts are remembered, up to 1,024 of at most 256 chars.
  let decoded = recent.get(text);
  if (decoded === undefined) {
    decoded = decode(text, start);
    if (scratch.length > 65_536) scratch = new Uint8Array(256); // a huge header: not kept
    if (text.length <= 256) {
      if (recent.size >= 1024) recent.clear();
      recent.set(text, decoded);
    }
  }
  return decoded;
}

const recent = new Map<string, string>();

function decode(text: string, first: number): string {
  let start = first;
  let out = "";
  let last = 0;
  // The run of adjacent words being joined: its charset, its bytes (scratch[0, length)) and the
  // raw text it came from (kept when the charset is unknown).
  let charset = "";
  let length = -1; // -1: no run
  let runStart = 0;
  let runEnd = 0;
  while (start !== -1) {
    const word = scanWord(text, start);
    if (word === null) {
      start = text.indexOf("=?", start + 1);
      continue;
    }
    const [label, q, payloadStart, payloadEnd] = word;
    const end = payloadEnd + 2;
    const joined = length >= 0 && isSpace(text, last, start);
    let n = -1;
    if (joined && label === charset) {
      n = decodePayload(text, q, payloadStart, payloadEnd, length);
      if (n >= 0) {
        length = n;
        runEnd = end;
      }
    }
    if (n < 0) {
      if (length >= 0) out += decodeRun(charset, length, text, runStart, runEnd);
      length = -1;
      if (!(joined && label === charset)) n = decodePayload(text, q, payloadStart, payloadEnd, 0);
      if (n < 0) {
        out += text.slice(last, end); // not decodable: kept as written
      } else {
        if (!joined) out += text.slice(last, start);
        charset = label;
        length = n;
        runStart = start;
        runEnd = end;
      }
    }
    last = end;
    start = text.indexOf("=?", end);
  }
  if (length >= 0) out += decodeRun(charset, length, text, runStart, runEnd);
  return out + text.slice(last);
}

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function isSpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isWhite(text.charCodeAt(i))) return false;
  return true;
}

// An encoded word at `start` (RFC 2047 section 2: `=?charset?Q?text?=`, no spaces or `?`
// inside): [normalized charset, Q?, payload start, payload end], or null.
function scanWord(
  text: string,
  start: number,
): [charset: string, q: boolean, payloadStart: number, payloadEnd: number] | null {
  const question = text.indexOf("?", start + 2);
  if (question <= start + 2) return null;
  for (let i = start + 2; i < question; i++) if (isWhite(text.charCodeAt(i))) return null;
  const encoding = text.charCodeAt(question + 1) | 0x20;
  if ((encoding !== 0x71 && encoding !== 0x62) || text.charCodeAt(question + 2) !== 0x3f) {
    return null;
  }
  const payloadStart = question + 3;
  const close = text.indexOf("?", payloadStart);
  if (close === -1 || text.charCodeAt(close + 1) !== 0x3d) return null;
  for (let i = payloadStart; i < close; i++) if (isWhite(text.charCodeAt(i))) return null;
  return [
    normalizeCharset(text.slice(start + 2, question)),
    encoding === 0x71,
    payloadStart,
    close,
  ];
}

const labels = new Map<string, string>();

// RFC 2231 section 5: `charset*language`; labels compare case-insensitively. Cached.
function normalizeCharset(label: string): string {
  let normal = labels.get(label);
  if (normal === undefined) {
    const star = label.indexOf("*");
    normal = (star === -1 ? label : label.slice(0, star)).trim().toLowerCase();
    if (labels.size < 256) labels.set(label, normal);
  }
  return normal;
}

// Scratch bytes for the run being decoded (decodeWords is synchronous and not re-entered).
let scratch = new Uint8Array(256);

function room(size: number): void {
  if (scratch.length >= size) return;
  const bigger = new Uint8Array(Math.max(size, scratch.length * 2));
  bigger.set(scratch);
  scratch = bigger;
}

const utf8Replacing = new TextDecoder("utf-8");
// windows-1252, which WHATWG also uses for ISO-8859-1 and US-ASCII labels: one string per byte.
const WINDOWS_1252: string[] = [
  ...new TextDecoder("windows-1252").decode(Uint8Array.from({ length: 256 }, (_, i) => i)),
];
const LATIN1_LABELS = new Set(["iso-8859-1", "latin1", "windows-1252", "cp1252", "l1"]);

function decodeRun(
  charset: string,
  length: number,
  text: string,
  start: number,
  end: number,
): string {
  if (charset === "utf-8" || charset === "utf8" || charset === "us-ascii") {
    return shortUtf8(scratch, 0, length) ?? utf8Replacing.decode(scratch.subarray(0, length));
  }
  if (LATIN1_LABELS.has(charset)) {
    let out = "";
    for (let i = 0; i < length; i++) out += WINDOWS_1252[scratch[i]];
    return out;
  }
  return decodeCharset(charset, scratch.subarray(0, length)) ?? text.slice(start, end);
}

/**
 * Decodes the bytes of a charset's text (used by RFC 2231 parameter values too): any WHATWG
 * label or UTF-7; `null` for a charset the runtime does not know.
 */
export function decodeCharset(charset: string, bytes: Uint8Array): string | null {
  const label = normalizeCharset(charset);
  if (label === "utf-7" || label === "unicode-1-1-utf-7") return decodeUtf7(bytes);
  const decoder = decoderFor(label);
  return decoder === null ? null : decoder.decode(bytes);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

// Decodes text[from, to), a word's payload, into scratch from `offset`; returns the new length,
// or -1 for a B payload that is not base64 (forgiving base64: padding optional, as WHATWG).
function decodePayload(text: string, q: boolean, from: number, to: number, offset: number): number {
  room(offset + (to - from) * 4);
  const out = scratch;
  let n = offset;
  if (q) {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      const high = c === 0x3d && i + 2 < to ? hex(text.charCodeAt(i + 1)) : -1;
      const low = high >= 0 ? hex(text.charCodeAt(i + 2)) : -1;
      if (low >= 0) {
        out[n++] = high * 16 + low;
        i += 2;
      } else if (c === 0x5f) {
        out[n++] = 0x20;
      } else if (c < 0x80) {
        out[n++] = c;
      } else {
        // Raw non-ASCII text in a Q word (not allowed, sent anyway): taken as UTF-8.
        const point = text.codePointAt(i)!;
        for (const b of utf8Bytes(String.fromCodePoint(point))) out[n++] = b;
        if (point > 0xffff) i++;
      }
    }
    return n;
  }
  let end = to;
  if (end > from && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end > from && text.charCodeAt(end - 1) === 0x3d) end--;
  const size = end - from;
  if (size % 4 === 1 || (end !== to && (to - from) % 4 !== 0)) return -1;
  let bits = 0;
  let count = 0;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 256 ? BASE64[c] : -1;
    if (v < 0) return -1;
    bits = ((bits << 6) | v) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[n++] = (bits >> count) & 0xff;
    }
  }
  return n;
}
