// Tests for the wire decoder (src/decoder.ts): FrameDecoder and FrameDecoderStream.
//
// Known-answer rows (wire bytes -> frames), checked unsplit, split at every byte offset into two
// chunks, fed one byte at a time, and through the stream; then invalid input, incomplete input,
// limits and large inputs, each in a table or a dedicated test of its own.

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { bytes, concat, oneByteChunks, text } from "./_bytes.ts";
import {
  type DecoderOptions,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_LITERAL_BYTES,
  type Frame,
  FrameDecoder,
  FrameDecoderStream,
  IMAP4Abort,
  IMAP4Error,
  IMAP4LimitError,
  IMAP4ProtocolError,
} from "../mod.ts";

/** A frame as strings, for comparison and readable failures. */
interface Rendered {
  lines: string[];
  literals: string[];
}

function render(frames: Frame[]): Rendered[] {
  return frames.map((f) => ({
    lines: f.lines.map((l) => text.decode(l)),
    literals: f.literals.map((l) => text.decode(l)),
  }));
}

/** A one-line frame. */
const line = (l: string): Rendered => ({ lines: [l], literals: [] });

/** Decodes `chunks` with one FrameDecoder, calling finish() at the end. */
function decode(chunks: Uint8Array[], options?: DecoderOptions): Rendered[] {
  const decoder = new FrameDecoder(options);
  const out: Frame[] = [];
  for (const chunk of chunks) decoder.push(chunk, out);
  decoder.finish();
  assert.equal(decoder.bufferedBytes, 0);
  return render(out);
}

/** Decodes `chunks` through a FrameDecoderStream. */
async function decodeStream(chunks: Uint8Array[], options?: DecoderOptions): Promise<Rendered[]> {
  const stream = ReadableStream.from(chunks).pipeThrough(new FrameDecoderStream(options));
  return render(await Array.fromAsync(stream));
}

/** Every way to cut `input` in two (including an empty first or last chunk). */
function* twoChunkSplits(input: Uint8Array): Generator<[number, Uint8Array[]]> {
  for (let at = 0; at <= input.length; at++) {
    yield [at, [input.subarray(0, at), input.subarray(at)]];
  }
}

// --- Known answers ------------------------------------------------------------------------------

