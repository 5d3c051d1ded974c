// Bytes for the tests: text to bytes and back, results shown as text, and chunks joined or cut
// apart.

import type { Data, Result } from "../mod.ts";

/** UTF-8 encoding, for `utf8.encode(text)`. */
export const utf8: TextEncoder = new TextEncoder();

/** UTF-8 decoding, for `text.decode(bytes)`. */
export const text: TextDecoder = new TextDecoder();

/** `s` as its UTF-8 bytes. */
export const bytes = (s: string): Uint8Array => utf8.encode(s);

/** `s` as one byte per character (U+0000..U+00FF): 8-bit bytes that are not UTF-8. */
export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const latin1Text = new TextDecoder("latin1");

/** A result's data with bytes shown as text: `["1 (FLAGS (\\Seen))", ["hdr", "lit"], null]`. */
export function showData(data: Data[]): (string | string[] | null)[] {
  return data.map((d) =>
    d === null
      ? null
      : d instanceof Uint8Array
      ? latin1Text.decode(d)
      : d.map((x) => latin1Text.decode(x))
  );
}

/** A result with bytes shown as text: `["OK", ["1 (FLAGS (\\Seen))", ["hdr", "lit"]]]`. */
export function show([type, data]: Result): [string, (string | string[] | null)[]] {
  return [type, showData(data)];
}

/** `chunks` joined into one array (the chunk itself when there is only one). */
export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** `input` cut into chunks of one byte each. */
export function oneByteChunks(input: Uint8Array): Uint8Array[] {
  return Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
}
