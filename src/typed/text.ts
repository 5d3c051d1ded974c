/**
 * Bytes to text for the typed parsers: ASCII fast path, UTF-8 with a windows-1252 fallback,
 * and a cache of `TextDecoder`s by charset label.
 *
 * Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

const decoders = new Map<string, TextDecoder | null>();

/**
 * The value of each byte in the base64 alphabet (RFC 4648 section 4; RFC 2045 section 6.8,
 * RFC 2047 section 4.1), -1 for every other byte.
 */
export const BASE64_VALUES: Int8Array = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  BASE64_VALUES[
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)
  ] = i;
}

/**
 * A non-fatal `TextDecoder` for a charset label (any label the WHATWG Encoding Standard knows,
 * case-insensitive), or `null` for an unknown label. Cached per label.
 */
export function decoderFor(label: string): TextDecoder | null {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null; // RangeError: a label the runtime does not know
    }
    if (decoders.size < 256) decoders.set(label, decoder);
  }
  return decoder;
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const replacingUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const windows1252 = new TextDecoder("windows-1252");

/**
 * The bytes as UTF-8 (windows-1252 if not valid UTF-8) in one string made natively: flat and
 * holding nothing else alive, for texts that are kept. A leading U+FEFF is kept.
 */
export function flatText(bytes: Uint8Array): string {
  // The replacing decoder first: on Deno it is faster than the fatal one (5,000 ENVELOPEs, three
  // texts each: ~3 ms a parse). Only a text with U+FFFD in it (invalid UTF-8, or a real U+FFFD)
  // is decoded again, strictly.
  const text = replacingUtf8.decode(bytes);
  if (text.indexOf("\ufffd") === -1) return text;
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return windows1252.decode(bytes);
  }
}

/** Bytes that are all ASCII as a string (one char per byte); `bytes` must be ASCII or latin1. */
export function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 256) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let out = "";
  for (let at = 0; at < bytes.length; at += 256) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(at, at + 256) as unknown as number[],
    );
  }
  return out;
}

/** Whether every byte is below 0x80. */
export function isAscii(bytes: Uint8Array): boolean {
  // One OR over all bytes, no branch per byte: faster on the short, mostly ASCII lines of IMAP.
  let any = 0;
  for (let i = 0; i < bytes.length; i++) any |= bytes[i];
  return any < 0x80;
}

/**
 * Text of an IMAP string: ASCII as is, else UTF-8 (RFC 6855 servers, and servers that pass raw
 * 8-bit header bytes through, as Dovecot does), else windows-1252 for bytes that are not valid
 * UTF-8 (8-bit headers from legacy mailers). Never throws.
 */
export function utf8Text(bytes: Uint8Array): string {
  return utf8Range(bytes, 0, bytes.length);
}

/** {@linkcode utf8Text} of `bytes[start, end)`, without a subarray for short ranges. */
export function utf8Range(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 512) {
    const text = shortUtf8(bytes, start, end);
    if (text !== null) return text;
  } else {
    try {
      return fatalUtf8.decode(bytes.subarray(start, end));
    } catch {
      // not UTF-8: windows-1252 below
    }
  }
  return windows1252.decode(bytes.subarray(start, end));
}

/**
 * Strict UTF-8 (WHATWG: no overlong forms, surrogates or code points past U+10FFFF) in
 * JavaScript: for the short strings of IMAP data this is several times faster than a
 * `TextDecoder` call. `null` for bytes that are not UTF-8.
 */
export function shortUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  let out = "";
  let i = start;
  while (i < end) {
    const c = bytes[i];
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let point: number;
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      point = c & 0x1f;
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      point = c & 0x0f;
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      point = c & 0x07;
      need = 3;
      min = 0x10000;
    } else {
      return null;
    }
    if (i + need >= end) return null;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return null;
      point = (point << 6) | (next & 0x3f);
    }
    if (point < min || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return null;
    out += point > 0xffff
      ? String.fromCharCode(0xd7c0 + (point >> 10), 0xdc00 | (point & 0x3ff))
      : String.fromCharCode(point);
    i += need + 1;
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
