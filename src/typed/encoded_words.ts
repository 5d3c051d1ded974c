/**
 * RFC 2047 encoded words (`=?charset?Q?...?=`, `=?charset?B?...?=`) in header text.
 *
 * @module
 */

import { decoderFor, utf8Bytes } from "./text.ts";
import { decodeUtf7 } from "./utf7.ts";

// charset, encoding, encoded text (RFC 2047 section 2: no spaces or `?` inside).
const WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;
const SPACE_ONLY = /^[ \t\r\n]*$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

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
  if (text.indexOf("=?") === -1) return text;
  let out = "";
  let last = 0;
  // The run of adjacent words being joined: its charset, bytes, and raw text bounds.
  let charset = "";
  let bytes: number[] | null = null;
  let runStart = 0;
  let runEnd = 0;
  const flush = () => {
    if (bytes !== null) out += decodeRun(charset, bytes, text.slice(runStart, runEnd));
    bytes = null;
  };
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const gap = text.slice(last, m.index);
    const payload = decodePayload(m[2], m[3]);
    const end = m.index + m[0].length;
    if (payload === null) {
      flush();
      out += text.slice(last, end);
      last = end;
      continue;
    }
    const label = normalizeCharset(m[1]);
    const joined = bytes !== null && SPACE_ONLY.test(gap);
    if (joined && label === charset) {
      for (const b of payload) bytes!.push(b);
      runEnd = end;
    } else {
      flush();
      if (!joined) out += gap;
      charset = label;
      bytes = payload;
      runStart = m.index;
      runEnd = end;
    }
    last = end;
  }
  flush();
  return out + text.slice(last);
}

// RFC 2231 section 5: `charset*language`; labels compare case-insensitively.
function normalizeCharset(label: string): string {
  const star = label.indexOf("*");
  return (star === -1 ? label : label.slice(0, star)).trim().toLowerCase();
}

function decodeRun(charset: string, bytes: number[], raw: string): string {
  const data = Uint8Array.from(bytes);
  if (charset === "utf-7" || charset === "unicode-1-1-utf-7") return decodeUtf7(data);
  const decoder = decoderFor(charset);
  return decoder === null ? raw : decoder.decode(data);
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

function decodePayload(encoding: string, payload: string): number[] | null {
  const out: number[] = [];
  if (encoding === "Q" || encoding === "q") {
    for (let i = 0; i < payload.length; i++) {
      const c = payload.charCodeAt(i);
      if (c === 0x5f) {
        out.push(0x20);
      } else if (c === 0x3d && HEX.test(payload.slice(i + 1, i + 3))) {
        out.push(parseInt(payload.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (c < 0x80) {
        out.push(c);
      } else {
        // Raw non-ASCII text in a Q word (not allowed, sent anyway): taken as UTF-8.
        const point = payload.codePointAt(i)!;
        for (const b of utf8Bytes(String.fromCodePoint(point))) out.push(b);
        if (point > 0xffff) i++;
      }
    }
    return out;
  }
  let binary: string;
  try {
    binary = atob(payload);
  } catch {
    return null; // not base64: the word is kept as written
  }
  for (let i = 0; i < binary.length; i++) out.push(binary.charCodeAt(i));
  return out;
}