const FIXTURES: { name: string; wire: string; frames: Rendered[] }[] = [
  { name: "no input", wire: "", frames: [] },
  {
    name: "untagged line",
    wire: "* OK IMAP4rev1 ready\r\n",
    frames: [line("* OK IMAP4rev1 ready")],
  },
  {
    name: "tagged line",
    wire: "A1 OK LOGIN completed\r\n",
    frames: [line("A1 OK LOGIN completed")],
  },
  { name: "continuation", wire: "+ go ahead\r\n", frames: [line("+ go ahead")] },
  {
    name: "tagged and continuation lines ending in {N} announce no literal",
    wire: "A1 BAD unexpected {5}\r\n+ {3}\r\n* 1 EXISTS\r\n",
    frames: [line("A1 BAD unexpected {5}"), line("+ {3}"), line("* 1 EXISTS")],
  },
  { name: "bare continuation", wire: "+\r\n", frames: [line("+")] },
  { name: "empty line (framing only; the parser rejects it)", wire: "\r\n", frames: [line("")] },
  {
    name: "FETCH with one literal",
    wire: "* 1 FETCH (RFC822 {5}\r\nhello)\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {5}", ")"], literals: ["hello"] }],
  },
  {
    name: "two literals in one response",
    wire: "* 1 FETCH (BODY[HEADER] {3}\r\nabc BODY[TEXT] {4}\r\ndefg)\r\n",
    frames: [{
      lines: ["* 1 FETCH (BODY[HEADER] {3}", " BODY[TEXT] {4}", ")"],
      literals: ["abc", "defg"],
    }],
  },
  {
    name: "{0} literal",
    wire: "* 1 FETCH (BODY[] {0}\r\n)\r\n",
    frames: [{ lines: ["* 1 FETCH (BODY[] {0}", ")"], literals: [""] }],
  },
  {
    name: "{0} literal directly followed by another literal",
    wire: "* 1 FETCH (A {0}\r\n B {1}\r\nx)\r\n",
    frames: [{ lines: ["* 1 FETCH (A {0}", " B {1}", ")"], literals: ["", "x"] }],
  },
  {
    name: "~{3} binary literal (RFC 3516), NUL inside",
    wire: "* 1 FETCH (BINARY[] ~{3}\r\na\0b)\r\n",
    frames: [{ lines: ["* 1 FETCH (BINARY[] ~{3}", ")"], literals: ["a\0b"] }],
  },
  {
    name: "{3+} non-synchronizing marker",
    wire: "* 1 FETCH (RFC822 {3+}\r\nabc)\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {3+}", ")"], literals: ["abc"] }],
  },
  {
    name: "{010} is ten bytes",
    wire: "* 1 FETCH (RFC822 {010}\r\n0123456789)\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {010}", ")"], literals: ["0123456789"] }],
  },
  {
    name: "literal content that looks like responses is data",
    wire: "* 1 FETCH (RFC822 {21}\r\n\r\nA1 OK fake\r\n* BYE\r\n)\r\nA1 OK done\r\n",
    frames: [
      { lines: ["* 1 FETCH (RFC822 {21}", ")"], literals: ["\r\nA1 OK fake\r\n* BYE\r\n"] },
      line("A1 OK done"),
    ],
  },
  {
    name: "literal content containing a marker is data",
    wire: "* 1 FETCH (RFC822 {9}\r\nx {5}\r\nyz)\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {9}", ")"], literals: ["x {5}\r\nyz"] }],
  },
  {
    name: "literal content ending in a marker is data",
    wire: "* 1 FETCH (RFC822 {5}\r\nab{1})\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {5}", ")"], literals: ["ab{1}"] }],
  },
  {
    name: "multi-byte UTF-8 in a line",
    wire: '* LIST () "/" "Données 😀"\r\n',
    frames: [line('* LIST () "/" "Données 😀"')],
  },
  {
    name: "multi-byte UTF-8 in a literal (size in bytes)",
    wire: "* 1 FETCH (RFC822 {13}\r\nDonnées 😀)\r\n",
    frames: [{ lines: ["* 1 FETCH (RFC822 {13}", ")"], literals: ["Données 😀"] }],
  },
  {
    name: "mailbox name literal at the end of a LIST line",
    wire: '* LIST (\\HasNoChildren) "/" {8}\r\nDonnées\r\n',
    frames: [{ lines: ['* LIST (\\HasNoChildren) "/" {8}', ""], literals: ["Données"] }],
  },
  { name: "non-numeric braces are text", wire: "* OK {hello}\r\n", frames: [line("* OK {hello}")] },
  {
    // Regression: hex-letter words used to be taken for a malformed marker and abort.
    name: "hex-letter braces are text",
    wire: "* NO [ALERT] quota {exceeded}\r\n* OK {face}\r\n",
    frames: [line("* NO [ALERT] quota {exceeded}"), line("* OK {face}")],
  },
  {
    name: "braces not at the end of the line are text",
    wire: "* OK {5} is not last\r\n",
    frames: [line("* OK {5} is not last")],
  },
  {
    name: "several responses in one chunk",
    wire: "* 2 EXISTS\r\n* 0 RECENT\r\n* 1 FETCH (RFC822 {2}\r\nhi)\r\nA2 OK [READ-WRITE] done\r\n",
    frames: [
      line("* 2 EXISTS"),
      line("* 0 RECENT"),
      { lines: ["* 1 FETCH (RFC822 {2}", ")"], literals: ["hi"] },
      line("A2 OK [READ-WRITE] done"),
    ],
  },
];

for (const { name, wire, frames } of FIXTURES) {
  test(`decoder: ${name}`, () => {
    assert.deepEqual(decode([bytes(wire)]), frames);
  });
}

test("decoder: every frame has one more line than literals", () => {
  for (const { name, wire } of FIXTURES) {
    const out: Frame[] = [];
    new FrameDecoder().push(bytes(wire), out);
    for (const frame of out) {
      assert.equal(frame.lines.length, frame.literals.length + 1, name);
    }
  }
});

