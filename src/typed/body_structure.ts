/**
 * BODYSTRUCTURE and BODY (RFC 3501 section 7.4.2, `body`): the MIME tree of a message, imapflow's
 * `MessageStructureObject` with the extension data.
 *
 * @module
 */

import { decodeWords } from "./encoded_words.ts";
import { type Envelope, readEnvelope, skipToClose } from "./envelope.ts";
import { decodeParameters } from "./parameters.ts";
import { emptyList, listOf, plainObjects } from "./plain_objects.ts";
import type { ImapTokenizer } from "./tokenizer.ts";
import { MAX_DEPTH } from "./tokens.ts";

/**
 * One node of a message's MIME tree, imapflow's `MessageStructureObject`. Fields are omitted when
 * the server sent NIL or did not send them (BODY carries no extension data; BODYSTRUCTURE does).
 *
 * Part numbers follow RFC 3501 section 6.4.5: children of the top multipart are `"1"`, `"2"`;
 * their children `"2.1"`...; a non-multipart message is part `"1"`. A message/rfc822 part
 * `"3"` has one child, the embedded message's root: a multipart root without a number whose
 * children are `"3.1"`, `"3.2"`, or a single part `"3.1"`.
 *
 * @example A text part and an attachment
 * ```ts
 * import { parseFetch } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [msg] = parseFetch([b(
 *   '1 (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1)' +
 *     '("application" "pdf" NIL NIL NIL "base64" 900 NIL ("attachment" ("filename" "a.pdf"))) ' +
 *     '"mixed"))',
 * )]);
 * const [text, pdf] = msg.bodyStructure!.childNodes!;
 * console.assert(msg.bodyStructure?.part === undefined && text.part === "1");
 * console.assert(text.parameters?.charset === "utf-8" && text.lineCount === 1);
 * console.assert(pdf.dispositionParameters?.filename === "a.pdf" && pdf.size === 900);
 * ```
 */
export interface BodyStructure {
  /** The part number (`"1"`, `"1.2"`); absent on a multipart root. */
  part?: string;
  /**
   * `type/subtype` in lower case (`"text/plain"`, `"multipart/alternative"`). A NIL or empty
   * type or subtype is read as RFC 2045's default `text` / `plain` (`mixed` for a multipart,
   * RFC 2046 section 5.1.3).
   */
  type: string;
  /** Content-Type parameters: lower-case keys, RFC 2231 joined and decoded (`charset`...). */
  parameters?: Record<string, string>;
  /** Content-ID, as sent. */
  id?: string;
  /** Content-Description, RFC 2047 decoded. */
  description?: string;
  /** Content-Transfer-Encoding in lower case (`"base64"`). */
  encoding?: string;
  /** The part's size in bytes, as encoded. */
  size?: number;
  /** Lines of a text/* or message/rfc822 part. */
  lineCount?: number;
  /** Content-MD5, as sent (extension data). */
  md5?: string;
  /** Content-Disposition type in lower case (`"attachment"`). */
  disposition?: string;
  /** Content-Disposition parameters, decoded like `parameters` (`filename`...). */
  dispositionParameters?: Record<string, string>;
  /** Content-Language tags (RFC 3282). */
  language?: string[];
  /** Content-Location URI (RFC 2557). */
  location?: string;
  /** The embedded message's envelope, for message/rfc822 (and message/global, RFC 6532). */
  envelope?: Envelope;
  /** A multipart's parts, or the embedded message's root for message/rfc822. */
  childNodes?: BodyStructure[];
}

const OPEN = 0x28;
const CLOSE = 0x29;
const QUOTE = 0x22;

function lower(text: string | null, fallback: string): string {
  return text === null ? fallback : text.toLowerCase();
}

// Whether another field follows before the list's `)`. Servers that stop early (no extension
// data, no line count) are tolerated; the end of the text is left for skipToClose to report.
function more(tok: ImapTokenizer): boolean {
  const c = tok.peek();
  return c !== CLOSE && c !== -1;
}

function childNumber(prefix: string, index: number): string {
  return prefix === "" ? String(index) : `${prefix}.${index}`;
}

/**
 * Reads a `body` (BODY or BODYSTRUCTURE value), or NIL (then `undefined`).
 * @param tok The tokenizer, before the body's `(`.
 * @param prefix The part number of the message/rfc822 part holding this body (`""` at the top).
 * @param depth Nesting so far (bounded by `MAX_DEPTH`).
 * @throws {TypedParseError} for input that is not a body structure, or nesting too deep.
 */
