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
const windows1252 = new TextDecoder("windows-1252");

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
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/**
 * Text of an IMAP string: ASCII as is, else UTF-8 (RFC 6855 servers, and servers that pass raw
 * 8-bit header bytes through, as Dovecot does), else windows-1252 for bytes that are not valid
 * UTF-8 (8-bit headers from legacy mailers). Never throws.
 */
export function utf8Text(bytes: Uint8Array): string {
  if (isAscii(bytes)) return latin1(bytes);
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return windows1252.decode(bytes);
  }
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