test("decoder: chunk-split invariance, every two-chunk split and byte by byte (push)", () => {
  for (const { name, wire, frames } of FIXTURES) {
    const input = bytes(wire);
    for (const [at, chunks] of twoChunkSplits(input)) {
      assert.deepEqual(decode(chunks), frames, `${name}, split at ${at}`);
    }
    assert.deepEqual(decode(oneByteChunks(input)), frames, `${name}, one byte at a time`);
  }
});

test("decoder: chunk-split invariance through FrameDecoderStream", async () => {
  for (const { name, wire, frames } of FIXTURES) {
    const input = bytes(wire);
    assert.deepEqual(await decodeStream([input]), frames, `${name}, one chunk`);
    for (const [at, chunks] of twoChunkSplits(input)) {
      assert.deepEqual(await decodeStream(chunks), frames, `${name}, split at ${at}`);
    }
    assert.deepEqual(await decodeStream(oneByteChunks(input)), frames, `${name}, byte by byte`);
  }
});

test("decoder: frames do not alias the input chunks", () => {
  const input = bytes("* 1 FETCH (RFC822 {5}\r\nhello)\r\n* OK x\r\n");
  const out: Frame[] = [];
  new FrameDecoder().push(input, out);
  input.fill(0x21);
  assert.deepEqual(render(out), [
    { lines: ["* 1 FETCH (RFC822 {5}", ")"], literals: ["hello"] },
    line("* OK x"),
  ]);
});

// Literals over 4 KiB (past the decoder's arena) get a buffer of their own, or with push()'s
// `chunkGiven` are views of the chunk they lie whole in.
const LARGE_A = "a".repeat(4096) + "\r\n" + "z";
const LARGE_B = "é".repeat(3000);
const LARGE_WIRE = `* 1 FETCH (RFC822 {${bytes(LARGE_A).length}}\r\n${LARGE_A} BODY[1] ` +
  `{${bytes(LARGE_B).length}}\r\n${LARGE_B})\r\n* 2 FETCH (RFC822 {4}\r\nabcd)\r\nA1 OK\r\n`;
const LARGE_FRAMES: Rendered[] = [
  {
    lines: [`* 1 FETCH (RFC822 {4099}`, ` BODY[1] {6000}`, ")"],
    literals: [LARGE_A, LARGE_B],
  },
  { lines: ["* 2 FETCH (RFC822 {4}", ")"], literals: ["abcd"] },
  line("A1 OK"),
];

/** decode() with every chunk given up to the decoder (push's `chunkGiven`). */
function decodeGiven(chunks: Uint8Array[]): Frame[] {
  const decoder = new FrameDecoder();
  const out: Frame[] = [];
  for (const chunk of chunks) decoder.push(chunk, out, true);
  decoder.finish();
  assert.equal(decoder.bufferedBytes, 0);
  return out;
}

test("decoder: frames do not alias the input chunks, large literals included", () => {
  const input = bytes(LARGE_WIRE);
  const out: Frame[] = [];
  new FrameDecoder().push(input, out);
  for (const literal of out.flatMap((f) => f.literals)) {
    assert.notEqual(literal.buffer, input.buffer);
  }
  input.fill(0x21);
  assert.deepEqual(render(out), LARGE_FRAMES);
});

test("decoder: a literal over 4 KiB whole in a given chunk is a view of it, else a copy", () => {
  const input = bytes(LARGE_WIRE);
  const [first, second] = decodeGiven([input]);
  assert.equal(first.literals[0].buffer, input.buffer);
  assert.equal(first.literals[1].buffer, input.buffer);
  assert.notEqual(second.literals[0].buffer, input.buffer, "4 bytes: the arena's");
  assert.deepEqual(render([first, second]), LARGE_FRAMES.slice(0, 2));
  // Cut inside the first literal: it is a copy, the second (whole in the second chunk) a view.
  const at = LARGE_WIRE.indexOf("aaaa") + 100;
  const chunks = [input.subarray(0, at), input.subarray(at)];
  const [split] = decodeGiven(chunks);
  assert.notEqual(split.literals[0].buffer, input.buffer);
  assert.equal(split.literals[1].buffer, input.buffer);
});

