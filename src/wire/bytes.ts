// Byte helpers of the library: Python-style reprs, so error messages read as imaplib's do
// (`[b'text']`), UTF-8 and base64 conversions, concatenation.

/** Python's `repr(bytes)`: `b'...'` with non-printable bytes escaped. */
export function bytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = "b" + quote;
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x27 && quote === "'") out += "\\'";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out + quote;
}

/** Python's `repr()` of a list of imaplib data items. */
export function dataRepr(data: readonly (Uint8Array | readonly Uint8Array[] | null)[]): string {
  const item = (d: Uint8Array | readonly Uint8Array[] | null): string =>
    d === null
      ? "None"
      : d instanceof Uint8Array
      ? bytesRepr(d)
      : `(${d.map(bytesRepr).join(", ")})`;
  return `[${data.map(item).join(", ")}]`;
}

const utf8 = new TextDecoder("utf-8");

/** Python's `bytes.decode('utf-8', 'replace')`. */
export function decodeText(bytes: Uint8Array | null | undefined): string {
  return bytes ? utf8.decode(bytes) : "";
}

const utf8Encoder = new TextEncoder();

/** Encodes a string as UTF-8; bytes are returned as they are. */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encoder.encode(value) : value;
}

/** The bytes of `parts` one after another, in one new array. */
export function concat(parts: readonly Uint8Array[], totalBytes?: number): Uint8Array {
  let total = totalBytes ?? 0;
  if (totalBytes === undefined) { for (const part of parts) total += part.length; }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Copies `source[from, to)` into `target` at `at`: a loop for a few bytes (lines of a response,
 * the number of a FETCH), where the view `set()` needs would cost more than the copy.
 */
export function copyInto(
  target: Uint8Array,
  at: number,
  source: Uint8Array,
  from: number,
  to: number,
): void {
  if (to - from <= 32) {
    for (let i = from; i < to; i++) target[at++] = source[i];
  } else {
    target.set(source.subarray(from, to), at);
  }
}

// Uint8Array.prototype.toBase64 and Uint8Array.fromBase64 (TC39, in Deno, Bun and Node 22+);
// Node 20 lacks them, so btoa/atob (Latin-1 strings, one char per byte) stand in there.
type Base64Bytes = { toBase64?: () => string };
type Base64Ctor = { fromBase64?: (text: string) => Uint8Array };

/** Standard base64 (RFC 4648 section 4) of `bytes`, with padding. */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Base64Bytes).toBase64;
  if (native) return native.call(bytes);
  let latin1 = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    latin1 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(latin1);
}

/**
 * The bytes of standard base64 `text`.
 * @throws {SyntaxError} if `text` is not base64 (the native `fromBase64` and `atob` both
 *   throw a `SyntaxError`-like error; callers treat any throw as "not base64").
 */
export function fromBase64(text: string): Uint8Array {
  const native = (Uint8Array as unknown as Base64Ctor).fromBase64;
  if (native) return native(text);
  const latin1 = atob(text);
  const out = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) out[i] = latin1.charCodeAt(i);
  return out;
}
