// Tests for the response parser (src/parser.ts): parseFrame and parseResponseCode.
//
// Each row is one server response as it appears on the wire; FrameDecoder (tested in
// decoder_test.ts) turns it into the frame that parseFrame gets. Expected responses are written
// with strings for bytes and `[header, literal]` pairs as imaplib returns them.

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { bytes, text } from "./_bytes.ts";
import {
  type Datum,
  type Frame,
  FrameDecoder,
  IMAP4Abort,
  IMAP4ProtocolError,
  parseFrame,
  parseResponseCode,
  type Response,
  type ResponseCode,
} from "../mod.ts";

/** The single frame of `wire`. */
function frameOf(wire: string): Frame {
  const out: Frame[] = [];
  const decoder = new FrameDecoder();
  decoder.push(bytes(wire), out);
  decoder.finish();
  assert.equal(out.length, 1, `one frame in ${JSON.stringify(wire)}`);
  return out[0];
}

type Code = { type: string; data: string | null } | null;
type Shown =
  | { kind: "tagged"; tag: string; status: string; data: string; code: Code }
  | { kind: "untagged"; type: string; data: (string | [string, string])[]; code: Code }
  | { kind: "continuation"; data: string | null };

function showCode(code: ResponseCode | null): Code {
  return code && { type: code.type, data: code.data && text.decode(code.data) };
}

function showDatum(datum: Datum): string | [string, string] {
  return datum instanceof Uint8Array
    ? text.decode(datum)
    : [text.decode(datum[0]), text.decode(datum[1])];
}

function show(response: Response): Shown {
  switch (response.kind) {
    case "tagged": {
      const { tag, status, data, code } = response;
      return { kind: "tagged", tag, status, data: text.decode(data), code: showCode(code) };
    }
    case "untagged": {
      const { type, data, code } = response;
      return { kind: "untagged", type, data: data.map(showDatum), code: showCode(code) };
    }
    case "continuation":
      return { kind: "continuation", data: response.data && text.decode(response.data) };
  }
}

// --- Known answers ------------------------------------------------------------------------------