// On Bun a literal's own buffer is uninitialized memory (src/wire/literal_memory.ts): whatever
// it held before must be overwritten, and its ArrayBuffer must hold nothing else.
test("decoder: a literal copied into its own buffer is a plain Uint8Array of exactly its bytes", () => {
  const size = 1 << 20;
  for (let i = 0; i < 8; i++) new Uint8Array(size).fill(0xee); // freed memory, likely reused
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + 3) & 0xff;
  const wire = concat([bytes(`* 1 FETCH (BODY[] {${size}}\r\n`), body, bytes(")\r\n")]);
  const cuts = [0, 30, 300_000, 700_000, wire.length];
  const out: Frame[] = [];
  const decoder = new FrameDecoder();
  for (let i = 1; i < cuts.length; i++) {
    decoder.push(wire.slice(cuts[i - 1], cuts[i]), out, true);
  }
  const [literal] = out[0].literals;
  assert.equal(Object.getPrototypeOf(literal), Uint8Array.prototype);
  assert.equal(literal.byteOffset, 0);
  assert.equal(literal.buffer.byteLength, size);
  assert.equal(literal.findIndex((b, i) => b !== body[i]), -1);
});

test("decoder: chunk-split invariance with given chunks, every two-chunk split", () => {
  const input = bytes(LARGE_WIRE);
  for (const [at, chunks] of twoChunkSplits(input)) {
    assert.deepEqual(render(decodeGiven(chunks)), LARGE_FRAMES, `split at ${at}`);
  }
  assert.deepEqual(render(decodeGiven(oneByteChunks(input))), LARGE_FRAMES, "one byte at a time");
});

// --- Invalid input ------------------------------------------------------------------------------

type ErrorClass = typeof IMAP4ProtocolError | typeof IMAP4LimitError;

const INVALID: {
  name: string;
  wire: string;
  options?: DecoderOptions;
  error: ErrorClass;
  /** IMAP4ProtocolError.offset, or IMAP4LimitError [limitName, limitBytes, sizeBytes]. */
  offset?: number;
  limit?: [string, number, number];
}[] = [
  { name: "bare LF line ending", wire: "* OK hi\n", error: IMAP4ProtocolError, offset: 7 },
  {
    name: "bare LF after a good line",
    wire: "* OK a\r\n* OK b\n",
    error: IMAP4ProtocolError,
    offset: 14,
  },
  { name: "a lone LF", wire: "\n", error: IMAP4ProtocolError, offset: 0 },
  { name: "bare LF after a literal", wire: "* 1 {1}\r\nx)\n", error: IMAP4ProtocolError },
  { name: "lone CR inside a line", wire: "* OK a\rb\r\n", error: IMAP4ProtocolError, offset: 6 },
  { name: "CR CR LF", wire: "* OK a\r\r\n", error: IMAP4ProtocolError, offset: 6 },
  { name: "{-1}", wire: "* 1 FETCH (RFC822 {-1}\r\n", error: IMAP4ProtocolError, offset: 21 },
  { name: "{}", wire: "* 1 FETCH (RFC822 {}\r\n", error: IMAP4ProtocolError, offset: 19 },
  { name: "{ 5}", wire: "* 1 FETCH (RFC822 { 5}\r\n", error: IMAP4ProtocolError },
  { name: "{5 }", wire: "* 1 FETCH (RFC822 {5 }\r\n", error: IMAP4ProtocolError },
  { name: "{+5}", wire: "* 1 FETCH (RFC822 {+5}\r\n", error: IMAP4ProtocolError },
  { name: "{0x10}", wire: "* 1 FETCH (RFC822 {0x10}\r\n", error: IMAP4ProtocolError },
  { name: "{1e3}", wire: "* 1 FETCH (RFC822 {1e3}\r\n", error: IMAP4ProtocolError },
  { name: "{1.5}", wire: "* 1 FETCH (RFC822 {1.5}\r\n", error: IMAP4ProtocolError },
  {
    name: "{99999999999999999999} (beyond 2^53)",
    wire: "* 1 FETCH (RFC822 {99999999999999999999}\r\n",
    error: IMAP4ProtocolError,
  },
  {
    name: "{99999999999} (beyond the default maxLiteralBytes)",
    wire: "* 1 FETCH (RFC822 {99999999999}\r\n",
    error: IMAP4LimitError,
    limit: ["maxLiteralBytes", DEFAULT_MAX_LITERAL_BYTES, 99999999999],
  },
  {
    name: "literal one byte over maxLiteralBytes",
    wire: "* 1 FETCH (RFC822 {9}\r\n",
    options: { maxLiteralBytes: 8 },
    error: IMAP4LimitError,
    limit: ["maxLiteralBytes", 8, 9],
  },
  {
    name: "line one byte over maxLineBytes (CRLF included)",
    wire: `* OK ${"x".repeat(58)}\r\n`,
    options: { maxLineBytes: 64 },
    error: IMAP4LimitError,
    limit: ["maxLineBytes", 64, 65],
  },
  {
    name: "line over maxLineBytes without its CRLF yet",
    wire: `* OK ${"x".repeat(70)}`,
    options: { maxLineBytes: 64 },
    error: IMAP4LimitError,
  },
  {
    name: "second line of a response over maxLineBytes",
    wire: `* 1 FETCH (A {1}\r\nx${"y".repeat(70)}\r\n`,
    options: { maxLineBytes: 64 },
    error: IMAP4LimitError,
  },
];

