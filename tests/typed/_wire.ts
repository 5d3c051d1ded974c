// Test helper: typed messages written back as FETCH responses in imaplib's data shape, for the
// round-trip properties (property_test.ts). Written from RFC 3501's grammar, independently of
// the parser: every string goes out quoted when it can, as a literal when it cannot, and text
// fields that are RFC 2047 decoded on the way in go out as encoded words when needed.

import type {
  Address,
  BodyStructure,
  DataItem,
  Envelope,
  FetchMessage,
} from "../../src/typed/mod.ts";
import { encodeMailbox } from "../../src/typed/mod.ts";

const utf8 = new TextEncoder();
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Choices the writer makes; each property run draws them, so every form gets exercised. */
export interface WireStyle {
  /** Send strings that could be quoted as literals instead. */
  literals: boolean;
  /** Encode header text as RFC 2047 B words (else Q), split into words of this many bytes. */
  base64: boolean;
  /** Bytes per encoded word (splits characters across words on purpose). */
  wordBytes: number;
  /** Time zone offset for dates, minutes east of UTC. */
  zone: number;
  /** Send item names in lower case (servers echoing the client's case). */
  lowerCase: boolean;
}

/** Builds imaplib data: text with `[header, literal]` pairs cut at each literal. */
class Writer {
  items: DataItem[] = [];
  #text: number[] = [];
  constructor(readonly style: WireStyle) {}
  raw(text: string): this {
    for (const b of utf8.encode(text)) this.#text.push(b);
    return this;
  }
  literal(bytes: Uint8Array, binary = false): this {
    this.raw(`${binary ? "~" : ""}{${bytes.length}}`);
    this.items.push([Uint8Array.from(this.#text), bytes]);
    this.#text = [];
    return this;
  }
  /** A string: quoted if printable ASCII (and the style allows), else a literal. */
  string(value: string): this {
    if (!this.style.literals && /^[\x20-\x7e]*$/.test(value)) {
      return this.raw(`"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
    }
    return this.literal(utf8.encode(value));
  }
  nstring(value: string | undefined): this {
    return value === undefined ? this.raw("NIL") : this.string(value);
  }
  /** Header text that is RFC 2047 decoded when read: encoded words unless plain ASCII. */
  header(value: string | undefined): this {
    if (value === undefined) return this.raw("NIL");
    if (/^[\x20-\x7e]*$/.test(value) && !value.includes("=?")) return this.string(value);
    return this.string(encodeWords(value, this.style));
  }
  end(): DataItem[] {
    this.items.push(Uint8Array.from(this.#text));
    return this.items;
  }
}

/** RFC 2047 encoded words for `value` in UTF-8, `wordBytes` bytes each, joined by a space. */
export function encodeWords(value: string, style: Pick<WireStyle, "base64" | "wordBytes">): string {
  const bytes = utf8.encode(value);
  const words: string[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += style.wordBytes) {
    const chunk = bytes.subarray(at, at + style.wordBytes);
    if (style.base64) {
      words.push(`=?UTF-8?B?${btoa(String.fromCharCode(...chunk))}?=`);
    } else {
      let q = "";
      for (const b of chunk) {
        q += b === 0x20
          ? "_"
          : /[A-Za-z0-9]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
      }
      words.push(`=?UTF-8?Q?${q}?=`);
    }
    if (bytes.length === 0) break;
  }
  return words.join(" ");
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function zoneText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

/** INTERNALDATE form: `dd-Mon-yyyy hh:mm:ss +zzzz`. */
export function internalDate(date: Date, zone: number): string {
  const t = new Date(date.getTime() + zone * 60_000);
  return `${two(t.getUTCDate())}-${MONTHS[t.getUTCMonth()]}-${t.getUTCFullYear()} ` +
    `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${zoneText(zone)}`;
}

/** RFC 5322 form: `Ddd, d Mon yyyy hh:mm:ss +zzzz`. */
export function headerDate(date: Date, zone: number): string {
  const t = new Date(date.getTime() + zone * 60_000);
  return `${DAYS[t.getUTCDay()]}, ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ` +
    `${t.getUTCFullYear()} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${
      two(t.getUTCSeconds())
    } ${zoneText(zone)}`;
}

function addresses(w: Writer, list: Address[] | undefined): void {
  if (list === undefined) {
    w.raw("NIL");
    return;
  }
  w.raw("(");
  for (const a of list) {
    if (a.group !== undefined) {
      w.raw("(NIL NIL ").header(a.name).raw(" NIL)");
      for (const member of a.group) address(w, member);
      w.raw("(NIL NIL NIL NIL)");
    } else {
      address(w, a);
    }
  }
  w.raw(")");
}

function address(w: Writer, a: Address): void {
  w.raw("(").header(a.name).raw(" NIL ");
  if (a.address === undefined) {
    w.raw('NIL "x"'); // no mailbox: no address, whatever the host
  } else {
    const at = a.address.indexOf("@");
    if (at === -1) w.string(a.address).raw(' ""');
    else w.string(a.address.slice(0, at)).raw(" ").string(a.address.slice(at + 1));
  }
  w.raw(")");
}

function envelope(w: Writer, e: Envelope): void {
  w.raw("(");
  w.nstring(e.date && headerDate(e.date, w.style.zone)).raw(" ");
  w.header(e.subject).raw(" ");
  for (const field of [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc]) {
    addresses(w, field);
    w.raw(" ");
  }
  w.nstring(e.inReplyTo).raw(" ").nstring(e.messageId).raw(")");
}

// RFC 2231 section 3/4 continuations for values that are not plain ASCII, plain otherwise.
function parameters(w: Writer, params: Record<string, string> | undefined): void {
  if (params === undefined) {
    w.raw("NIL");
    return;
  }
  w.raw("(");
  const parts: [string, string][] = [];
  for (const [key, value] of Object.entries(params)) {
    if (/^[\x20-\x7e]*$/.test(value) && !value.includes("=?")) {
      parts.push([key, value]);
    } else {
      const encoded = [...utf8.encode(value)].map((b) =>
        /[A-Za-z0-9.]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `%${b.toString(16).padStart(2, "0")}`
      ).join("");
      const pieces = encoded.match(/(%..|[^%]){1,7}/g) ?? [""];
      pieces.forEach((piece, i) =>
        parts.push([`${key}*${i}*`, i === 0 ? `utf-8''${piece}` : piece])
      );
    }
  }
  parts.forEach(([k, v], i) => {
    if (i > 0) w.raw(" ");
    w.string(k).raw(" ").string(v);
  });
  w.raw(")");
}

// The extension fields after md5 (or after a multipart's parameters): dsp lang loc, trailing
// NILs dropped.
function extension(w: Writer, b: BodyStructure): void {
  const fields: (() => void)[] = [];
  fields.push(() => {
    if (b.disposition === undefined) w.raw("NIL");
    else {
      w.raw("(").string(b.disposition).raw(" ");
      parameters(w, b.dispositionParameters);
      w.raw(")");
    }
  });
  fields.push(() => {
    if (b.language === undefined) w.raw("NIL");
    else {
      w.raw("(");
      b.language!.forEach((l, i) => (i > 0 ? w.raw(" ") : w).string(l));
      w.raw(")");
    }
  });
  fields.push(() => w.nstring(b.location));
  let last = -1;
  if (b.disposition !== undefined) last = 0;
  if (b.language !== undefined) last = 1;
  if (b.location !== undefined) last = 2;
  for (let i = 0; i <= last; i++) {
    w.raw(" ");
    fields[i]();
  }
}

function body(w: Writer, b: BodyStructure): void {
  const [type, subtype] = b.type.split("/");
  if (type === "multipart") {
    w.raw("(");
    for (const child of b.childNodes!) body(w, child);
    if (b.childNodes!.length > 0) w.raw(" ");
    w.string(subtype).raw(" ");
    parameters(w, b.parameters);
    extension(w, b);
    w.raw(")");
    return;
  }
  w.raw("(").string(type).raw(" ").string(subtype).raw(" ");
  parameters(w, b.parameters);
  w.raw(" ").nstring(b.id).raw(" ").header(b.description).raw(" ").nstring(b.encoding);
  w.raw(` ${b.size ?? "NIL"}`);
  if (b.type === "message/rfc822") {
    w.raw(" ");
    envelope(w, b.envelope!);
    w.raw(" ");
    body(w, b.childNodes![0]);
    w.raw(` ${b.lineCount ?? "NIL"}`);
  } else if (type === "text") {
    w.raw(` ${b.lineCount ?? "NIL"}`);
  }
  const more = b.disposition !== undefined || b.language !== undefined || b.location !== undefined;
  if (b.md5 !== undefined || more) w.raw(" ").nstring(b.md5);
  extension(w, b);
  w.raw(")");
}

function name(w: Writer, n: string): Writer {
  return w.raw(w.style.lowerCase ? n.toLowerCase() : n);
}

/** One FETCH response for `msg`, as imaplib returns it. */
export function fetchResponse(msg: FetchMessage, style: WireStyle): DataItem[] {
  const w = new Writer(style);
  w.raw(`${msg.seq} (`);
  const items: (() => void)[] = [];
  if (msg.uid !== undefined) items.push(() => name(w, "UID").raw(` ${msg.uid}`));
  if (msg.flags !== undefined) {
    items.push(() => name(w, "FLAGS").raw(` (${[...msg.flags!].join(" ")})`));
  }
  if (msg.internalDate !== undefined) {
    items.push(() => name(w, "INTERNALDATE ").string(internalDate(msg.internalDate!, style.zone)));
  }
  if (msg.size !== undefined) items.push(() => name(w, "RFC822.SIZE").raw(` ${msg.size}`));
  if (msg.modseq !== undefined) items.push(() => name(w, "MODSEQ").raw(` (${msg.modseq})`));
  if (msg.envelope !== undefined) {
    items.push(() => {
      name(w, "ENVELOPE ");
      envelope(w, msg.envelope!);
    });
  }
  if (msg.bodyStructure !== undefined) {
    items.push(() => {
      name(w, "BODYSTRUCTURE ");
      body(w, msg.bodyStructure!);
    });
  }
  if (msg.source !== undefined) items.push(() => name(w, "BODY[] ").literal(msg.source!));
  if (msg.headers !== undefined) {
    items.push(() => name(w, "BODY").raw("[HEADER.FIELDS (SUBJECT FROM)] ").literal(msg.headers!));
  }
  for (const [key, value] of msg.bodyParts ?? []) {
    items.push(() => {
      // Only the item name changes case; the section is the server's.
      if (key.startsWith("BINARY[")) name(w, "BINARY").raw(`${key.slice(6)} `).literal(value, true);
      else name(w, "BODY").raw(`[${key}] `).literal(value);
    });
  }
  if (msg.gmailMessageId !== undefined) {
    items.push(() => name(w, "X-GM-MSGID").raw(` ${msg.gmailMessageId}`));
  }
  if (msg.gmailThreadId !== undefined) {
    items.push(() => name(w, "X-GM-THRID").raw(` ${msg.gmailThreadId}`));
  }
  if (msg.emailId !== undefined && msg.emailId !== String(msg.gmailMessageId)) {
    items.push(() => name(w, "EMAILID").raw(` (${msg.emailId})`));
  }
  if (msg.threadId !== undefined && msg.threadId !== String(msg.gmailThreadId)) {
    items.push(() => name(w, "THREADID").raw(` (${msg.threadId})`));
  }
  if (msg.labels !== undefined) {
    items.push(() => {
      name(w, "X-GM-LABELS (");
      [...msg.labels!].forEach((l, i) => (i > 0 ? w.raw(" ") : w).string(encodeMailbox(l)));
      w.raw(")");
    });
  }
  items.forEach((item, i) => {
    if (i > 0) w.raw(" ");
    item();
  });
  w.raw(")");
  return w.end();
}
