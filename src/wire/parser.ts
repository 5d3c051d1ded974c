/**
 * The response parser: one {@linkcode Frame} to one {@linkcode Response}, synchronous and pure.
 *
 * It follows imaplib's reading of responses (RFC 3501 section 7): an untagged `* TYPE data` or
 * `* N TYPE data` response becomes the imaplib data fragments for `TYPE`; a response with
 * literals becomes `[header, literal]` pairs followed by the trailing line, exactly the shape
 * imaplib stores; `[CODE data]` response codes of OK/NO/BAD are matched greedily up to the last
 * `]`, as imaplib does since issue 21815 (flags that contain `]`).
 *
 * @module
 */

import type { Frame } from "./decoder.ts";
import { IMAP4ProtocolError } from "../errors.ts";
import { copyInto } from "./bytes.ts";

/** One imaplib data item: bytes, or a `[header, literal]` pair. */
export type Datum = Uint8Array | [header: Uint8Array, literal: Uint8Array];

/** A `[CODE data]` response code (RFC 3501 section 7.1). */
export interface ResponseCode {
  /** The code's name, upper case letters and `-` (e.g. `UIDVALIDITY`). */
  type: string;
  /** The bytes after the name and a space, up to the last `]`; `null` if there are none. */
  data: Uint8Array | null;
}

/** A tagged status response: `tag status [text]`, the completion of a command. */
export interface TaggedResponse {
  /** Discriminant. */
  kind: "tagged";
  /** The tag as sent by the server. */
  tag: string;
  /** The status word in upper case (`OK`, `NO`, `BAD`, or whatever the server sent). */
  status: string;
  /** The text after the status and a space (empty if the server sent none). */
  data: Uint8Array;
  /** The response code at the start of the text, for OK, NO and BAD. */
  code: ResponseCode | null;
  /** The whole line, without CRLF. */
  line: Uint8Array;
}

/** An untagged response: `* TYPE data` or `* N TYPE data`. */
export interface UntaggedResponse {
  /** Discriminant. */
  kind: "untagged";
  /** The response type in upper case (`EXISTS`, `FETCH`, `OK`, `CAPABILITY`...). */
  type: string;
  /**
   * imaplib's data fragments for this response: for `* N TYPE rest` the first is `N rest`;
   * a literal makes a `[header, literal]` pair; the trailing line after the last literal is the
   * last fragment.
   */
  data: Datum[];
  /** The response code at the start of the text, for OK, NO and BAD. */
  code: ResponseCode | null;
  /** The first line, without CRLF. */
  line: Uint8Array;
}

/** A continuation request: `+ [text]` (RFC 3501 section 7.5). */
export interface ContinuationResponse {
  /** Discriminant. */
  kind: "continuation";
  /** The text after `+ `, or `null` for a bare `+`. */
  data: Uint8Array | null;
  /** The whole line, without CRLF. */
  line: Uint8Array;
}

/** Any server response. */
export type Response = TaggedResponse | UntaggedResponse | ContinuationResponse;

const SP = 0x20;
const STAR = 0x2a;
const PLUS = 0x2b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
// Tags, status words and type names are short ASCII: a char-code conversion is much cheaper
// than a TextDecoder call per response.
function ascii(bytes: Uint8Array): string {
  return bytes.length <= 64
    ? String.fromCharCode.apply(null, bytes as unknown as number[])
    : new TextDecoder("latin1").decode(bytes);
}

// imaplib's `N rest` data is a new byte string; carving them out of a shared slab spares an
// allocation per FETCH response (the parser stays pure: the slab is never written twice).
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

function allocate(size: number): Uint8Array {
  if (size > SLAB_BYTES / 8) return new Uint8Array(size);
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += size;
  return bytes;
}

// The upper-case type names servers send most, found by their bytes: no view or string is made
// for them (one of each per response otherwise, all garbage on a bulk FETCH). Made on first use:
// no module runs code at load.
let knownTypes: { name: string; bytes: Uint8Array }[] | null = null;

// The type name at line[start, end) in upper case.
function typeName(line: Uint8Array, start: number, end: number): string {
  knownTypes ??= ["FETCH", "EXISTS", "EXPUNGE", "RECENT", "OK", "SEARCH", "LIST", "STATUS"]
    .map((name) => ({ name, bytes: Uint8Array.from(name, (c) => c.charCodeAt(0)) }));
  next: for (const { name, bytes } of knownTypes) {
    if (bytes.length !== end - start) continue;
    for (let i = 0; i < bytes.length; i++) if (line[start + i] !== bytes[i]) continue next;
    return name;
  }
  return ascii(line.subarray(start, end)).toUpperCase();
}

function isUpperOrDash(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || byte === 0x2d;
}