function assertDecodeError(row: (typeof INVALID)[number], chunks: Uint8Array[], where: string) {
  assert.throws(
    () => {
      const decoder = new FrameDecoder(row.options);
      const out: Frame[] = [];
      for (const chunk of chunks) decoder.push(chunk, out);
      decoder.finish();
    },
    (e: unknown) => {
      assert.ok(e instanceof row.error, `${where}: got ${e}`);
      if (row.offset !== undefined) {
        assert.equal((e as IMAP4ProtocolError).offset, row.offset, where);
      }
      if (row.limit !== undefined) {
        const { limitName, limitBytes, sizeBytes } = e as IMAP4LimitError;
        assert.deepEqual([limitName, limitBytes, sizeBytes], row.limit, where);
      }
      return true;
    },
  );
}

for (const row of INVALID) {
  test(`decoder: invalid input: ${row.name}`, () => {
    assertDecodeError(row, [bytes(row.wire)], "one chunk");
  });
}

test("decoder: invalid input fails the same way however it is split", () => {
  for (const row of INVALID) {
    const input = bytes(row.wire);
    // A limit error's sizeBytes is what had arrived when the limit broke: split-dependent.
    const splitRow = row.error === IMAP4LimitError && row.limit?.[0] === "maxLineBytes"
      ? { ...row, limit: undefined }
      : row;
    for (const [at, chunks] of twoChunkSplits(input)) {
      assertDecodeError(splitRow, chunks, `${row.name}, split at ${at}`);
    }
    assertDecodeError(splitRow, oneByteChunks(input), `${row.name}, one byte at a time`);
  }
});

test("decoder: invalid input errors FrameDecoderStream", async () => {
  for (const row of INVALID) {
    await assert.rejects(decodeStream([bytes(row.wire)], row.options), row.error, row.name);
  }
});

test("decoder: errors are IMAP4Abort and IMAP4Error", () => {
  for (const row of INVALID) {
    assert.throws(() => new FrameDecoder(row.options).push(bytes(row.wire), []), (e: unknown) => {
      assert.ok(e instanceof IMAP4Abort && e instanceof IMAP4Error, row.name);
      return true;
    });
  }
  assert.ok(new IMAP4LimitError("maxLineBytes", 1, 2) instanceof IMAP4Abort);
  assert.ok(new IMAP4LimitError("maxLineBytes", 1, 2) instanceof IMAP4Error);
  assert.ok(new IMAP4ProtocolError("x") instanceof IMAP4Abort);
  assert.ok(new IMAP4ProtocolError("x") instanceof IMAP4Error);
});

