/**
 * The literal of an APPEND: imaplib's preparation of the message (a `str` encoded, bare CR and
 * LF made CRLF by MapCRLF), done a part at a time within the command's turn in the queue, so
 * that a message of many megabytes does not hold the event loop while it is encoded and mapped
 * (a 30 MB string held it ~135 ms in one stretch) and a later call still runs after it.
 *
 * @module
 */

import type { Arg } from "./args.ts";

/** A turn of the event loop when the current slice of work is used up, else null. */
export type Turn = () => Promise<void> | null;

// Characters encoded, and bytes scanned or mapped, between two looks at the clock: well under a
// millisecond each once compiled, and a few before (a byte loop runs ~100 ns a byte in V8's
// interpreter: a 1 MiB part held the loop ~95 ms on a first call).
const PART_SIZE = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const encoder = new TextEncoder();
// The line ends MapCRLF changes: a CR not before LF, an LF not after CR. (imaplib replaces
// `\r\n|\r|\n` by CRLF; replacing each CRLF by itself costs a match per line for nothing.)
const BARE_LINE_END = /\r(?!\n)|(?<!\r)\n/g;
const NON_ASCII = /[^\0-\x7f]/;

/**
 * The bytes `message` is sent as: UTF-8 for a string, and with `mapCrlf` every bare CR and LF
 * made CRLF (imaplib's MapCRLF: any of CRLF, CR, LF becomes CRLF). Bytes that need no change
 * are returned as given, not copied; a string is encoded straight into the one buffer it needs.
 * Work on more than a part (`partSize` characters or bytes; tests set it small) lets the loop
 * turn between parts.
 */
export async function messageBytes(
  message: Arg,
  mapCrlf: boolean,
  turn: Turn,
  partSize: number = PART_SIZE,
): Promise<Uint8Array> {
  if (typeof message === "string") return await encodeText(message, mapCrlf, turn, partSize);
  const extra = mapCrlf ? await bareLineEnds(message, turn, partSize) : 0;
  if (extra === 0) return message;
  const out = new Uint8Array(message.length + extra);
  await mapInto(out, message, turn, partSize);
  return out;
}

// `text` as UTF-8 (line ends mapped with `mapCrlf`), measured first, then encoded part by part
// into a buffer of its final size: no piece is kept and joined.
async function encodeText(
  text: string,
  mapCrlf: boolean,
  turn: Turn,
  partSize: number,
): Promise<Uint8Array> {
  const prepare = (part: string) => mapCrlf ? part.replace(BARE_LINE_END, "\r\n") : part;
  // An ASCII part (most of any large message: base64) is as many bytes as characters; any other
  // is measured by encoding it into a scratch buffer of 3 bytes per UTF-16 unit (a pair: 2
  // units, 4 bytes).
  let scratch = new Uint8Array(0);
  let length = 0;
  for (let start = 0; start < text.length;) {
    const end = partEnd(text, start, partSize);
    const part = prepare(text.slice(start, end));
    if (NON_ASCII.test(part)) {
      if (scratch.length < 3 * part.length) scratch = new Uint8Array(3 * part.length);
      length += encoder.encodeInto(part, scratch).written;
    } else length += part.length;
    start = end;
    const wait = turn();
    if (wait) await wait;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (let start = 0; start < text.length;) {
    const end = partEnd(text, start, partSize);
    at += encoder.encodeInto(prepare(text.slice(start, end)), out.subarray(at)).written;
    start = end;
    const wait = turn();
    if (wait) await wait;
  }
  return out;
}

// Where the part of `text` from `start` ends: never between the CR and LF of a CRLF (each half
// would be mapped on its own), nor after a high surrogate (the pair would be cut).
function partEnd(text: string, start: number, partSize: number): number {
  let end = Math.min(start + partSize, text.length);
  while (end < text.length) {
    const last = text.charCodeAt(end - 1);
    if ((last === CR && text.charCodeAt(end) === LF) || (last >= 0xd800 && last <= 0xdbff)) {
      end++;
    } else break;
  }
  return end;
}

// How many bare CR and LF `bytes` holds (each becomes two bytes).
async function bareLineEnds(bytes: Uint8Array, turn: Turn, partSize: number): Promise<number> {
  let extra = 0;
  for (let start = 0; start < bytes.length;) {
    const end = bytesPartEnd(bytes, start, partSize);
    extra += countBare(bytes, start, end);
    start = end;
    const wait = turn();
    if (wait) await wait;
  }
  return extra;
}

// Writes `bytes` into `out` with every line end as CRLF.
async function mapInto(
  out: Uint8Array,
  bytes: Uint8Array,
  turn: Turn,
  partSize: number,
): Promise<void> {
  let at = 0;
  for (let start = 0; start < bytes.length;) {
    const end = bytesPartEnd(bytes, start, partSize);
    at = mapPart(out, at, bytes, start, end);
    start = end;
    const wait = turn();
    if (wait) await wait;
  }
}

// Where the part of `bytes` from `start` ends: never between the CR and LF of a CRLF. (The byte
// loops are plain functions: V8 optimizes them far better than a loop inside an async one.)
function bytesPartEnd(bytes: Uint8Array, start: number, partSize: number): number {
  const end = Math.min(start + partSize, bytes.length);
  return end < bytes.length && bytes[end - 1] === CR && bytes[end] === LF ? end + 1 : end;
}

// Bare CR and LF in bytes[start, end). Four bytes at a time where they hold neither (lines of
// mail are ~80 bytes: a third of the time of a byte loop).
function countBare(bytes: Uint8Array, start: number, end: number): number {
  const base = bytes.byteOffset;
  const aligned = (base + 3) & ~3;
  const count = (base + bytes.length - aligned) >> 2;
  const words = count > 0 ? new Uint32Array(bytes.buffer, aligned, count) : null;
  let extra = 0;
  for (let i = start; i < end;) {
    if (words && ((base + i) & 3) === 0 && i + 4 <= end) {
      // Does the word hold a byte 0x0A or 0x0D? (A zero byte of w ^ 0x0A0A0A0A or of
      // w ^ 0x0D0D0D0D, by the "has a zero byte" test.)
      const w = words[(base + i - aligned) >> 2];
      const lf = w ^ 0x0a0a0a0a;
      const cr = w ^ 0x0d0d0d0d;
      if (((((lf - 0x01010101) & ~lf) | ((cr - 0x01010101) & ~cr)) & 0x80808080) === 0) {
        i += 4;
        continue;
      }
    }
    const b = bytes[i];
    if (b === CR) {
      if (i + 1 < end && bytes[i + 1] === LF) i++;
      else extra++;
    } else if (b === LF) extra++;
    i++;
  }
  return extra;
}

function mapPart(out: Uint8Array, at: number, bytes: Uint8Array, start: number, end: number) {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === CR || b === LF) {
      out[at++] = CR;
      out[at++] = LF;
      if (b === CR && i + 1 < end && bytes[i + 1] === LF) i++;
    } else out[at++] = b;
  }
  return at;
}
