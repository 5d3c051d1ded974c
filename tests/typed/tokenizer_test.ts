// Known answers for the tokenizer under the typed parsers: values of every RFC 3501 kind,
// literals as the halves of imaplib's pairs, offsets counted across literals, and the grouping
// of imaplib data into responses.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import {
  type DataItem,
  ImapTokenizer,
  type ImapValue,
  splitResponses,
  TypedParseError,
} from "../../src/typed/mod.ts";
import { bytes } from "./_data.ts";

const b = bytes;

function values(parts: (string | [string, string])[]): ImapValue[] {
  const items: DataItem[] = parts.map((p) => typeof p === "string" ? b(p) : [b(p[0]), b(p[1])]);
  const [response] = splitResponses(items);
  const tok = new ImapTokenizer(response);
  const out: ImapValue[] = [];
  while (!tok.atEnd()) out.push(tok.value());
  return out;
}

test("tokenizer: values of every kind", () => {
  const rows: [(string | [string, string])[], ImapValue[]][] = [
    [["atom 123 \\Seen $Label \\*"], ["atom", "123", "\\Seen", "$Label", "\\*"]],
    [['"quoted" "" "with \\"escapes\\" and \\\\"'], [
      b("quoted"),
      b(""),
      b('with "escapes" and \\'),
    ]],
    [["NIL nil Nil NILS"], [null, null, null, "NILS"]],
    [["(a (b c) () NIL)"], [["a", ["b", "c"], [], null]]],
    [[["x {5}", "hello"], " y"], ["x", b("hello"), "y"]],
    [[["{0}", ""], ""], [b("")]], // a {0} literal
    [[["a ~{3}", "\x00\x01\x02"], ""], ["a", new Uint8Array([0, 1, 2])]], // RFC 3516 literal8
    [[["a {3+}", "abc"], ""], ["a", b("abc")]], // a non-synchronizing size as sent by a client
    [["BODY[HEADER.FIELDS (A B)]<0> x"], ["BODY[HEADER.FIELDS (A B)]<0>", "x"]],
    [["  spaced   out  "], ["spaced", "out"]],
    [['"Grüße" Grüße'], [b("Grüße"), "Grüße"]],
  ];
  for (const [parts, expected] of rows) {
    assert.deepEqual(values(parts), expected, JSON.stringify(parts));
  }
});

test("tokenizer: productions and offsets across literals", () => {
  const [response] = splitResponses([
    [b("1 (A {3}"), b("xyz")],
    b(' "q" 42 18446744073709551615)'),
  ]);
  const tok = new ImapTokenizer(response);
  assert.equal(tok.number(), 1);
  assert.ok(tok.listStart());
  assert.equal(tok.atom(), "A");
  assert.equal(tok.offset, 4);
  assert.deepEqual(tok.nstring(), b("xyz"));
  assert.equal(tok.offset, 11); // 8 bytes of header + 3 of literal
  assert.equal(tok.nstringText(), "q");
  assert.equal(tok.number(), 42);
  assert.equal(tok.bigNumber(), 18446744073709551615n);
  assert.ok(tok.listEnd());
  assert.ok(tok.atEnd());
  assert.throws(
    () => tok.number(),
    (e: unknown) => e instanceof TypedParseError && e.offset === 40,
  );
});

test("tokenizer: mark and reset, across a literal too", () => {
  const [response] = splitResponses([[b("a {1}"), b("x")], b(" b")]);
  const tok = new ImapTokenizer(response);
  const start = tok.mark();
  assert.equal(tok.atom(), "a");
  assert.deepEqual(tok.nstring(), b("x"));
  assert.equal(tok.atom(), "b");
  tok.reset(start);
  assert.equal(tok.atom(), "a");
  assert.deepEqual(tok.nstringText(), "x");
});

test("tokenizer: escapes are found in every piece, after strings without them", () => {
  // Quoted strings are read in place when they have no `\` and copied with their escapes undone
  // otherwise: a piece without escapes must not hide those of the next piece (after a literal),
  // and escaped and plain strings alternate within one piece.
  const [response] = splitResponses([[b('"plain" {1}'), b("x")], b('     "x\\"y" "z\\\\"')]);
  const tok = new ImapTokenizer(response);
  assert.equal(tok.nstringText(), "plain");
  assert.deepEqual(tok.nstring(), b("x"));
  assert.equal(tok.nstringText(), 'x"y');
  assert.equal(tok.nstringText(), "z\\");
  const [again] = splitResponses([b('"a\\"b" "c" "d\\\\e"')]);
  const length = (_: Uint8Array, from: number, to: number) => to - from;
  const t2 = new ImapTokenizer(again);
  assert.deepEqual(t2.nstring(), b('a"b'));
  assert.equal(t2.nstringWith(length), 1);
  assert.deepEqual(t2.nstring(), b("d\\e"));
});

test("tokenizer: fetch item names", () => {
  const tok = ImapTokenizer.fromBytes(
    b('UID body[header.fields ("X]" B)]<12> BINARY[1] RFC822.SIZE x-gm-labels BODY[]<x>'),
  );
  assert.deepEqual(tok.fetchAttName(), { name: "UID" });
  assert.deepEqual(tok.fetchAttName(), {
    name: "BODY",
    section: 'header.fields ("X]" B)',
    origin: 12,
  });
  assert.deepEqual(tok.fetchAttName(), { name: "BINARY", section: "1" });
  assert.deepEqual(tok.fetchAttName(), { name: "RFC822.SIZE" });
  assert.deepEqual(tok.fetchAttName(), { name: "X-GM-LABELS" });
  assert.deepEqual(tok.fetchAttName(), { name: "BODY", section: "" }); // "<x>" is no origin
});

test("tokenizer: errors", () => {
  const rows: [string, number][] = [
    ['"open', 0],
    ["(a b", 4],
    ["{3}", 0], // no literal supplied
    ["{x}", 0],
    [")", 0],
    ["(".repeat(200), 100],
  ];
  for (const [wire, offset] of rows) {
    assert.throws(
      () => ImapTokenizer.fromBytes(b(wire)).value(),
      (e: unknown) => e instanceof TypedParseError && e.offset === offset,
      wire,
    );
  }
});

test("splitResponses: imaplib's shape to responses", () => {
  const pair = (h: string, l: string) => [b(h), b(l)] as const;
  const parts = splitResponses([
    pair("1 (BODY[1] {1}", "a"),
    pair(" BODY[2] {1}", "b"),
    b(")"),
    null,
    b("2 (UID 3)"),
    pair("3 (BODY[] {1}", "c"), // cut off after its literal: closed with empty text
  ]);
  assert.deepEqual(parts, [
    { texts: [b("1 (BODY[1] {1}"), b(" BODY[2] {1}"), b(")")], literals: [b("a"), b("b")] },
    { texts: [b("2 (UID 3)")], literals: [] },
    { texts: [b("3 (BODY[] {1}"), new Uint8Array(0)], literals: [b("c")] },
  ]);
});