test("decoder: {99999999999} is refused at the marker, before any allocation", () => {
  const decoder = new FrameDecoder();
  const t0 = performance.now();
  assert.throws(
    () => decoder.push(bytes("* 1 FETCH (RFC822 {99999999999}\r\n"), []),
    IMAP4LimitError,
  );
  assert.ok(performance.now() - t0 < 1000, "the refusal must not allocate the announced size");
});

// --- Boundaries of the limits -------------------------------------------------------------------

const ACCEPTED_AT_LIMIT: {
  name: string;
  wire: string;
  options: DecoderOptions;
  frames: Rendered[];
}[] = [
  {
    name: "line of exactly maxLineBytes (CRLF included)",
    wire: `* OK ${"x".repeat(57)}\r\n`,
    options: { maxLineBytes: 64 },
    frames: [line(`* OK ${"x".repeat(57)}`)],
  },
  {
    name: "a literal does not count against maxLineBytes",
    wire: `* 1 FETCH (A {100}\r\n${"z".repeat(100)})\r\n`,
    options: { maxLineBytes: 64 },
    frames: [{ lines: ["* 1 FETCH (A {100}", ")"], literals: ["z".repeat(100)] }],
  },
  {
    name: "literal of exactly maxLiteralBytes",
    wire: "* 1 FETCH (RFC822 {8}\r\n12345678)\r\n",
    options: { maxLiteralBytes: 8 },
    frames: [{ lines: ["* 1 FETCH (RFC822 {8}", ")"], literals: ["12345678"] }],
  },
];

for (const { name, wire, options, frames } of ACCEPTED_AT_LIMIT) {
  test(`decoder: accepted at the limit: ${name}`, () => {
    const input = bytes(wire);
    assert.deepEqual(decode([input], options), frames);
    for (const [at, chunks] of twoChunkSplits(input)) {
      assert.deepEqual(decode(chunks, options), frames, `split at ${at}`);
    }
  });
}

test("decoder: bad limits are a RangeError", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => new FrameDecoder({ maxLineBytes: bad }), RangeError, `${bad}`);
    assert.throws(() => new FrameDecoder({ maxLiteralBytes: bad }), RangeError, `${bad}`);
  }
});

// --- Incomplete input ---------------------------------------------------------------------------

const INCOMPLETE: { name: string; partial: string; rest: string; buffered: number }[] = [
  { name: "inside a line", partial: "* OK hel", rest: "lo\r\n", buffered: 8 },
  { name: "between CR and LF", partial: "* OK hello\r", rest: "\n", buffered: 11 },
  {
    name: "right after a literal marker",
    partial: "* 1 FETCH (RFC822 {5}\r\n",
    rest: "hello)\r\n",
    buffered: 23,
  },
  {
    name: "inside a literal",
    partial: "* 1 FETCH (RFC822 {5}\r\nhel",
    rest: "lo)\r\n",
    buffered: 26,
  },
  {
    name: "after a literal, before its trailing line",
    partial: "* 1 FETCH (RFC822 {5}\r\nhello",
    rest: ")\r\n",
    buffered: 28,
  },
  {
    name: "inside the trailing line",
    partial: "* 1 FETCH (RFC822 {5}\r\nhello)",
    rest: "\r\n",
    buffered: 29,
  },
  { name: "after a {0} literal", partial: "* 1 FETCH (A {0}\r\n", rest: ")\r\n", buffered: 18 },
  {
    name: "after a complete response",
    partial: "* OK done\r\n* 2 EX",
    rest: "ISTS\r\n",
    buffered: 6,
  },
];

for (const { name, partial, rest, buffered } of INCOMPLETE) {
  test(`decoder: incomplete input: ${name}`, async () => {
    const decoder = new FrameDecoder();
    decoder.push(bytes(partial), []);
    assert.equal(decoder.bufferedBytes, buffered);
    assert.throws(() => decoder.finish(), IMAP4ProtocolError);
    await assert.rejects(decodeStream([bytes(partial)]), IMAP4ProtocolError);
    // The same input completed decodes and leaves nothing buffered.
    const complete = new FrameDecoder();
    const out: Frame[] = [];
    complete.push(bytes(partial), out);
    complete.push(bytes(rest), out);
    assert.equal(complete.bufferedBytes, 0);
    complete.finish();
    assert.deepEqual(render(out), decode([bytes(partial + rest)]));
  });
}

