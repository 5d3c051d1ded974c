// Tests for the command encoder (src/encoder.ts): encodeCommand.
//
// Known-answer rows (command and typed arguments -> exact fragments on the wire), injection rows
// (NUL, CR, LF anywhere but in a literal's content -> IMAP4ArgumentError), and the structure
// every encoded command must have.

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { bytes, latin1, text } from "./_bytes.ts";
import {
  type Argument,
  type ArgumentKind,
  encodeCommand,
  type Fragment,
  IMAP4ArgumentError,
  IMAP4Error,
} from "../mod.ts";

/** A fragment as a string, for comparison and readable failures. */
type Shown = { line: string } | { literal: string };

function show(fragments: Fragment[]): Shown[] {
  return fragments.map((f) =>
    f.kind === "line" ? { line: text.decode(f.bytes) } : { literal: text.decode(f.bytes) }
  );
}

const astring = (value: Argument["value"]): Argument => ({ kind: "astring", value });
const listMailbox = (value: Argument["value"]): Argument => ({ kind: "list-mailbox", value });
const password = (value: Argument["value"]): Argument => ({ kind: "password", value });
const raw = (value: Argument["value"]): Argument => ({ kind: "raw", value });
const string = (value: Argument["value"]): Argument => ({ kind: "string", value });
const message = (value: Argument["value"]): Argument => ({ kind: "message", value });

// --- Known answers ------------------------------------------------------------------------------

