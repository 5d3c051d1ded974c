// Test helpers: server responses as written on the wire, turned into the data imaplib returns
// for them (Python imaplib's shape), so the tables read like transcripts.
//
//   * 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n   ->   [[b"1 (UID 7 BODY[] {5}", b"hello"], b")"]
//
// The conversion follows imaplib: `* N TYPE rest` keeps `N rest`, `* TYPE rest` keeps `rest`; a
// line ending in `{N}` is followed by N bytes of literal, and the text after the last literal up
// to CRLF closes the response.

import type { DataItem } from "../../src/typed/mod.ts";

const utf8 = new TextEncoder();

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A literal on the wire: `{N}\r\n` and the text (N counted in UTF-8 bytes). */
export function lit(text: string): string {
  return `{${bytes(text).length}}\r\n${text}`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// The untagged prefix imaplib strips: `* ` and the type (keeping a leading number).
function stripPrefix(line: Uint8Array): Uint8Array {
  const text = new TextDecoder("latin1").decode(line.subarray(0, 64));
  const m = /^\* (?:(\d+) )?([A-Za-z.-]+)(?: |$)/.exec(text);
  if (m === null) return line;
  const rest = line.subarray(m[0].length);
  return m[1] === undefined ? rest : concat(bytes(`${m[1]}${rest.length ? " " : ""}`), rest);
}

/**
 * The imaplib data of the responses in `wire` (each ending in CRLF; literals as `{N}\r\n...`).
 * A string is taken as UTF-8 (`{N}` must count UTF-8 bytes, as {@linkcode lit} does); pass bytes
 * for 8-bit data that is not UTF-8.
 */
export function data(wire: string | Uint8Array): DataItem[] {
  const buf = typeof wire === "string" ? bytes(wire) : wire;
  const out: DataItem[] = [];
  let at = 0;
  while (at < buf.length) {
    let head: Uint8Array | null = null;
    for (;;) {
      let end = at;
      while (end < buf.length && !(buf[end] === 0x0d && buf[end + 1] === 0x0a)) end++;
      let line = buf.subarray(at, end);
      if (head === null) line = stripPrefix(line);
      head = line;
      at = end + 2;
      const m = /\{(\d+)\+?\}$/.exec(new TextDecoder("latin1").decode(line.subarray(-24)));
      if (m === null || end >= buf.length) {
        out.push(line);
        break;
      }
      const n = Number(m[1]);
      out.push([line, buf.slice(at, at + n)]);
      at += n;
    }
  }
  return out;
}

/** Text of bytes (UTF-8), for comparing literals. */
export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : new TextDecoder().decode(b);
}