test("decoder: bufferedBytes is 0 at every response boundary", () => {
  const decoder = new FrameDecoder();
  const out: Frame[] = [];
  assert.equal(decoder.bufferedBytes, 0);
  for (const wire of ["* OK a\r\n", "* 1 FETCH (X {2}\r\nab)\r\n", "A1 OK\r\n"]) {
    decoder.push(bytes(wire), out);
    assert.equal(decoder.bufferedBytes, 0, wire);
  }
  assert.equal(out.length, 3);
  decoder.finish();
});

// --- Large inputs with the default limits -------------------------------------------------------

test("decoder: a 4 MB SEARCH line decodes with the default limits", () => {
  const numbers: string[] = [];
  let size = "* SEARCH".length;
  for (let n = 1; size < 4_000_000; n++) {
    numbers.push(String(n));
    size += String(n).length + 1;
  }
  const wire = bytes(`* SEARCH ${numbers.join(" ")}\r\n`);
  assert.ok(wire.length > 4_000_000);
  const out: Frame[] = [];
  const decoder = new FrameDecoder();
  for (let at = 0; at < wire.length; at += 65536) decoder.push(wire.subarray(at, at + 65536), out);
  decoder.finish();
  assert.equal(out.length, 1);
  assert.equal(out[0].lines[0].length, wire.length - 2);
  assert.deepEqual(out[0].lines[0].subarray(0, 12), bytes("* SEARCH 1 2"));
});

test("decoder: a 64 KiB CAPABILITY line decodes with the default limits", () => {
  let capability = "* CAPABILITY IMAP4rev1";
  for (let n = 0; capability.length < 65536; n++) capability += ` X-EXTENSION-${n}`;
  const out: Frame[] = [];
  new FrameDecoder().push(bytes(`${capability}\r\n`), out);
  assert.deepEqual(render(out), [line(capability)]);
});

test("decoder: the default maxLineBytes is accepted exactly and refused one byte over", () => {
  const head = bytes("* OK ");
  const atLimit = new Uint8Array(DEFAULT_MAX_LINE_BYTES).fill(0x78);
  atLimit.set(head);
  atLimit.set([0x0d, 0x0a], atLimit.length - 2);
  const out: Frame[] = [];
  new FrameDecoder().push(atLimit, out);
  assert.equal(out[0].lines[0].length, DEFAULT_MAX_LINE_BYTES - 2);
  const over = new Uint8Array(DEFAULT_MAX_LINE_BYTES + 1).fill(0x78);
  assert.throws(() => new FrameDecoder().push(over, []), (e: unknown) => {
    assert.ok(e instanceof IMAP4LimitError);
    assert.equal(e.limitBytes, DEFAULT_MAX_LINE_BYTES);
    return true;
  });
});

// --- A streamed line past its limit -------------------------------------------------------------

const CHUNK_BYTES = 64 * 1024;
const LIMIT_BYTES = 1024 * 1024;
const STREAM_BYTES = 100 * 1024 * 1024;
// Chunks that fit the limit exactly; the next one crosses it.
const CHUNKS_AT_LIMIT = LIMIT_BYTES / CHUNK_BYTES;

test("decoder: a 100 MiB line without LF throws on the chunk that crosses the limit", () => {
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  const decoder = new FrameDecoder({ maxLineBytes: LIMIT_BYTES });
  let index = 0;
  assert.throws(() => {
    for (; index * CHUNK_BYTES < STREAM_BYTES; index++) {
      assert.ok(decoder.bufferedBytes <= LIMIT_BYTES);
      decoder.push(chunk, []);
    }
  }, (e: unknown) => {
    assert.ok(e instanceof IMAP4LimitError);
    assert.equal(e.limitBytes, LIMIT_BYTES);
    assert.equal(e.sizeBytes, (CHUNKS_AT_LIMIT + 1) * CHUNK_BYTES);
    return true;
  });
  assert.equal(index, CHUNKS_AT_LIMIT, "threw on the chunk that crossed the limit");
  assert.ok(decoder.bufferedBytes <= LIMIT_BYTES);
});