function isLetterOrDash(byte: number): boolean {
  return isUpperOrDash(byte) || (byte >= 0x61 && byte <= 0x7a);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

// End of a run of letters/dashes starting at `from`, or `from` if none.
function scanWord(line: Uint8Array, from: number): number {
  let at = from;
  while (at < line.length && isLetterOrDash(line[at])) at++;
  return at;
}

/** Renders bytes for an error message: printable ASCII as is, everything else escaped. */
export function showBytes(bytes: Uint8Array, maxBytes = 200): string {
  let out = "";
  const end = Math.min(bytes.length, maxBytes);
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    out += b >= 0x20 && b < 0x7f && b !== 0x5c
      ? String.fromCharCode(b)
      : b === 0x5c
      ? "\\\\"
      : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return bytes.length > maxBytes ? `${out}... (${bytes.length} bytes)` : out;
}

/**
 * Matches imaplib's `Response_code` at the start of `text`: `[TYPE]` or `[TYPE data]`, where
 * `data` runs to the last `]` of the text.
 *
 * @param text The text of an OK, NO or BAD response.
 * @returns The code, or `null` if the text does not start with one.
 */
export function parseResponseCode(text: Uint8Array): ResponseCode | null {
  if (text.length < 3 || text[0] !== OPEN_BRACKET) return null;
  let at = 1;
  while (at < text.length && isUpperOrDash(text[at])) at++;
  if (at === 1 || at >= text.length) return null;
  const type = ascii(text.subarray(1, at));
  if (text[at] === CLOSE_BRACKET) return { type, data: null };
  if (text[at] !== SP) return null;
  const close = text.lastIndexOf(CLOSE_BRACKET);
  if (close <= at) return null;
  return { type, data: text.subarray(at + 1, close) };
}

function statusCode(status: string, text: Uint8Array): ResponseCode | null {
  return status === "OK" || status === "NO" || status === "BAD" ? parseResponseCode(text) : null;
}

/**
 * Parses one frame.
 *
 * @param frame A complete response from the decoder.
 * @returns The tagged, untagged or continuation response.
 * @throws {IMAP4ProtocolError} for a response that is none of the three (imaplib: "unexpected
 *   response").
 *
 * @example
 * ```ts
 * import { parseFrame } from "@imaplib/imaplib";
 * const line = new TextEncoder().encode("* 3 EXISTS");
 * const response = parseFrame({ lines: [line], literals: [] });
 * console.assert(response.kind === "untagged" && response.type === "EXISTS");
 * ```
 */
export function parseFrame(frame: Frame): Response {
  const line = frame.lines[0];
  const first = line[0];
  if (first === PLUS && (line.length === 1 || line[1] === SP)) {
    return { kind: "continuation", data: line.length === 1 ? null : line.subarray(2), line };
  }
  if (first === STAR && line[1] === SP) return parseUntagged(frame, line);
  if (first !== STAR && first !== PLUS && frame.literals.length === 0) {
    const tagged = parseTagged(line);
    if (tagged) return tagged;
  }
  throw new IMAP4ProtocolError(`unexpected response: '${showBytes(line)}'`);
}

function parseTagged(line: Uint8Array): TaggedResponse | null {
  const space = line.indexOf(SP);
  if (space < 1) return null;
  const end = scanWord(line, space + 1);
  if (end === space + 1 || (end < line.length && line[end] !== SP)) return null;
  const status = ascii(line.subarray(space + 1, end)).toUpperCase();
  const data = end < line.length ? line.subarray(end + 1) : new Uint8Array(0);
  return {
    kind: "tagged",
    tag: ascii(line.subarray(0, space)),
    status,
    data,
    code: statusCode(status, data),
    line,
  };
}

function parseUntagged(frame: Frame, line: Uint8Array): UntaggedResponse {
  let type: string;
  let head: Uint8Array;
  const typeStart = 2;
  if (isDigit(line[typeStart])) {
    // `* N TYPE rest` -> type TYPE, data `N rest` (imaplib's Untagged_status).
    let at = typeStart;
    while (at < line.length && isDigit(line[at])) at++;
    const typeEnd = scanWord(line, at + 1);
    if (line[at] !== SP || typeEnd === at + 1 || (typeEnd < line.length && line[typeEnd] !== SP)) {
      throw new IMAP4ProtocolError(`unexpected response: '${showBytes(line)}'`);
    }
    type = typeName(line, at + 1, typeEnd);
    if (typeEnd >= line.length) {
      head = line.subarray(typeStart, at);
    } else {
      head = allocate(line.length - typeStart - (typeEnd - at));
      copyInto(head, 0, line, typeStart, at);
      copyInto(head, at - typeStart, line, typeEnd, line.length);
    }
  } else {
    const typeEnd = scanWord(line, typeStart);
    if (typeEnd === typeStart || (typeEnd < line.length && line[typeEnd] !== SP)) {
      throw new IMAP4ProtocolError(`unexpected response: '${showBytes(line)}'`);
    }
    type = typeName(line, typeStart, typeEnd);
    head = typeEnd < line.length ? line.subarray(typeEnd + 1) : new Uint8Array(0);
  }
  const { lines, literals } = frame;
  // Arrays made at their final size where the count is the usual one (no literal, or one):
  // a push into an empty array reserves room for 17.
  let data: Datum[];
  if (literals.length === 0) {
    data = [head];
  } else if (literals.length === 1) {
    data = [[head, literals[0]], lines[1]];
  } else {
    data = [];
    for (let i = 0; i < literals.length; i++) {
      data.push([i === 0 ? head : lines[i], literals[i]]);
    }
    data.push(lines[literals.length]);
  }
  return { kind: "untagged", type, data, code: statusCode(type, head), line };
}