export function readBodyStructure(
  tok: ImapTokenizer,
  prefix = "",
  depth = 0,
): BodyStructure | undefined {
  if (tok.nil()) return undefined;
  return readBody(tok, prefix, true, depth);
}

// Nodes and lists made without literals (plain_objects.ts).
const BodyObject = /* @__PURE__ */ plainObjects<BodyStructure>();

// `part` is this node's number, or for a root the number of the part that holds it.
function readBody(tok: ImapTokenizer, part: string, root: boolean, depth: number): BodyStructure {
  if (depth >= MAX_DEPTH) tok.fail("body structure nested too deep");
  tok.expect(OPEN);
  if (tok.peek() === OPEN) return readMultipart(tok, part, root, depth, emptyList());
  const type = tok.nstringText();
  if (isEmptyMultipart(tok)) return finishMultipart(tok, part, root, emptyList(), type);
  if (type === null && isPlaceholderMultipart(tok)) {
    return finishMultipart(tok, part, root, emptyList(), tok.nstringText());
  }
  const subtype = more(tok) ? tok.nstringText() : null;
  const mediaType = lower(type, "text");
  const node: BodyStructure = new BodyObject();
  node.part = root ? childNumber(part, 1) : part;
  // Quirk: Dovecot sends `"" ""` (and then no line count: not "text" to it) for a Content-Type
  // without a subtype, `Content-Type: text` (CPython's test_email msg_14.txt): read as RFC
  // 2045's default too.
  node.type = `${mediaType || "text"}/${lower(subtype, "plain") || "plain"}`;
  if (more(tok)) readFields(tok, node);
  if (mediaType === "text") {
    if (more(tok)) readLines(tok, node);
  } else if (node.type === "message/rfc822" || node.type === "message/global") {
    // Quirk: servers that cannot parse the embedded message send it as a basic part (no
    // envelope, body and lines); an envelope starts with `(` where basic extension data cannot.
    if (tok.peek() === OPEN) {
      const envelope = readEnvelope(tok);
      if (envelope !== undefined) node.envelope = envelope;
      if (more(tok)) {
        const inner = readBodyStructure(tok, node.part!, depth + 1);
        node.childNodes = inner === undefined ? emptyList() : listOf(inner);
      }
      if (more(tok)) readLines(tok, node);
    }
  }
  if (more(tok)) readSinglePartExtension(tok, node);
  if (more(tok)) readCommonExtension(tok, node);
  skipToClose(tok);
  return node;
}

// Quirk: a multipart with no parts, its subtype first: Gmail sends
// `("RELATED" NIL ("ATTACHMENT" NIL) NIL)` (MailKit issue 371), others
// `("mixed" ("boundary" "x") NIL NIL)`. RFC 3501 requires one part at least (`1*body`). After the
// first string a single part has a subtype string (or NIL) and five fields more; a multipart
// without parts has its parameter list (or NIL) and at most three extension fields.
function isEmptyMultipart(tok: ImapTokenizer): boolean {
  const next = tok.peek();
  if (next === OPEN || next === CLOSE) return true;
  if (next !== 0x4e && next !== 0x6e) return false;
  return fewerThanSixValues(tok);
}

// Quirk: a multipart whose parts were left out, NIL in their place:
// `(NIL "alternative" ("boundary" "x") NIL NIL NIL)` inside a message/rfc822 part (MailKit
// issue 1393, server not named). A single part with a NIL type has six fields more.
function isPlaceholderMultipart(tok: ImapTokenizer): boolean {
  if (tok.peek() !== QUOTE) return false;
  return fewerThanSixValues(tok);
}

// Whether fewer than six values follow before the list closes (the tokenizer is left where it
// was): six or more is a single part's shape.
function fewerThanSixValues(tok: ImapTokenizer): boolean {
  const mark = tok.mark();
  let values = 0;
  while (values < 6 && more(tok)) {
    tok.skipValue();
    values++;
  }
  tok.reset(mark);
  return values < 6;
}

function readMultipart(
  tok: ImapTokenizer,
  part: string,
  root: boolean,
  depth: number,
  children: BodyStructure[],
): BodyStructure {
  // Children are numbered from the multipart's own number, or from the holder's at a root.
  while (tok.peek() === OPEN) {
    children.push(readBody(tok, childNumber(part, children.length + 1), false, depth + 1));
  }
  const subtype = more(tok) ? tok.nstringText() : null;
  return finishMultipart(tok, part, root, children, subtype);
}

