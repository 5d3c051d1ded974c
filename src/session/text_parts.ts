/**
 * Text to UTF-8 a part at a time, letting the event loop turn between parts: an APPEND's message
 * (with imaplib's MapCRLF) and any command argument of megabytes (a set of a million UIDs is
 * 7 MB), which one `TextEncoder` call would encode in a single stretch.
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import type { Turn } from "./connection.ts";

/**
 * Characters encoded, or bytes scanned or mapped, between two looks at the clock: well under a
 * millisecond each once compiled, and a few before (a byte loop runs ~100 ns a byte in V8's
 * interpreter: a 1 MiB part held the loop ~95 ms on a first call).
 */
export const PART_SIZE = 64 * 1024;

// Text arguments longer than this (characters) are encoded in parts before a command is encoded.
const LARGE_ARGUMENT_CHARS = 4 * PART_SIZE;

const CR = 0x0d;
const LF = 0x0a;
const encoder = new TextEncoder();
// The line ends MapCRLF changes: a CR not before LF, an LF not after CR. (imaplib replaces
// `\r\n|\r|\n` by CRLF; replacing each CRLF by itself costs a match per line for nothing.)
const BARE_LINE_END = /\r(?!\n)|(?<!\r)\n/g;
const NON_ASCII = /[^\0-\x7f]/;

/** Whether an argument is text long enough to encode in parts ({@linkcode largeTextAsBytes}). */
export function hasLargeText(args: readonly Argument[]): boolean {
  return args.some((arg) =>
    typeof arg.value === "string" && arg.value.length > LARGE_ARGUMENT_CHARS
  );
}

/**
 * `args` with each long text value encoded to UTF-8 a part at a time (the encoder takes bytes as
 * it takes text: the same checks, the same bytes on the wire).
 */
export async function largeTextAsBytes(
  args: readonly Argument[],
  turn: Turn,
): Promise<Argument[]> {
  const out: Argument[] = [];
  for (const arg of args) {
    const { value } = arg;
    out.push(
      typeof value === "string" && value.length > LARGE_ARGUMENT_CHARS
        ? { ...arg, value: await textBytes(value, false, turn, PART_SIZE) }
        : arg,
    );
  }
  return out;
}

/**
 * `text` as UTF-8 (line ends mapped with `mapCrlf`), measured first, then encoded part by part
 * into a buffer of its final size: no piece is kept and joined.
 */
export async function textBytes(
  text: string,
  mapCrlf: boolean,
  turn: Turn,
  partSize: number,
): Promise<Uint8Array> {
  const prepare = (part: string) => mapCrlf ? part.replace(BARE_LINE_END, "\r\n") : part;
  // One part (most messages): encoded at once, not measured first.
  if (partEnd(text, 0, partSize) === text.length) return encoder.encode(prepare(text));
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