const COMMANDS: {
  name: string;
  command: string;
  args: Argument[];
  utf8?: boolean;
  wire: Shown[];
}[] = [
  { name: "no arguments", command: "NOOP", args: [], wire: [{ line: "A1 NOOP\r\n" }] },

  // astring: atom when it is one, quoted when it can be, a literal otherwise.
  {
    name: "astring atom",
    command: "SELECT",
    args: [astring("INBOX")],
    wire: [{ line: "A1 SELECT INBOX\r\n" }],
  },
  {
    name: "astring with a space is quoted",
    command: "SELECT",
    args: [astring("Sent Items")],
    wire: [{ line: 'A1 SELECT "Sent Items"\r\n' }],
  },
  {
    name: "astring quoted with escapes",
    command: "SELECT",
    args: [astring('a"b\\c')],
    wire: [{ line: 'A1 SELECT "a\\"b\\\\c"\r\n' }],
  },
  {
    name: "astring already quoted is kept",
    command: "SELECT",
    args: [astring('"My Folder"')],
    wire: [{ line: 'A1 SELECT "My Folder"\r\n' }],
  },
  {
    name: "astring already quoted with escapes is kept",
    command: "SELECT",
    args: [astring('"a\\"b"')],
    wire: [{ line: 'A1 SELECT "a\\"b"\r\n' }],
  },
  {
    name: "astring with an unbalanced quote is quoted",
    command: "SELECT",
    args: [astring('"foo')],
    wire: [{ line: 'A1 SELECT "\\"foo"\r\n' }],
  },
  {
    name: "empty astring",
    command: "SELECT",
    args: [astring("")],
    wire: [{ line: 'A1 SELECT ""\r\n' }],
  },
  {
    name: "astring with ] is an atom (resp-specials are ASTRING-CHARs)",
    command: "SELECT",
    args: [astring("foo]")],
    wire: [{ line: "A1 SELECT foo]\r\n" }],
  },
  {
    name: "astring with [ is an atom",
    command: "SELECT",
    args: [astring("[Gmail]/Sent")],
    wire: [{ line: "A1 SELECT [Gmail]/Sent\r\n" }],
  },
  {
    name: "astring with * is quoted",
    command: "SELECT",
    args: [astring("foo*")],
    wire: [{ line: 'A1 SELECT "foo*"\r\n' }],
  },
  {
    name: "astring with % is quoted",
    command: "SELECT",
    args: [astring("foo%")],
    wire: [{ line: 'A1 SELECT "foo%"\r\n' }],
  },
  {
    name: "astring with atom-specials ( ) { is quoted",
    command: "SELECT",
    args: [astring("a(b)c{d")],
    wire: [{ line: 'A1 SELECT "a(b)c{d"\r\n' }],
  },
  {
    name: "list-mailbox with wildcards is an atom",
    command: "LIST",
    args: [astring(""), listMailbox("foo*")],
    wire: [{ line: 'A1 LIST "" foo*\r\n' }],
  },
  {
    name: "list-mailbox % and ]",
    command: "LIST",
    args: [astring(""), listMailbox("%/a]")],
    wire: [{ line: 'A1 LIST "" %/a]\r\n' }],
  },
  {
    name: "list-mailbox with a space is quoted",
    command: "LIST",
    args: [astring("Sent Items"), listMailbox("a *")],
    wire: [{ line: 'A1 LIST "Sent Items" "a *"\r\n' }],
  },
  {
    name: "8-bit astring is a synchronizing literal in ASCII mode",
    command: "SELECT",
    args: [astring("Données")],
    wire: [{ line: "A1 SELECT {8}\r\n" }, { literal: "Données" }, { line: "\r\n" }],
  },
  {
    name: "8-bit astring is quoted UTF-8 in UTF-8 mode",
    command: "SELECT",
    args: [astring("Données")],
    utf8: true,
    wire: [{ line: 'A1 SELECT "Données"\r\n' }],
  },
  {
    name: "8-bit list-mailbox is a literal in ASCII mode",
    command: "LIST",
    args: [astring(""), listMailbox("Données/*")],
    wire: [{ line: 'A1 LIST "" {10}\r\n' }, { literal: "Données/*" }, { line: "\r\n" }],
  },
  {
    name: "astring as bytes",
    command: "SELECT",
    args: [astring(bytes("INBOX"))],
    wire: [{ line: "A1 SELECT INBOX\r\n" }],
  },
  {
    name: "8-bit astring bytes (not UTF-8) are a literal of those bytes",
    command: "SELECT",
    args: [astring(latin1("caf\xe9"))],
    wire: [{ line: "A1 SELECT {4}\r\n" }, { literal: "caf\ufffd" }, { line: "\r\n" }],
  },

  // password: always quoted, a literal when 8-bit in ASCII mode.
  {
    name: "password that is an atom is still quoted",
    command: "LOGIN",
    args: [astring("alice"), password("secret")],
    wire: [{ line: 'A1 LOGIN alice "secret"\r\n' }],
  },
  {
    name: "password with quote and backslash",
    command: "LOGIN",
    args: [astring("alice"), password('p"w\\d')],
    wire: [{ line: 'A1 LOGIN alice "p\\"w\\\\d"\r\n' }],
  },
  {
    name: "password that looks quoted is quoted again",
    command: "LOGIN",
    args: [astring("alice"), password('"x"')],
    wire: [{ line: 'A1 LOGIN alice "\\"x\\""\r\n' }],
  },
  {
    name: "empty password",
    command: "LOGIN",
    args: [astring("alice"), password("")],
    wire: [{ line: 'A1 LOGIN alice ""\r\n' }],
  },
  {
    name: "8-bit password is a literal in ASCII mode",
    command: "LOGIN",
    args: [astring("alice"), password("mötley")],
    wire: [{ line: "A1 LOGIN alice {7}\r\n" }, { literal: "mötley" }, { line: "\r\n" }],
  },
  {
    name: "8-bit password is quoted in UTF-8 mode",
    command: "LOGIN",
    args: [astring("alice"), password("mötley")],
    utf8: true,
    wire: [{ line: 'A1 LOGIN alice "mötley"\r\n' }],
  },
  // string (SEARCH strings of the typed layer): as password, quotes in the value are its text.
  {
    name: "string that looks quoted is quoted again",
    command: "SEARCH",
    args: [raw("SUBJECT"), string('"x" \\ y')],
    wire: [{ line: 'A1 SEARCH SUBJECT "\\"x\\" \\\\ y"\r\n' }],
  },
  {
    name: "8-bit string is a literal in ASCII mode",
    command: "SEARCH",
    args: [raw("SUBJECT"), string("Grüße"), raw("ALL")],
    wire: [{ line: "A1 SEARCH SUBJECT {7}\r\n" }, { literal: "Grüße" }, { line: " ALL\r\n" }],
  },
  {
    name: "8-bit string in UTF-8 mode",
    command: "SEARCH",
    args: [raw("SUBJECT"), string('"Grüße"')],
    utf8: true,
    wire: [{ line: 'A1 SEARCH SUBJECT "\\"Grüße\\""\r\n' }],
  },
  {
    name: "two literals in one command",
    command: "LOGIN",
    args: [astring("zoë"), password("mötley")],
    wire: [
      { line: "A1 LOGIN {4}\r\n" },
      { literal: "zoë" },
      { line: " {7}\r\n" },
      { literal: "mötley" },
      { line: "\r\n" },
    ],
  },

  // raw: sent as written.
  {
    name: "raw arguments",
    command: "FETCH",
    args: [raw("1:*"), raw("(FLAGS BODY[HEADER])")],
    wire: [{ line: "A1 FETCH 1:* (FLAGS BODY[HEADER])\r\n" }],
  },
  {
    name: "raw search criteria with quotes",
    command: "UID SEARCH",
    args: [raw("CHARSET"), raw("UTF-8"), raw('SUBJECT "a b"')],
    wire: [{ line: 'A1 UID SEARCH CHARSET UTF-8 SUBJECT "a b"\r\n' }],
  },
  {
    name: "raw 8-bit is sent as written",
    command: "SEARCH",
    args: [raw("TEXT"), raw('"café"')],
    wire: [{ line: 'A1 SEARCH TEXT "café"\r\n' }],
  },

  // message: a literal whose size counts bytes.
  {
    name: "APPEND message literal",
    command: "APPEND",
    args: [astring("INBOX"), raw("(\\Seen)"), message("hello\r\n")],
    wire: [{ line: "A1 APPEND INBOX (\\Seen) {7}\r\n" }, { literal: "hello\r\n" }, {
      line: "\r\n",
    }],
  },
  {
    name: "APPEND message size counts UTF-8 bytes",
    command: "APPEND",
    args: [astring("INBOX"), message("Grüße\r\n")],
    wire: [{ line: "A1 APPEND INBOX {9}\r\n" }, { literal: "Grüße\r\n" }, { line: "\r\n" }],
  },
  {
    name: "APPEND message in UTF-8 mode",
    command: "APPEND",
    args: [astring("INBOX"), message("Grüße\r\n")],
    utf8: true,
    wire: [{ line: "A1 APPEND INBOX UTF8 (~{9}\r\n" }, { literal: "Grüße\r\n" }, { line: ")\r\n" }],
  },
  {
    name: "APPEND message with NUL and bare CR/LF is data",
    command: "APPEND",
    args: [astring("INBOX"), message(bytes("a\0b\rc\nA2 LOGOUT\r\n"))],
    wire: [{ line: "A1 APPEND INBOX {17}\r\n" }, { literal: "a\0b\rc\nA2 LOGOUT\r\n" }, {
      line: "\r\n",
    }],
  },
  {
    name: "APPEND binary message: literal8 (RFC 3516), NUL and bare CR/LF as they are",
    command: "APPEND",
    args: [astring("INBOX"), { kind: "binary-message", value: bytes("a\0b\rc\n") }],
    wire: [{ line: "A1 APPEND INBOX ~{6}\r\n" }, { literal: "a\0b\rc\n" }, { line: "\r\n" }],
  },
  {
    name: "APPEND binary message in UTF-8 mode: UTF8 (~{N}) as RFC 6855 has it",
    command: "APPEND",
    args: [astring("INBOX"), { kind: "binary-message", value: bytes("a\0") }],
    utf8: true,
    wire: [{ line: "A1 APPEND INBOX UTF8 (~{2}\r\n" }, { literal: "a\0" }, { line: ")\r\n" }],
  },
  {
    name: "empty APPEND message",
    command: "APPEND",
    args: [astring("INBOX"), message("")],
    wire: [{ line: "A1 APPEND INBOX {0}\r\n" }, { literal: "" }, { line: "\r\n" }],
  },

  // null and undefined are dropped, as imaplib drops None.
  {
    name: "null and undefined arguments are dropped",
    command: "APPEND",
    args: [astring("INBOX"), raw(null), raw(undefined), message("x")],
    wire: [{ line: "A1 APPEND INBOX {1}\r\n" }, { literal: "x" }, { line: "\r\n" }],
  },
  {
    name: "all arguments dropped",
    command: "CHECK",
    args: [astring(null), password(undefined), message(null)],
    wire: [{ line: "A1 CHECK\r\n" }],
  },
];