const RESPONSES: { wire: string; response: Shown }[] = [
  // Tagged status responses.
  {
    wire: "A1 OK LOGIN completed\r\n",
    response: { kind: "tagged", tag: "A1", status: "OK", data: "LOGIN completed", code: null },
  },
  {
    wire: "A2 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n",
    response: {
      kind: "tagged",
      tag: "A2",
      status: "NO",
      data: "[AUTHENTICATIONFAILED] Invalid credentials",
      code: { type: "AUTHENTICATIONFAILED", data: null },
    },
  },
  {
    wire: "A3 BAD Error in IMAP command\r\n",
    response: {
      kind: "tagged",
      tag: "A3",
      status: "BAD",
      data: "Error in IMAP command",
      code: null,
    },
  },
  {
    wire: "A4 OK [READ-ONLY] EXAMINE completed\r\n",
    response: {
      kind: "tagged",
      tag: "A4",
      status: "OK",
      data: "[READ-ONLY] EXAMINE completed",
      code: { type: "READ-ONLY", data: null },
    },
  },
  {
    wire: "A5 OK [COPYUID 38505 304,319 3956:3958] Done\r\n",
    response: {
      kind: "tagged",
      tag: "A5",
      status: "OK",
      data: "[COPYUID 38505 304,319 3956:3958] Done",
      code: { type: "COPYUID", data: "38505 304,319 3956:3958" },
    },
  },
  // Lower-case status words, as some servers send them.
  {
    wire: "a1 ok done\r\n",
    response: { kind: "tagged", tag: "a1", status: "OK", data: "done", code: null },
  },
  {
    wire: "A1 No [ALERT] nope\r\n",
    response: {
      kind: "tagged",
      tag: "A1",
      status: "NO",
      data: "[ALERT] nope",
      code: { type: "ALERT", data: null },
    },
  },
  // A tagged status without text.
  {
    wire: "A1 OK\r\n",
    response: { kind: "tagged", tag: "A1", status: "OK", data: "", code: null },
  },
  {
    wire: "A1 NO\r\n",
    response: { kind: "tagged", tag: "A1", status: "NO", data: "", code: null },
  },
  // An SMTP greeting whose second word is all letters parses as a tagged response with the
  // unknown tag `220`; the session refuses it ("unexpected tagged response"), as imaplib does.
  {
    wire: "220 ESMTP ready\r\n",
    response: { kind: "tagged", tag: "220", status: "ESMTP", data: "ready", code: null },
  },
  {
    wire: "220-smtp.example.com ESMTP\r\n",
    response: {
      kind: "tagged",
      tag: "220-smtp.example.com",
      status: "ESMTP",
      data: "",
      code: null,
    },
  },

  // Untagged status responses and their codes.
  {
    wire: "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
    response: {
      kind: "untagged",
      type: "OK",
      data: ["[UIDVALIDITY 3857529045] UIDs valid"],
      code: { type: "UIDVALIDITY", data: "3857529045" },
    },
  },
  {
    wire: "* OK [READ-WRITE] SELECT completed\r\n",
    response: {
      kind: "untagged",
      type: "OK",
      data: ["[READ-WRITE] SELECT completed"],
      code: { type: "READ-WRITE", data: null },
    },
  },
  {
    // bpo-21815: flags may contain `]`; the code's data runs to the last `]`.
    wire: "* OK [PERMANENTFLAGS (\\Answered $X]Y)] Flags permitted.\r\n",
    response: {
      kind: "untagged",
      type: "OK",
      data: ["[PERMANENTFLAGS (\\Answered $X]Y)] Flags permitted."],
      code: { type: "PERMANENTFLAGS", data: "(\\Answered $X]Y)" },
    },
  },
  {
    // Office 365's non-standard code is no code at all.
    wire: '* NO [Error="x"] fail\r\n',
    response: { kind: "untagged", type: "NO", data: ['[Error="x"] fail'], code: null },
  },
  {
    wire: "* BAD [PARSE] what\r\n",
    response: {
      kind: "untagged",
      type: "BAD",
      data: ["[PARSE] what"],
      code: { type: "PARSE", data: null },
    },
  },
  {
    wire: "* OK\r\n",
    response: { kind: "untagged", type: "OK", data: [""], code: null },
  },
  {
    wire: "* BYE Logging out\r\n",
    response: { kind: "untagged", type: "BYE", data: ["Logging out"], code: null },
  },
  {
    // Only OK, NO and BAD carry response codes.
    wire: "* PREAUTH [CAPABILITY IMAP4rev1] Logged in\r\n",
    response: {
      kind: "untagged",
      type: "PREAUTH",
      data: ["[CAPABILITY IMAP4rev1] Logged in"],
      code: null,
    },
  },

  // Untagged data responses.
  {
    wire: "* FLAGS (\\Answered \\Flagged)\r\n",
    response: { kind: "untagged", type: "FLAGS", data: ["(\\Answered \\Flagged)"], code: null },
  },
  {
    wire: "* CAPABILITY IMAP4rev1 IDLE LITERAL+\r\n",
    response: {
      kind: "untagged",
      type: "CAPABILITY",
      data: ["IMAP4rev1 IDLE LITERAL+"],
      code: null,
    },
  },
  {
    wire: "* SEARCH\r\n",
    response: { kind: "untagged", type: "SEARCH", data: [""], code: null },
  },
  {
    wire: "* SEARCH 2 3 6\r\n",
    response: { kind: "untagged", type: "SEARCH", data: ["2 3 6"], code: null },
  },
  {
    wire: "* ENABLED UTF8=ACCEPT\r\n",
    response: { kind: "untagged", type: "ENABLED", data: ["UTF8=ACCEPT"], code: null },
  },
  {
    wire: "* 23 EXISTS\r\n",
    response: { kind: "untagged", type: "EXISTS", data: ["23"], code: null },
  },
  {
    wire: "* 5 recent\r\n",
    response: { kind: "untagged", type: "RECENT", data: ["5"], code: null },
  },
  {
    wire: "* 1 FETCH (FLAGS (\\Seen))\r\n",
    response: { kind: "untagged", type: "FETCH", data: ["1 (FLAGS (\\Seen))"], code: null },
  },
  {
    wire: "* 1 FETCH (RFC822 {5}\r\nhello)\r\n",
    response: {
      kind: "untagged",
      type: "FETCH",
      data: [["1 (RFC822 {5}", "hello"], ")"],
      code: null,
    },
  },
  {
    wire: "* 1 FETCH (BODY[HEADER] {3}\r\nabc BODY[TEXT] {4}\r\ndefg)\r\n",
    response: {
      kind: "untagged",
      type: "FETCH",
      data: [["1 (BODY[HEADER] {3}", "abc"], [" BODY[TEXT] {4}", "defg"], ")"],
      code: null,
    },
  },
  {
    wire: "* 1 FETCH (BODY[] {0}\r\n)\r\n",
    response: { kind: "untagged", type: "FETCH", data: [["1 (BODY[] {0}", ""], ")"], code: null },
  },
  {
    wire: '* LIST (\\HasNoChildren) "/" {8}\r\nDonnées\r\n',
    response: {
      kind: "untagged",
      type: "LIST",
      data: [['(\\HasNoChildren) "/" {8}', "Données"], ""],
      code: null,
    },
  },
  {
    wire: '* LIST (\\HasNoChildren) "/" "[Gmail]/Sent Mail"\r\n',
    response: {
      kind: "untagged",
      type: "LIST",
      data: ['(\\HasNoChildren) "/" "[Gmail]/Sent Mail"'],
      code: null,
    },
  },

  // Continuation requests.
  { wire: "+\r\n", response: { kind: "continuation", data: null } },
  { wire: "+ \r\n", response: { kind: "continuation", data: "" } },
  { wire: "+ Ready\r\n", response: { kind: "continuation", data: "Ready" } },
  { wire: "+ go ahead\r\n", response: { kind: "continuation", data: "go ahead" } },
  {
    wire: "+ YGgGCSqGSIb3EgECAgIBAAD/////\r\n",
    response: { kind: "continuation", data: "YGgGCSqGSIb3EgECAgIBAAD/////" },
  },
];

