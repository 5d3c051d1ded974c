/**
 * Response codes (RFC 3501 section 7.1, `resp-text-code`) read into typed fields: APPENDUID and
 * COPYUID (RFC 4315), HIGHESTMODSEQ and NOMODSEQ (RFC 7162), and the rest of RFC 3501's.
 *
 * @module
 */

import { countSequenceSet, rangesCount, sequenceRanges, UidMapBuilder } from "./sequence_set.ts";
import { utf8Bytes, utf8Text } from "./text.ts";
import { ImapTokenizer } from "./tokenizer.ts";
import { UINT32_MAX } from "./tokens.ts";
import { TypedParseError } from "./errors.ts";

/**
 * A response code with its data read. `code` says which fields can be present:
 *
 * | code                          | fields                                              |
 * | ----------------------------- | --------------------------------------------------- |
 * | `APPENDUID` (RFC 4315)        | `uidValidity`, `uids`, and `uid` when `uids` is one UID |
 * | `COPYUID` (RFC 4315)          | `uidValidity`, `sourceUids`, `destinationUids`, `uidMap` |
 * | `UIDVALIDITY`                 | `uidValidity`                                       |
 * | `UIDNEXT`                     | `uidNext`                                           |
 * | `UNSEEN`                      | `unseen`                                            |
 * | `PERMANENTFLAGS`              | `flags` (as sent, `\\*` included)                   |
 * | `HIGHESTMODSEQ` (RFC 7162)    | `highestModseq`                                     |
 * | `MODIFIED` (RFC 7162)         | `modified` (a sequence set, as sent)                |
 * | `CAPABILITY`                  | `capabilities` (upper case, as imaplib keeps them)  |
 * | `BADCHARSET`                  | `charsets`, when the server listed them             |
 * | `NOMODSEQ`, `READ-ONLY`, `READ-WRITE`, `TRYCREATE`, `ALERT`, `PARSE`, `CLOSED`, `UIDNOTSTICKY`, `OVERQUOTA`, any other | `raw` only, if data was sent |
 *
 * @example A SELECT's codes
 * ```ts
 * import { parseResponseCodeTyped } from "@imaplib/imaplib";
 * const flags = parseResponseCodeTyped("[PERMANENTFLAGS (\\Seen \\*)] Limited");
 * console.assert(flags?.code === "PERMANENTFLAGS" && flags.flags?.has("\\*"));
 * const readOnly = parseResponseCodeTyped("[READ-ONLY] EXAMINE completed");
 * console.assert(readOnly?.code === "READ-ONLY" && readOnly.raw === undefined);
 * ```
 */
export interface TypedResponseCode {
  /** The code's name in upper case (`"APPENDUID"`; Office 365's `[Error="..."]` is `"ERROR"`). */
  code: string;
  /** The code's data as sent (between the name and `]`, the separating space dropped). */
  raw?: string;
  /** The human-readable text after the code (`"APPEND completed"`). */
  text: string;
  /** APPENDUID, COPYUID: the destination's UIDVALIDITY; UIDVALIDITY's value. */
  uidValidity?: number;
  /** APPENDUID: the appended message's UID (absent when a MULTIAPPEND set came). */
  uid?: number;
  /** APPENDUID: the appended messages' UIDs as a sequence set, as sent. */
  uids?: string;
  /** COPYUID: the source UIDs as a sequence set, as sent. */
  sourceUids?: string;
  /** COPYUID: the destination UIDs as a sequence set, as sent. */
  destinationUids?: string;
  /**
   * COPYUID: source UID to destination UID, from the two sets expanded in the order written.
   * Omitted when the sets differ in size or name more than 1,000,000 UIDs (the strings stay).
   */
  uidMap?: Map<number, number>;
  /** UIDNEXT's value. */
  uidNext?: number;
  /** UNSEEN's value: the first unseen message's number. */
  unseen?: number;
  /** PERMANENTFLAGS' flags. */
  flags?: Set<string>;
  /** HIGHESTMODSEQ's value. */
  highestModseq?: bigint;
  /** MODIFIED's sequence set (messages a conditional STORE left alone). */
  modified?: string;
  /** CAPABILITY's capabilities, upper case. */
  capabilities?: string[];
  /** BADCHARSET's supported charsets. */
  charsets?: string[];
}

// Most UIDs a COPYUID mapping is built for.
const UID_MAP_LIMIT = 1_000_000;

function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x2e || c === 0x5f;
}

// Index of the `]` closing the code: the first outside quotes and parentheses; imaplib's last
// `]` when there is none such (flags containing `]`, imaplib issue 21815); -1 if no `]`.
function closingBracket(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x28) {
      depth++;
    } else if (c === 0x29) {
      if (depth > 0) depth--;
    } else if (c === 0x5d && depth === 0) {
      return i;
    }
  }
  return text.lastIndexOf("]");
}