for (const { name, command, args, utf8: utf8Mode, wire } of COMMANDS) {
  test(`encoder: ${name}`, () => {
    assert.deepEqual(show(encodeCommand("A1", command, args, { utf8: utf8Mode })), wire);
  });
}

test("encoder: lines and synchronizing literals alternate; markers give the byte sizes", () => {
  for (const { name, command, args, utf8: utf8Mode } of COMMANDS) {
    const fragments = encodeCommand("A1", command, args, { utf8: utf8Mode });
    assert.ok(fragments.length % 2 === 1, name);
    fragments.forEach((fragment, i) => {
      assert.equal(fragment.kind, i % 2 === 0 ? "line" : "literal", `${name}: fragment ${i}`);
      if (fragment.kind === "literal") {
        assert.equal(fragment.synchronizing, true, `${name}: fragment ${i}`);
        const marker = text.decode(fragments[i - 1].bytes);
        assert.ok(marker.endsWith(`{${fragment.bytes.length}}\r\n`), `${name}: ${marker}`);
      }
    });
    const last = text.decode(fragments[fragments.length - 1].bytes);
    assert.ok(last.endsWith("\r\n"), name);
    // Only a literal's content may hold CR or LF; each line has exactly its final CRLF.
    for (const fragment of fragments) {
      if (fragment.kind === "line") {
        const line = text.decode(fragment.bytes);
        assert.equal(line.indexOf("\r"), line.length - 2, `${name}: ${JSON.stringify(line)}`);
        assert.equal(line.indexOf("\n"), line.length - 1, `${name}: ${JSON.stringify(line)}`);
      }
    }
  }
});

