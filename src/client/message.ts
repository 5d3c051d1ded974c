/**
 * The literal of an APPEND: imaplib's preparation of the message (a `str` encoded, bare CR and
 * LF made CRLF by MapCRLF), done a part at a time within the command's turn in the queue, so
 * that a message of many megabytes does not hold the event loop while it is encoded and mapped
 * (a 30 MB string held it ~135 ms in one stretch) and a later call still runs after it.
 *
 * @module
 */

import type { Arg } from "./args.ts";
import type { Turn } from "../session/connection.ts";
import { PART_SIZE, textBytes } from "../session/text_parts.ts";

const CR = 0x0d;
const LF = 0x0a;

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
  if (typeof message === "string") return await textBytes(message, mapCrlf, turn, partSize);
  const extra = mapCrlf ? await bareLineEnds(message, turn, partSize) : 0;
  if (extra === 0) return message;
  const out = new Uint8Array(message.length + extra);
  await mapInto(out, message, turn, partSize);
  return out;
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