test("decoder: FrameDecoderStream stops pulling a 100 MiB line soon after the limit", async () => {
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  let pulled = 0;
  function* source() {
    for (; pulled * CHUNK_BYTES < STREAM_BYTES;) {
      pulled++;
      yield chunk;
    }
  }
  const stream = ReadableStream.from(source()).pipeThrough(
    new FrameDecoderStream({ maxLineBytes: LIMIT_BYTES }),
  );
  await assert.rejects(Array.fromAsync(stream), IMAP4LimitError);
  // The chunk that crossed the limit, plus what the pipe's queues may have pulled ahead.
  assert.ok(pulled >= CHUNKS_AT_LIMIT + 1 && pulled <= CHUNKS_AT_LIMIT + 4, `pulled ${pulled}`);
});

test("decoder: a streamed literal goes to its sink, and skipped bytes end it at the right byte", () => {
  const decoder = new FrameDecoder();
  const written: string[] = [];
  let ended = 0;
  decoder.streamLiteral = (line, sizeBytes) => {
    assert.equal(text.decode(line), "* 1 FETCH (BODY[] {10}");
    assert.equal(sizeBytes, 10);
    return { write: (b) => written.push(text.decode(b)), end: () => ended++ };
  };
  const out: Frame[] = [];
  decoder.push(bytes("* 1 FETCH (BODY[] {10}\r\n0123"), out);
  assert.deepEqual(written, ["0123"]);
  assert.equal(decoder.streaming, true);
  assert.equal(decoder.streamedLiteralRemainingBytes, 6);
  // The caller read 4 of the remaining bytes itself (straight into its consumer's buffer).
  decoder.skipStreamedLiteral(4);
  assert.equal(decoder.streamedLiteralRemainingBytes, 2);
  assert.equal(ended, 0);
  assert.throws(() => decoder.skipStreamedLiteral(3), RangeError);
  decoder.skipStreamedLiteral(2);
  assert.equal(ended, 1);
  assert.equal(decoder.streaming, false);
  assert.equal(decoder.streamedLiteralRemainingBytes, 0);
  assert.throws(() => decoder.skipStreamedLiteral(1), RangeError);
  decoder.push(bytes(")\r\nA1 OK done\r\n"), out);
  assert.deepEqual(render(out), [
    { lines: ["* 1 FETCH (BODY[] {10}", ")"], literals: [""] },
    { lines: ["A1 OK done"], literals: [] },
  ]);
});

test("literal sizes: the digit fast path and the checked path agree at their boundary", () => {
  // Sizes read through a streaming sink, so that none of them is allocated.
  const sizeOf = (marker: string): number | string => {
    const decoder = new FrameDecoder({}, () => ({ write() {}, end() {} }));
    try {
      decoder.push(bytes(`* 1 FETCH (BODY[] {${marker}}\r\n`), []);
    } catch (error) {
      return (error as Error).constructor.name;
    }
    return decoder.streaming ? decoder.streamedLiteralRemainingBytes : -1;
  };
  const table: [string, number | string][] = [
    ["7", 7],
    ["7+", 7], // LITERAL+ as a client sends it (RFC 7888)
    ["0007", 7],
    ["0", -1], // empty: complete at once, nothing streams
    ["123456789012345", 123456789012345], // 15 digits: the fast path
    ["9007199254740991", 9007199254740991], // 16 digits: the checked path
    ["9007199254740992", "IMAP4ProtocolError"], // 2^53
    ["+", -1], // no digit: text at the end of a line, not a marker
    ["face", -1],
    ["7++", "IMAP4ProtocolError"],
    ["7 +", "IMAP4ProtocolError"],
    ["x7", "IMAP4ProtocolError"],
  ];
  for (const [marker, expected] of table) assert.equal(sizeOf(marker), expected, `{${marker}}`);
});