// --- Injection ----------------------------------------------------------------------------------

const INJECTED = ["\0", "\r", "\n", "\r\n", "\n\r", "a\r\nA2 LOGOUT", "x\0y", "trailing\r\n"];
const CHECKED_KINDS: ArgumentKind[] = ["astring", "raw", "password", "string", "list-mailbox"];

for (const kind of CHECKED_KINDS) {
  test(`encoder: NUL, CR and LF in a ${kind} argument are refused`, () => {
    for (const bad of INJECTED) {
      for (const value of [bad, bytes(bad)]) {
        const where = `${kind} ${JSON.stringify(bad)} as ${typeof value}`;
        assert.throws(
          () => encodeCommand("A1", "CMD", [astring("ok"), { kind, value }]),
          (e: unknown) => {
            assert.ok(e instanceof IMAP4ArgumentError && e instanceof IMAP4Error, where);
            assert.match(e.message, /^argument 2 of CMD contains (NUL|CR|LF) at byte \d+/, where);
            return true;
          },
          where,
        );
      }
    }
  });
}

test("encoder: NUL, CR and LF in the command name are refused", () => {
  for (const bad of INJECTED) {
    assert.throws(() => encodeCommand("A1", `NOOP${bad}`, []), IMAP4ArgumentError, bad);
    assert.throws(() => encodeCommand("A1", `${bad}NOOP`, []), IMAP4ArgumentError, bad);
  }
});

test("encoder: the refusal message does not carry the password", () => {
  assert.throws(
    () => encodeCommand("A1", "LOGIN", [astring("alice"), password("hunter2\r\nA2 LOGOUT")]),
    (e: unknown) => {
      assert.ok(e instanceof IMAP4ArgumentError);
      assert.ok(!e.message.includes("hunter2"), e.message);
      return true;
    },
  );
});

const NOT_BYTES: { name: string; value: unknown }[] = [
  { name: "a number", value: 42 },
  { name: "a boolean", value: true },
  { name: "an object", value: { toString: () => "INBOX" } },
  { name: "an array", value: ["INBOX"] },
  { name: "an ArrayBuffer", value: new ArrayBuffer(1) },
];

for (const { name, value } of NOT_BYTES) {
  test(`encoder: ${name} as an argument is refused`, () => {
    for (const kind of [...CHECKED_KINDS, "message"] as ArgumentKind[]) {
      assert.throws(
        () => encodeCommand("A1", "CMD", [{ kind, value: value as string }]),
        IMAP4ArgumentError,
        kind,
      );
    }
  });
}

test("encoder: an already quoted astring with 8-bit bytes goes as a literal in ASCII mode", () => {
  const value = '"Donn\u00e9es \\"x\\""';
  const fragments = encodeCommand("A1", "SELECT", [{ kind: "astring", value }]);
  assert.equal(fragments.length, 3);
  assert.equal(new TextDecoder().decode(fragments[0].bytes), "A1 SELECT {12}\r\n");
  assert.equal(new TextDecoder().decode(fragments[1].bytes), 'Donn\u00e9es "x"');
  const utf8 = encodeCommand("A1", "SELECT", [{ kind: "astring", value }], { utf8: true });
  assert.equal(new TextDecoder().decode(utf8[0].bytes), `A1 SELECT ${value}\r\n`);
});
