/**
 * MIME parameters of a BODYSTRUCTURE (`body-fld-param`): RFC 2231 continuations and charsets,
 * and the RFC 2047 encoded words that mailers put in parameter values anyway.
 *
 * @module
 */

import { decodeCharset, decodeWords } from "./encoded_words.ts";
import { plainObjects } from "./plain_objects.ts";
import { isAscii, utf8Bytes, utf8Text } from "./text.ts";

const ParametersObject = /* @__PURE__ */ plainObjects<Record<string, string>>();

// name, then `*N` (continuation number) and/or a final `*` (percent-encoded value).
const EXTENDED = /^([^*]+)\*(\d+)?(\*)?$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

interface Segment {
  value: string;
  encoded: boolean;
}

/**
 * Sets `record[key] = value`, defining an own property for `__proto__` (never the prototype).
 */
export function setKey(record: Record<string, string>, key: string, value: string): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    record[key] = value;
  }
}

/**
 * Decodes MIME parameters (RFC 2045 section 5.1, RFC 2231, RFC 2047) to a record with
 * lower-case keys.
 *
 * - Continuations (`name*0`, `name*1*`, ...) are joined in numeric order under `name`
 *   (RFC 2231 section 3); gaps are skipped.
 * - Extended values (`name*`, `name*0*`) carry `charset'language'` and `%XX` bytes (section 4);
 *   the joined bytes are decoded with the charset (any `TextDecoder` label, or UTF-7). An unknown
 *   charset keeps the value as written (still percent-encoded), unless the bytes are all ASCII
 *   (then read as such). The language is dropped.
 * - An extended value wins over a plain one of the same name.
 * - Plain values have RFC 2047 encoded words decoded (`name="=?UTF-8?B?...?="`: not allowed by
 *   RFC 2047 section 5, sent by Outlook and older Thunderbird versions all the same).
 *
 * Never throws.
 *
 * @param pairs `[name, value]` pairs as sent.
 * @returns The parameters by lower-case name.
 *
 * @example A filename split in RFC 2231 continuations
 * ```ts
 * import { decodeParameters } from "@imaplib/imaplib";
 * const params = decodeParameters([
 *   ["FILENAME*0*", "utf-8''Gr%C3%BC"],
 *   ["FILENAME*1*", "%C3%9Fe.txt"],
 * ]);
 * console.assert(params.filename === "Grüße.txt");
 * ```
 */
export function decodeParameters(
  pairs: readonly (readonly [name: string, value: string])[],
): Record<string, string> {
  // Not a literal (plain_objects.ts).
  const out: Record<string, string> = new ParametersObject();
  let extended: Map<string, Map<number, Segment>> | null = null;
  for (const [rawName, value] of pairs) {
    const name = rawName.trim().toLowerCase();
    const m = name.indexOf("*") === -1 ? null : EXTENDED.exec(name);
    if (m === null) {
      setKey(out, name, decodeWords(value));
      continue;
    }
    extended ??= new Map();
    let segments = extended.get(m[1]);
    if (segments === undefined) extended.set(m[1], segments = new Map());
    const n = m[2] === undefined ? 0 : Number(m[2]);
    if (!segments.has(n)) {
      segments.set(n, { value, encoded: m[2] === undefined || m[3] !== undefined });
    }
  }
  if (extended !== null) {
    for (const [name, segments] of extended) setKey(out, name, joinSegments(segments));
  }
  return out;
}

function joinSegments(segments: Map<number, Segment>): string {
  const ordered = [...segments.keys()].sort((a, b) => a - b).map((n) => segments.get(n)!);
  let charset = "";
  const raw: string[] = [];
  for (let i = 0; i < ordered.length; i++) {
    let { value } = ordered[i];
    if (i === 0 && ordered[i].encoded) {
      const first = value.indexOf("'");
      const second = first === -1 ? -1 : value.indexOf("'", first + 1);
      if (second !== -1) {
        charset = value.slice(0, first);
        value = value.slice(second + 1);
      }
    }
    raw.push(value);
  }
  const parts: Uint8Array[] = ordered.map((segment, i) =>
    segment.encoded ? percentBytes(raw[i]) : utf8Bytes(raw[i])
  );
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  if (charset === "") return utf8Text(bytes);
  // An unknown charset: ASCII bytes read the same in any MIME charset (mutt's
  // `ansi-x3.4-1968''application%2Fpgp-signature`, CPython's test_email msg_33.txt); other
  // bytes are kept as written.
  return decodeCharset(charset, bytes) ?? (isAscii(bytes) ? utf8Text(bytes) : raw.join(""));
}

function percentBytes(value: string): Uint8Array {
  if (value.indexOf("%") === -1) return utf8Bytes(value);
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && HEX.test(value.slice(i + 1, i + 3))) {
      out.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Raw non-ASCII text in an extended value (not allowed, sent anyway): taken as UTF-8.
      const point = value.codePointAt(i)!;
      for (const b of utf8Bytes(String.fromCodePoint(point))) out.push(b);
      if (point > 0xffff) i++;
    }
  }
  return Uint8Array.from(out);
}