function finishMultipart(
  tok: ImapTokenizer,
  part: string,
  root: boolean,
  children: BodyStructure[],
  subtype: string | null,
): BodyStructure {
  const node: BodyStructure = new BodyObject();
  node.type = `multipart/${lower(subtype, "mixed")}`;
  if (!root) node.part = part;
  node.childNodes = children;
  if (more(tok)) {
    const parameters = readParameters(tok);
    if (parameters !== undefined) node.parameters = parameters;
  }
  if (more(tok)) readCommonExtension(tok, node);
  skipToClose(tok);
  return node;
}

// body-fields: param id desc enc octets.
function readFields(tok: ImapTokenizer, node: BodyStructure): void {
  const parameters = readParameters(tok);
  if (parameters !== undefined) node.parameters = parameters;
  if (!more(tok)) return;
  const id = tok.nstringText();
  if (id !== null) node.id = id;
  if (!more(tok)) return;
  const description = tok.nstringText();
  if (description !== null) node.description = decodeWords(description);
  if (!more(tok)) return;
  // Quirk: a NIL encoding, from iCloud (imap-proto pull request 205) and maddy (maddy issue
  // 756) for parts without Content-Transfer-Encoding: omitted (RFC 2045's default is 7bit).
  const encoding = tok.nstringText();
  if (encoding !== null) node.encoding = encoding.toLowerCase();
  // Quirk: a missing body size (NIL, or the list ends here). No server is known to us to send
  // it, but a reader that stopped here would lose the whole message; the size is omitted.
  if (!more(tok)) return;
  const size = readNumber(tok);
  if (size !== undefined) node.size = size;
}

function readLines(tok: ImapTokenizer, node: BodyStructure): void {
  const lines = readNumber(tok);
  if (lines !== undefined) node.lineCount = lines;
}

// A number, or NIL / a quoted number / anything else tolerated (then undefined if not digits).
function readNumber(tok: ImapTokenizer): number | undefined {
  const c = tok.peek();
  if (c >= 0x30 && c <= 0x39) return tok.number();
  if (c === QUOTE) {
    const text = tok.nstringText()!;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  }
  tok.skipValue();
  return undefined;
}

/** Reads a `body-fld-param` list, or NIL (then `undefined`). */
function readParameters(tok: ImapTokenizer): Record<string, string> | undefined {
  if (!tok.listStart()) {
    tok.skipValue(); // NIL, or a string where the list is due (tolerated as none)
    return undefined;
  }
  const pairs: [string, string][] = [];
  while (!tok.listEnd()) {
    if (tok.peek() === -1) tok.fail('expected ")"');
    const name = tok.peek() === OPEN ? (tok.skipValue(), null) : tok.nstringText();
    if (!more(tok)) continue; // odd count: a name without value is dropped
    const value = tok.peek() === OPEN ? (tok.skipValue(), null) : tok.nstringText();
    // Quirk: NIL values, Mail.ru's `("boundary" NIL)` (modern-email/defects issue 50,
    // imap-codec pull request 701): the pair is dropped. An empty list `()` (the rims server,
    // rims issue 15) is read as no parameters, `{}`.
    if (name !== null && value !== null) pairs.push([name, value]);
  }
  return decodeParameters(pairs);
}

// body-ext-1part's first field: md5.
function readSinglePartExtension(tok: ImapTokenizer, node: BodyStructure): void {
  if (tok.peek() === OPEN) {
    tok.skipValue();
    return;
  }
  const md5 = tok.nstringText();
  if (md5 !== null) node.md5 = md5;
}

// The extension fields shared by both kinds: dsp, lang, loc, then body-extension (skipped).
function readCommonExtension(tok: ImapTokenizer, node: BodyStructure): void {
  if (tok.listStart()) {
    const type = more(tok) ? tok.nstringText() : null;
    if (type !== null) node.disposition = type.toLowerCase();
    if (more(tok)) {
      const parameters = readParameters(tok);
      if (parameters !== undefined) node.dispositionParameters = parameters;
    }
    skipToClose(tok);
  } else {
    // Quirk: a bare string as the disposition, `"inline"` instead of `("inline" NIL)`.
    const type = tok.nstringText();
    if (type !== null) node.disposition = type.toLowerCase();
  }
  if (!more(tok)) return;
  if (tok.listStart()) {
    const tags: string[] = emptyList();
    while (!tok.listEnd()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      const tag = tok.peek() === OPEN ? (tok.skipValue(), null) : tok.nstringText();
      if (tag !== null) tags.push(tag);
    }
    node.language = tags;
  } else {
    const tag = tok.nstringText();
    if (tag !== null) node.language = listOf(tag);
  }
  if (!more(tok)) return;
  if (tok.peek() === OPEN) {
    tok.skipValue();
  } else {
    const location = tok.nstringText();
    if (location !== null) node.location = location;
  }
}