for (const { wire, response } of RESPONSES) {
  test(`parser: ${JSON.stringify(wire)}`, () => {
    const frame = frameOf(wire);
    const parsed = parseFrame(frame);
    assert.deepEqual(show(parsed), response);
    assert.equal(parsed.line, frame.lines[0], "line is the frame's first line");
  });
}

// --- Invalid responses --------------------------------------------------------------------------

const INVALID: { name: string; wire: string }[] = [
  { name: "SMTP/POP-like +OK", wire: "+OK\r\n" },
  { name: "POP3 greeting", wire: "+OK POP3 server ready\r\n" },
  { name: "star and space only", wire: "* \r\n" },
  { name: "star only", wire: "*\r\n" },
  { name: "star without space", wire: "*OK\r\n" },
  { name: "number without type", wire: "* 123\r\n" },
  { name: "number and space without type", wire: "* 123 \r\n" },
  { name: "number with two spaces before the type", wire: "* 1  FETCH (FLAGS ())\r\n" },
  { name: "untagged type followed by a non-space", wire: "* OK[ALERT] x\r\n" },
  { name: "SMTP greeting on the wrong port", wire: "220 smtp.example.com ESMTP\r\n" },
  { name: "empty line", wire: "\r\n" },
  { name: "tag without status", wire: "A1\r\n" },
  { name: "tag and space without status", wire: "A1 \r\n" },
  { name: "leading space", wire: " A1 OK done\r\n" },
  { name: "status followed by a non-space", wire: "A1 OK[ALERT] x\r\n" },
];

test("parser: invalid: a frame whose tagged line carries a literal", () => {
  // The decoder never builds one (only untagged lines announce literals); the parser refuses
  // it anyway.
  const enc = new TextEncoder();
  const frame = {
    lines: [enc.encode("A1 OK {5}"), enc.encode("")],
    literals: [enc.encode("hello")],
  };
  assert.throws(() => parseFrame(frame), IMAP4ProtocolError);
});

for (const { name, wire } of INVALID) {
  test(`parser: invalid: ${name}`, () => {
    assert.throws(() => parseFrame(frameOf(wire)), (e: unknown) => {
      assert.ok(e instanceof IMAP4ProtocolError && e instanceof IMAP4Abort, `got ${e}`);
      assert.match(e.message, /^unexpected response: /);
      return true;
    });
  });
}

// --- parseResponseCode --------------------------------------------------------------------------

const CODES: { text: string; code: Code }[] = [
  { text: "[ALERT] System shutdown in 10 minutes", code: { type: "ALERT", data: null } },
  { text: "[UIDNEXT 4392] Predicted next UID", code: { type: "UIDNEXT", data: "4392" } },
  { text: "[READ-WRITE]", code: { type: "READ-WRITE", data: null } },
  {
    text: "[CAPABILITY IMAP4rev1 IDLE] ready",
    code: { type: "CAPABILITY", data: "IMAP4rev1 IDLE" },
  },
  {
    text: "[PERMANENTFLAGS (\\Answered $X]Y)] Flags permitted.",
    code: { type: "PERMANENTFLAGS", data: "(\\Answered $X]Y)" },
  },
  // Greedy like imaplib's `Response_code`: data runs to the last `]` of the text...
  { text: "[UIDVALIDITY 1] valid [sic]", code: { type: "UIDVALIDITY", data: "1] valid [sic" } },
  // ...but a code without data stops at its own `]`.
  { text: "[READ-WRITE] SELECT completed [sic]", code: { type: "READ-WRITE", data: null } },
  { text: "[A ]", code: { type: "A", data: "" } },
  { text: "[A]", code: { type: "A", data: null } },
  { text: '[Error="x"] fail', code: null },
  { text: "[alert] lower case", code: null },
  { text: "[ALERT", code: null },
  { text: "[ALERT no close", code: null },
  { text: "[]", code: null },
  { text: "[] x", code: null },
  { text: " [ALERT] leading space", code: null },
  { text: "no code", code: null },
  { text: "", code: null },
];

for (const { text: input, code } of CODES) {
  test(`parser: response code of ${JSON.stringify(input)}`, () => {
    assert.deepEqual(showCode(parseResponseCode(bytes(input))), code);
  });
}
