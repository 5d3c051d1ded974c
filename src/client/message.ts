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
// imaplib's MapCRLF pattern.
const LINE_END = /\r\n|\r|\n/g;

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
  const extra = mapCrlf ? await lineEnds(message, null, turn, partSize) : 0;
  if (extra === 0) return message;
  const out = new Uint8Array(message.length + extra);
  await lineEnds(message, out, turn, partSize);
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
  const prepare = (part: string) => mapCrlf ? part.replace(LINE_END, "\r\n") : part;
  if (text.length <= partSize) return encoder.encode(prepare(text));
  // A part of n UTF-16 units is at most 3n bytes of UTF-8 (a pair: 2 units, 4 bytes), twice
  // that once each unit may be a bare CR or LF.
  const scratch = new Uint8Array(6 * (partSize + 2));
  let length = 0;
  for (let start = 0; start < text.length;) {
    const end = partEnd(text, start, partSize);
    length += encoder.encodeInto(prepare(text.slice(start, end)), scratch).written;
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

// Counts the bare CR and LF in `bytes` (each becomes two bytes) and, given `out`, writes
// `bytes` into it with every line end as CRLF.
async function lineEnds(
  bytes: Uint8Array,
  out: Uint8Array | null,
  turn: Turn,
  partSize: number,
): Promise<number> {
  let extra = 0;
  let at = 0;
  let afterCr = false;
  for (let start = 0; start < bytes.length; start += partSize) {
    const end = Math.min(start + partSize, bytes.length);
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      const bare = b === LF ? !afterCr : afterCr;
      if (bare) extra++;
      afterCr = b === CR;
      if (!out) continue;
      if (b === LF || b === CR) {
        if (b === CR || bare) {
          out[at++] = CR;
          out[at++] = LF;
        }
      } else out[at++] = b;
    }
    const wait = turn();
    if (wait) await wait;
  }
  if (afterCr) extra++;
  return extra;
}