/**
 * Reads the response code at the start of an OK / NO / BAD response's text into typed fields
 * (see {@linkcode TypedResponseCode} for which code fills which).
 *
 * Pure and synchronous, and it never throws: a code whose data cannot be read comes back with
 * `raw` only; text that does not start with `[NAME` gives `null`. Names are letters, digits,
 * `-`, `.` and `_`, in any case; data runs to the first `]` outside quotes and parentheses.
 *
 * @param text The response text, e.g. `data[0]` of `M.append(...)`'s result:
 *   `b"[APPENDUID 38505 3955] APPEND completed"`.
 * @returns The code, or `null` if the text has none.
 *
 * @example APPENDUID and COPYUID
 * ```ts
 * import { parseResponseCodeTyped } from "@imaplib/imaplib";
 * const append = parseResponseCodeTyped("[APPENDUID 38505 3955] APPEND completed");
 * console.assert(append?.uidValidity === 38505 && append.uid === 3955);
 * const copy = parseResponseCodeTyped("[COPYUID 38505 304,319:320 3956:3958] Done");
 * console.assert(copy?.uidMap?.get(319) === 3957 && copy.text === "Done");
 * ```
 */
export function parseResponseCodeTyped(text: Uint8Array | string): TypedResponseCode | null {
  const s = typeof text === "string" ? text : utf8Text(text);
  if (s.charCodeAt(0) !== 0x5b) return null;
  let end = 1;
  while (end < s.length && isNameChar(s.charCodeAt(end))) end++;
  if (end === 1) return null;
  const close = closingBracket(s, end);
  if (close < end) return null;
  const code: TypedResponseCode = {
    code: s.slice(1, end).toUpperCase(),
    text: s.slice(close + 1).replace(/^ /, ""),
  };
  const raw = s.slice(s.charCodeAt(end) === 0x20 ? end + 1 : end, close);
  if (raw.length > 0) {
    code.raw = raw;
    try {
      readData(code, ImapTokenizer.fromBytes(utf8Bytes(raw)), raw);
    } catch {
      // Data not as the RFC writes it: `raw` alone tells what came.
      for (const key of Object.keys(code)) {
        if (key !== "code" && key !== "raw" && key !== "text") {
          delete (code as unknown as Record<string, unknown>)[key];
        }
      }
    }
  }
  return code;
}

/** @internal COPYUID's data (RFC 4315 section 3), read once for every reader of it. */
export interface CopyUid {
  uidValidity: number;
  /** The source set as sent, and its ranges (see `sequenceRanges()`). */
  source: string;
  from: number[];
  /** The destination set as sent, and its ranges. */
  destination: string;
  to: number[];
  /** Whether the sets name as many UIDs, at most `UID_MAP_LIMIT`: a `uidMap` is built. */
  mappable: boolean;
}

/**
 * @internal Reads `uidvalidity source-set destination-set` (RFC 4315 section 3: atoms split at
 * spaces, no tokenizer: 100,000 scattered UIDs are 1.2 MB of text), for
 * `parseResponseCodeTyped()` and for `copyMessages()`, which builds the map between turns of
 * the event loop. Text after the two sets is ignored.
 * @throws {TypedParseError} for data that is not that.
 */
export function readCopyUid(text: string): CopyUid {
  const [validity, source, destination] = text.split(" ").filter((atom) => atom !== "");
  if (destination === undefined || !/^[1-9]\d{0,9}$/.test(validity) || +validity > 0xffffffff) {
    throw new TypedParseError(`Cannot parse COPYUID data: "${text.slice(0, 40)}"`, 0);
  }
  const from = sequenceRanges(source);
  const to = sequenceRanges(destination);
  const count = rangesCount(from);
  const mappable = count === rangesCount(to) && count <= UID_MAP_LIMIT;
  return { uidValidity: Number(validity), source, from, destination, to, mappable };
}

function readData(code: TypedResponseCode, tok: ImapTokenizer, raw: string): void {
  switch (code.code) {
    case "APPENDUID": {
      code.uidValidity = tok.number(UINT32_MAX);
      const uids = tok.atom();
      countSequenceSet(uids); // throws for text that is not a set
      code.uids = uids;
      if (/^\d+$/.test(uids)) code.uid = Number(uids);
      break;
    }
    case "COPYUID": {
      const copy = readCopyUid(raw);
      code.uidValidity = copy.uidValidity;
      code.sourceUids = copy.source;
      code.destinationUids = copy.destination;
      if (copy.mappable) {
        const builder = new UidMapBuilder(copy.from, copy.to);
        builder.step(Infinity);
        code.uidMap = builder.map;
      }
      break;
    }
    case "UIDVALIDITY":
      code.uidValidity = tok.number(UINT32_MAX);
      break;
    case "UIDNEXT":
      code.uidNext = tok.number(UINT32_MAX);
      break;
    case "UNSEEN":
      code.unseen = tok.number(UINT32_MAX);
      break;
    case "HIGHESTMODSEQ":
      code.highestModseq = tok.bigNumber();
      break;
    case "MODIFIED":
      code.modified = tok.atom();
      break;
    case "PERMANENTFLAGS": {
      const flags = new Set<string>();
      tok.expect(0x28);
      while (!tok.listEnd()) {
        if (tok.peek() === -1) tok.fail('expected ")"');
        flags.add(tok.atom());
      }
      code.flags = flags;
      break;
    }
    case "CAPABILITY": {
      const capabilities: string[] = [];
      while (!tok.atEnd()) capabilities.push(tok.atom().toUpperCase());
      code.capabilities = capabilities;
      break;
    }
    case "BADCHARSET": {
      const charsets: string[] = [];
      if (tok.listStart()) {
        while (!tok.listEnd()) {
          if (tok.peek() === -1) tok.fail('expected ")"');
          charsets.push(tok.nstringText() ?? "");
        }
      }
      code.charsets = charsets;
      break;
    }
  }
}
