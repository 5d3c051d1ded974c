/**
 * Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3), and plain UTF-7 (RFC 2152) for the
 * `UTF-7` charset, which the WHATWG Encoding Standard (and so `TextDecoder`) does not know.
 *
 * @module
 */

import { latin1 } from "./text.ts";

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const MODIFIED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

function table(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STANDARD_VALUES = table(STANDARD);
const MODIFIED_VALUES = table(MODIFIED);

/**
 * Encodes a Unicode mailbox name in modified UTF-7 (RFC 3501 section 5.1.3), as IMAP4rev1
 * servers expect names unless UTF8=ACCEPT (RFC 6855) is enabled.
 *
 * Printable US-ASCII except `&` stands for itself; `&` becomes `&-`; every other run of UTF-16
 * code units is written as `&`, their big-endian bytes in modified base64 (`,` for `/`, no
 * padding), `-`. The result is 7-bit printable ASCII. Never throws; lone surrogates are encoded
 * as the code units they are (and decode back to them).
 *
 * @param name The name as Unicode text.
 * @returns The name as the server stores it.
 *
 * @example Encoding German and Japanese names
 * ```ts
 * import { encodeMailbox } from "@imaplib/imaplib";
 * console.assert(encodeMailbox("Entwürfe") === "Entw&APw-rfe");
 * console.assert(encodeMailbox("Tom & Jerry") === "Tom &- Jerry");
 * console.assert(encodeMailbox("日本語") === "&ZeVnLIqe-");
 * ```
 */
export function encodeMailbox(name: string): string {
  let out = "";
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      let j = i + 1;
      while (j < name.length) {
        const d = name.charCodeAt(j);
        if (d < 0x20 || d > 0x7e) break;
        j++;
      }
      out += name.slice(i, j).replaceAll("&", "&-");
      i = j;
      continue;
    }
    let j = i + 1;
    while (j < name.length) {
      const d = name.charCodeAt(j);
      if (d >= 0x20 && d <= 0x7e) break;
      j++;
    }
    out += "&" + base64Utf16(name, i, j) + "-";
    i = j;
  }
  return out;
}

function base64Utf16(text: string, start: number, end: number): string {
  let out = "";
  let bits = 0;
  let count = 0;
  for (let i = start; i < end; i++) {
    bits = (bits << 16) | text.charCodeAt(i);
    count += 16;
    while (count >= 6) {
      count -= 6;
      out += MODIFIED[(bits >> count) & 63];
    }
    bits &= (1 << count) - 1;
  }
  if (count > 0) out += MODIFIED[(bits << (6 - count)) & 63];
  return out;
}

/**
 * Decodes a modified UTF-7 mailbox name (RFC 3501 section 5.1.3) to Unicode text.
 *
 * Tolerant, never throws: a `&` run that is not valid modified base64 of whole UTF-16 code units
 * (or lacks its closing `-`) is kept as written, and characters outside US-ASCII pass through
 * (servers that send raw UTF-8 names, decoded by the caller, come out unchanged).
 *
 * @param name The name as the server sent it.
 * @returns The Unicode name.
 *
 * @example Decoding
 * ```ts
 * import { decodeMailbox } from "@imaplib/imaplib";
 * console.assert(decodeMailbox("Entw&APw-rfe") === "Entwürfe");
 * console.assert(decodeMailbox("Tom &- Jerry") === "Tom & Jerry");
 * console.assert(decodeMailbox("&2D3eAA-") === "\u{1F600}"); // a surrogate pair
 * ```
 */
export function decodeMailbox(name: string): string {
  let amp = name.indexOf("&");
  if (amp === -1) return name;
  let out = "";
  let from = 0;
  while (amp !== -1) {
    out += name.slice(from, amp);
    const dash = name.indexOf("-", amp + 1);
    if (dash === -1) {
      from = amp;
      break;
    }
    if (dash === amp + 1) {
      out += "&";
    } else {
      out += utf16FromBase64(name, amp + 1, dash, MODIFIED_VALUES) ?? name.slice(amp, dash + 1);
    }
    from = dash + 1;
    amp = name.indexOf("&", from);
  }
  return out + name.slice(from);
}

// UTF-16BE code units from base64 text[start, end); null if a character is not in the alphabet
// or the bytes are not whole code units.
function utf16FromBase64(
  text: string,
  start: number,
  end: number,
  values: Int8Array,
): string | null {
  let bits = 0;
  let count = 0;
  let unit = 0;
  let half = false;
  const units: number[] = [];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? values[c] : -1;
    if (v < 0) return null;
    bits = ((bits << 6) | v) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      const byte = (bits >> count) & 0xff;
      if (half) units.push((unit << 8) | byte);
      else unit = byte;
      half = !half;
    }
  }
  if (half) return null;
  let out = "";
  for (let i = 0; i < units.length; i += 4096) {
    out += String.fromCharCode.apply(null, units.slice(i, i + 4096));
  }
  return out;
}

/**
 * Decodes UTF-7 (RFC 2152) bytes: `+` opens base64 of UTF-16 (standard alphabet) up to the
 * first non-base64 character, a `-` closing it is dropped, `+-` is `+`. Tolerant: a `+` run that
 * is not whole code units is kept as written.
 *
 * @param bytes UTF-7 text.
 * @returns The Unicode text.
 */
export function decodeUtf7(bytes: Uint8Array): string {
  const text = latin1(bytes);
  let out = "";
  let i = 0;
  while (i < text.length) {
    const plus = text.indexOf("+", i);
    if (plus === -1) break;
    out += text.slice(i, plus);
    let end = plus + 1;
    while (end < text.length && STANDARD_VALUES[text.charCodeAt(end)] >= 0) end++;
    if (end === plus + 1) {
      out += "+"; // `+-`, or a stray `+` kept
    } else {
      out += utf16FromBase64(text, plus + 1, end, STANDARD_VALUES) ?? text.slice(plus, end);
    }
    i = end < text.length && text[end] === "-" ? end + 1 : end;
  }
  return out + text.slice(i);
}
