/**
 * Content-Transfer-Encoding (RFC 2045 section 6) undone as a stream: base64 and
 * quoted-printable, for body parts fetched with `BODY[part]` from servers without BINARY
 * (RFC 3516), which would undo it themselves.
 *
 * Byte loops with a few bytes of state between chunks: memory is bounded by the chunk, whatever
 * the server sends (a base64 part of one endless line, a run of spaces).
 *
 * @module
 */

import { BASE64_VALUES as BASE64 } from "./text.ts";

const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const NO_BYTES = new Uint8Array(0);

/**
 * @internal A decoder fed chunk by chunk: `push()` returns the bytes decoded so far (a fresh
 * buffer, possibly empty), `end()` what the state still holds at the end of the data.
 */
export interface ChunkDecoder {
  push(chunk: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

/**
 * @internal The {@linkcode ChunkDecoder} of a Content-Transfer-Encoding; `null` where the bytes
 * are the content (see {@linkcode transferDecoder}).
 */
export function chunkDecoderFor(encoding: string): ChunkDecoder | null {
  switch (encoding.trim().toLowerCase()) {
    case "base64":
      return new Base64Decoder();
    case "quoted-printable":
      return new QuotedPrintableDecoder();
    default:
      return null;
  }
}

/**
 * Base64 bodies: bytes outside the alphabet (line breaks, spaces, junk) are ignored and `=`
 * ends the data, as RFC 2045 section 6.8 tells decoders to do; bits left over at the end (a
 * truncated last group) are dropped.
 */
class Base64Decoder implements ChunkDecoder {
  #bits = 0;
  #bitCount = 0;
  #ended = false;

  push(chunk: Uint8Array): Uint8Array {
    if (this.#ended) return NO_BYTES;
    const out = new Uint8Array(Math.ceil((chunk.length * 3) / 4) + 1);
    let n = 0;
    let bits = this.#bits;
    let count = this.#bitCount;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      const value = BASE64[c];
      if (value < 0) {
        if (c !== EQUALS) continue;
        this.#ended = true;
        break;
      }
      bits = ((bits << 6) | value) & 0xfff;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out[n++] = (bits >> count) & 0xff;
      }
    }
    this.#bits = bits;
    this.#bitCount = count;
    return out.subarray(0, n);
  }

  end(): Uint8Array {
    return NO_BYTES;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

// Where a quoted-printable decoder is between bytes.
const TEXT = 0; // in text (spaces seen last are pending)
const ESCAPE = 1; // after `=`
const ESCAPE_HEX = 2; // after `=` and one hex digit
const SOFT_BREAK = 3; // after `=` and spaces or tabs: a soft line break with padding, so far
const SOFT_CR = 4; // after `=` (and padding) and CR: a soft line break, its LF may follow

// Spaces and tabs pending at most this long: longer runs cannot end a line of RFC 5322's 998
// characters, so they are text, emitted as they are (and the state stays bounded).
const MAX_PENDING_SPACES = 998;

/**
 * Quoted-printable bodies (RFC 2045 section 6.7): `=XX` is the byte XX, `=` at the end of a line
 * (after optional spaces and tabs) is a soft line break and goes, and spaces and tabs at the end
 * of a line are transport padding and go (rule 3). Line breaks are kept as sent. What is not
 * valid (`=` not followed by two hex digits nor a line end, as written by broken mailers) is
 * kept literally, as the RFC's note on robust decoders advises. Lower-case hex digits are
 * accepted.
 */
class QuotedPrintableDecoder implements ChunkDecoder {
  #state = TEXT;
  #hex = 0; // the first hex digit's byte, in ESCAPE_HEX
  // Spaces and tabs not yet known to be text: in TEXT, before the next byte; in SOFT_BREAK,
  // after the `=`.
  #spaces: number[] = [];
  // In TEXT: the current run of spaces and tabs outgrew MAX_PENDING_SPACES, so it is text to its
  // end, padding or not.
  #longRun = false;

  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length + this.#spaces.length + 3);
    let n = 0;
    const spaces = this.#spaces;
    let state = this.#state;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      switch (state) {
        case TEXT:
          if (c === SPACE || c === TAB) {
            if (this.#longRun) {
              out[n++] = c;
            } else if (spaces.length === MAX_PENDING_SPACES) {
              n = flush(spaces, out, n);
              out[n++] = c;
              this.#longRun = true;
            } else {
              spaces.push(c);
            }
            continue;
          }
          this.#longRun = false;
          if (c === CR || c === LF) {
            spaces.length = 0; // trailing padding
            out[n++] = c;
          } else {
            if (spaces.length > 0) n = flush(spaces, out, n);
            if (c === EQUALS) state = ESCAPE;
            else out[n++] = c;
          }
          continue;
        case ESCAPE:
          if (hexValue(c) >= 0) {
            this.#hex = c;
            state = ESCAPE_HEX;
          } else if (c === CR) {
            state = SOFT_CR;
          } else if (c === LF) {
            state = TEXT; // a soft break ended by a bare LF
          } else if (c === SPACE || c === TAB) {
            spaces.push(c);
            state = SOFT_BREAK;
          } else {
            out[n++] = EQUALS; // not an escape: kept
            i--;
            state = TEXT;
          }
          continue;
        case ESCAPE_HEX:
          if (hexValue(c) >= 0) {
            out[n++] = hexValue(this.#hex) * 16 + hexValue(c);
          } else {
            out[n++] = EQUALS;
            out[n++] = this.#hex;
            i--;
          }
          state = TEXT;
          continue;
        case SOFT_BREAK:
          if (c === SPACE || c === TAB) {
            if (spaces.length < MAX_PENDING_SPACES) {
              spaces.push(c);
              continue;
            }
          } else if (c === CR) {
            spaces.length = 0;
            state = SOFT_CR;
            continue;
          } else if (c === LF) {
            spaces.length = 0;
            state = TEXT;
            continue;
          }
          // `=` and spaces followed by text: no soft break, all of it is text.
          out[n++] = EQUALS;
          n = flush(spaces, out, n);
          i--;
          state = TEXT;
          continue;
        case SOFT_CR:
          state = TEXT;
          if (c !== LF) i--; // a soft break ended by a bare CR
          continue;
      }
    }
    this.#state = state;
    return out.subarray(0, n);
  }

  end(): Uint8Array {
    // Spaces at the very end are the last line's padding, and `=` (with padding) there is a soft
    // break (as Python's binascii.a2b_qp reads it); `=` and one hex digit are kept as text.
    return this.#state === ESCAPE_HEX ? Uint8Array.of(EQUALS, this.#hex) : NO_BYTES;
  }
}

function flush(spaces: number[], out: Uint8Array, n: number): number {
  for (const s of spaces) out[n++] = s;
  spaces.length = 0;
  return n;
}

/**
 * A stream that undoes a body part's Content-Transfer-Encoding (RFC 2045 section 6): `base64`
 * or `quoted-printable` (any letter case). `null` for the encodings whose bytes are the content
 * already (`7bit`, `8bit`, `binary`) and for ones it does not know (`x-uuencode`...): pass those
 * bytes on as they are.
 *
 * Decoding is tolerant, as RFC 2045 asks of decoders: base64 ignores bytes outside its alphabet
 * and stops at `=`; quoted-printable keeps a malformed `=` as text and drops the spaces that pad
 * a line's end. It never throws on the data.
 *
 * @param encoding The part's encoding, e.g. `BodyStructure.encoding`.
 * @returns A `TransformStream` of bytes, or `null` if there is nothing to undo.
 *
 * @example An attachment fetched with BODY[2], decoded as it arrives
 * ```ts
 * import { transferDecoder } from "@imaplib/imaplib";
 * const decoder = transferDecoder("BASE64")!;
 * const encoded = new Blob(["SGVsbG8s", "IHdvcmxk\r\nIQ=="]).stream();
 * const text = await new Response(encoded.pipeThrough(decoder)).text();
 * console.assert(text === "Hello, world!");
 * console.assert(transferDecoder("7bit") === null);
 * ```
 */
export function transferDecoder(
  encoding: string,
): TransformStream<Uint8Array, Uint8Array> | null {
  const decoder = chunkDecoderFor(encoding);
  if (!decoder) return null;
  return new TransformStream({
    transform(chunk, controller) {
      const out = decoder.push(chunk);
      if (out.length > 0) controller.enqueue(out);
    },
    flush(controller) {
      const out = decoder.end();
      if (out.length > 0) controller.enqueue(out);
    },
  });
}
