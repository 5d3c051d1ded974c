// Property-based tests (fast-check) for the wire decoder, the response parser, the encoder and the
// streamed literals of fetchBodies().
//
// Deno only: fast-check comes through an `npm:` specifier, which Bun's test runner does not
// resolve; `deno task test` runs this file under Deno and leaves it out of its `bun test` step.
//
// The table tests (decoder_test.ts, parser_test.ts, encoder_test.ts) pin known answers; these
// properties throw generated input at the same code: random bytes, IMAP-shaped token soup,
// grammar-built responses, and mutations of them, each split at random chunk boundaries. A
// property holds for every input fast-check tries; on failure it prints the seed and the shrink
// path of the smallest counterexample it found, which replays the failure exactly.
//
//   deno test -A tests/fuzz_test.ts                      # CI: 300 runs per property, fixed seed
//   deno task fuzz                                       # 20,000 runs per property, random seed
//   deno task fuzz -- --runs=500                         # the same with fewer runs
//   FUZZ_SEED=123 deno test -A tests/fuzz_test.ts        # replay a printed seed
//   deno test -A tests/fuzz_test.ts --filter "grammar" -- --seed=123 --path="7:1:0"
//                                                        # replay one failure, shrink path included
//
// Settings: FUZZ_RUNS (runs per property, default 300), FUZZ_SEED (an integer, or `random` to
// pick one and print it; default a fixed seed), FUZZ_PATH (a shrink path; use with --filter).
// `--runs=`, `--seed=` and `--path=` after `--` override the variables (the fuzz task sets them).

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import { test } from "./_harness.ts";
import { serve, ServerSide, sleep } from "./_scripted.ts";
import { readAll } from "./_streams.ts";
import { concat, oneByteChunks, utf8 } from "./_bytes.ts";
import {
  type Argument,
  type DecoderOptions,
  encodeCommand,
  type Fragment,
  type Frame,
  FrameDecoder,
  IMAP4,
  IMAP4LimitError,
  IMAP4ProtocolError,
  parseFrame,
  parseResponseCode,
  type Response,
} from "../mod.ts";

// --- Settings -----------------------------------------------------------------------------------

const DEFAULT_RUNS = 300;
const DEFAULT_SEED = 20261201;

const deno = (globalThis as { Deno?: typeof Deno }).Deno;
const nodeProcess = (globalThis as {
  process?: { env: Record<string, string | undefined>; argv: string[] };
}).process;

/** A setting from `--flag=value` (after `--`), else from the environment variable `name`. */
function setting(name: string, flag: string): string | undefined {
  const args = deno?.args ?? nodeProcess?.argv ?? [];
  const arg = args.find((a) => a.startsWith(`--${flag}=`));
  if (arg !== undefined) return arg.slice(flag.length + 3);
  try {
    return deno ? deno.env.get(name) : nodeProcess?.env[name];
  } catch {
    return undefined; // no --allow-env: the defaults
  }
}

function integerSetting(name: string, flag: string, fallback: number, min: number): number {
  const value = setting(name, flag);
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

const RUNS = integerSetting("FUZZ_RUNS", "runs", DEFAULT_RUNS, 1);
const SEED = setting("FUZZ_SEED", "seed") === "random"
  ? Math.floor(Math.random() * 0x7fffffff)
  : integerSetting("FUZZ_SEED", "seed", DEFAULT_SEED, -0x80000000);
const PATH = setting("FUZZ_PATH", "path") || undefined;
if (RUNS !== DEFAULT_RUNS || SEED !== DEFAULT_SEED) {
  console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}${PATH ? ` FUZZ_PATH=${PATH}` : ""}`);
}

/** fc.assert with the run's seed and count; fast-check's failure report names seed and path. */
function check<T>(property: fc.IProperty<T>, runs = RUNS): void {
  fc.assert(property, { seed: SEED, numRuns: runs, ...(PATH ? { path: PATH } : {}) });
}

/** The same for async properties. */
async function checkAsync<T>(property: fc.IAsyncProperty<T>, runs = RUNS): Promise<void> {
  await fc.assert(property, { seed: SEED, numRuns: runs, ...(PATH ? { path: PATH } : {}) });
}

// --- Bytes --------------------------------------------------------------------------------------

/** Bytes as a binary string, one char (U+0000..U+00FF) per byte: exact, and readable in diffs. */
function str(bytes: Uint8Array): string {
  let out = "";
  for (let at = 0; at < bytes.length; at += 4096) {
    out += String.fromCharCode(...bytes.subarray(at, at + 4096));
  }
  return out;
}

/** A binary string (see {@linkcode str}) as bytes. */
function raw(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Text as its UTF-8 bytes, in binary-string form. */
const bin = (text: string): string => str(utf8.encode(text));

/** `input` cut at `cuts` (any naturals, taken modulo the length; empty chunks included). */
function split(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const point of points) {
    chunks.push(input.subarray(at, point));
    at = point;
  }
  chunks.push(input.subarray(at));
  return chunks;
}

// --- Decoding outcomes --------------------------------------------------------------------------

/** A frame in binary-string form. */
interface Shown {
  lines: string[];
  literals: string[];
}

/** What decoding an input gave: its frames, then the error that ended it, if any. */
interface Outcome {
  frames: Shown[];
  error: string | null;
}

/**
 * The documented decoder errors, as the part of them that does not depend on chunking; any
 * other error is rethrown, failing the property. A maxLineBytes error's `sizeBytes` is what had
 * arrived when the limit broke, so it depends on the chunks and is left out.
 */
function documentedError(e: unknown): string {
  if (e instanceof IMAP4ProtocolError) return `IMAP4ProtocolError: ${e.message}`;
  if (e instanceof IMAP4LimitError) {
    assert.ok(e.sizeBytes > e.limitBytes, `${e.message}: sizeBytes must exceed the limit`);
    const size = e.limitName === "maxLineBytes" ? "" : ` size ${e.sizeBytes}`;
    return `IMAP4LimitError: ${e.limitName} limit ${e.limitBytes}${size}`;
  }
  throw e;
}

const show = (frame: Frame): Shown => ({
  lines: frame.lines.map(str),
  literals: frame.literals.map(str),
});

/** The bytes a frame was decoded from. */
function wireOf(frame: Shown): string {
  let out = "";
  frame.lines.forEach((line, i) => {
    out += `${line}\r\n${i < frame.literals.length ? frame.literals[i] : ""}`;
  });
  return out;
}

/** Decodes `chunks` with one FrameDecoder and finish(), catching the documented errors. */
function decode(chunks: Uint8Array[], options?: DecoderOptions): Outcome {
  const decoder = new FrameDecoder(options);
  const out: Frame[] = [];
  let error: string | null = null;
  try {
    for (const chunk of chunks) decoder.push(chunk, out);
    decoder.finish();
  } catch (e) {
    error = documentedError(e);
  }
  return { frames: out.map(show), error };
}

/**
 * Decodes `input` unsplit, at `cuts`, and one byte at a time; asserts the three outcomes are
 * identical and that the frames are well formed and reproduce the start of the input.
 */
function decodeEverySplit(
  input: Uint8Array,
  cuts: readonly number[],
  options?: DecoderOptions,
): Outcome {
  const whole = decode([input], options);
  assert.deepEqual(decode(split(input, cuts), options), whole, "split at random cuts");
  assert.deepEqual(decode(oneByteChunks(input), options), whole, "one byte at a time");
  let wire = "";
  for (const frame of whole.frames) {
    assert.equal(frame.lines.length, frame.literals.length + 1, "one more line than literals");
    for (const line of frame.lines) assert.ok(!/[\r\n]/.test(line), "no CR or LF in a line");
    wire += wireOf(frame);
  }
  assert.equal(wire, str(input.subarray(0, wire.length)), "frames are the input, in order");
  if (whole.error === null) assert.equal(wire.length, input.length, "no error: all decoded");
  return whole;
}

/** parseFrame, which may only throw IMAP4ProtocolError ("unexpected response"). */
function parseOrProtocolError(frame: Shown): Response | null {
  try {
    return parseFrame({ lines: frame.lines.map(raw), literals: frame.literals.map(raw) });
  } catch (e) {
    if (e instanceof IMAP4ProtocolError) return null;
    throw e;
  }
}

// --- Arbitraries: random and IMAP-shaped bytes --------------------------------------------------

/** Random chunk boundaries, reduced modulo the input's length by split(). */
const cutsArb = fc.array(fc.nat(), { maxLength: 16, size: "medium" });

/** Literal content: anything, with a bias to what could confuse a decoder (CRLF, fake lines). */
const literalArb: fc.Arbitrary<string> = fc.array(
  fc.oneof(
    fc.constantFrom(
      "\r\n",
      "\r",
      "\n",
      "{",
      "}",
      "{5}\r\n",
      "A1 OK fake\r\n",
      "* BYE fake\r\n",
      "+ \r\n",
      ")",
      "\0",
      bin("é😀"),
    ),
    fc.uint8Array({ maxLength: 24 }).map(str),
  ),
  { maxLength: 8 },
).map((parts) => parts.join(""));

/** Tokens that make random bytes look like IMAP often enough to reach the decoder's branches. */
const SOUP_TOKENS = [
  "* ",
  "+ ",
  "+",
  "A1 ",
  "OK ",
  "NO ",
  "BYE ",
  "1 ",
  "FETCH ",
  "(",
  ")",
  "[",
  "]",
  " ",
  "{",
  "}",
  "{0}",
  "{1}",
  "{3}",
  "{12}",
  "{3+}",
  "~{2}",
  "{007}",
  "{}",
  "{-1}",
  "{ 5}",
  "{0x1}",
  "{1e3}",
  "{face}",
  "{99999999999}",
  "{99999999999999999999}",
  "\r\n",
  "\r\n",
  "\r\n",
  "\r",
  "\n",
  "\0",
  '"',
  "\\",
  "x",
  "abc",
  bin("Données 😀"),
].map(raw);

/** Flat soup: tokens in any order, for input that is mostly broken. */
function soupArb(maxTokens: number, maxRun: number): fc.Arbitrary<Uint8Array> {
  return fc.array(tokenArb(maxRun), { maxLength: maxTokens, size: "medium" }).map(concat);
}

/** A soup token; `inLine` leaves out CR and LF, so lines mostly end where they were built to. */
function tokenArb(maxRun: number, inLine = false): fc.Arbitrary<Uint8Array> {
  const ok = (byte: number) => !inLine || (byte !== 0x0d && byte !== 0x0a);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SOUP_TOKENS.filter((t) => t.every(ok))) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 8 }).map((t) => t.filter(ok)) },
    // Runs long enough to fill literals and to cross small line limits.
    { weight: 1, arbitrary: fc.integer({ min: 0, max: maxRun }).map((n) => raw("y".repeat(n))) },
  );
}

/**
 * Line soup: lines of tokens, most ending in CRLF or in a literal marker followed by about the
 * announced number of bytes (exactly, one short, one over, or none), so that literals, their
 * boundaries and multi-literal responses are reached often.
 */
function lineSoupArb(maxLines: number, sizes: number[], maxRun: number): fc.Arbitrary<Uint8Array> {
  const start = fc.constantFrom("* ", "* ", "* 1 FETCH (", "* 1 FETCH (", "A1 ", "+ ", "", " ")
    .map(raw);
  const plainEnd = fc.oneof(
    { weight: 12, arbitrary: fc.constant(raw("\r\n")) },
    { weight: 1, arbitrary: fc.constantFrom("\n", "\r", "").map(raw) },
  );
  const literalEnd = fc.tuple(
    fc.constantFrom("{", "~{", "{0"),
    fc.constantFrom(...sizes),
    fc.constantFrom("}", "+}"),
    fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -1, 1, -Infinity),
    literalArb,
  ).map(([open, size, close, delta, content]) => {
    const length = Math.max(0, size + delta);
    const body = (content + "z".repeat(length)).slice(0, length);
    return raw(`${open}${size}${close}\r\n${body}`);
  });
  const line = fc.tuple(
    start,
    fc.array(tokenArb(maxRun, true), { maxLength: 6 }),
    fc.oneof({ weight: 3, arbitrary: plainEnd }, { weight: 2, arbitrary: literalEnd }),
  ).map(([s, tokens, end]) => concat([s, ...tokens, end]));
  return fc.array(line, { maxLength: maxLines, size: "medium" }).map(concat);
}

const randomInputArb = fc.oneof(
  fc.uint8Array({ maxLength: 1024, size: "medium" }),
  soupArb(60, 40),
  lineSoupArb(12, [0, 1, 2, 5, 17], 40),
);

// --- Arbitraries: grammar-shaped responses ------------------------------------------------------

/** A response as the decoder should frame it and the parser should read it. */
interface Model {
  frame: Shown;
  expect: Expected;
}

type Expected =
  | { kind: "tagged"; tag: string; status: string; data: string }
  | { kind: "untagged"; type: string; data: (string | [string, string])[] }
  | { kind: "continuation"; data: string | null };

const chars = (from: number, to: number, except = ""): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)).filter((c) =>
    !except.includes(c)
  );

// RFC 3501 section 9: tag = 1*<any ASTRING-CHAR except "+">; ATOM-CHAR excludes atom-specials.
const TAG_CHARS = chars(0x21, 0x7e, '(){%*"\\+');
const TEXT_CHARS = chars(0x20, 0x7e);

const tagArb = fc.string({ unit: fc.constantFrom(...TAG_CHARS), minLength: 1, maxLength: 8 });

/** resp-text: an optional response code, then text (binary string, no CR/LF). */
const textArb: fc.Arbitrary<string> = fc.tuple(
  fc.option(
    fc.constantFrom(
      "[ALERT]",
      "[READ-WRITE]",
      "[UIDVALIDITY 3857529045]",
      "[PERMANENTFLAGS (\\Seen \\Answered \\*)]",
      "[CAPABILITY IMAP4rev1 IDLE]",
      "[X-FLAGS \\Seen a]b]",
      "[]",
      "[lower]",
    ),
    { nil: "" },
  ),
  fc.array(
    fc.oneof(
      fc.string({ unit: fc.constantFrom(...TEXT_CHARS), maxLength: 12 }),
      fc.constantFrom("{hello}", "{5}", "{face}", '"a b"', bin("Données 😀"), "\0"),
    ),
    { maxLength: 4 },
  ).map((words) => words.join(" ")),
).map(([code, words]) => (code && words ? `${code} ${words}` : code + words));

const taggedArb: fc.Arbitrary<Model> = fc.tuple(
  tagArb,
  fc.constantFrom("OK", "NO", "BAD", "ok", "Bad", "PREAUTH"),
  fc.option(textArb, { nil: null }),
).map(([tag, status, text]) => ({
  // A tagged line ending in `{5}` announces no literal: only untagged responses carry them.
  frame: { lines: [text === null ? `${tag} ${status}` : `${tag} ${status} ${text}`], literals: [] },
  expect: { kind: "tagged", tag, status: status.toUpperCase(), data: text ?? "" },
}));

const continuationArb: fc.Arbitrary<Model> = fc.option(textArb, { nil: null }).map((text) => ({
  frame: { lines: [text === null ? "+" : `+ ${text}`], literals: [] },
  expect: { kind: "continuation", data: text },
}));

/** Untagged text that cannot end in a literal marker. */
const untaggedTextArb = textArb.map((t) => (t.endsWith("}") ? `${t}.` : t));

const untaggedArb: fc.Arbitrary<Model> = fc.oneof(
  fc.tuple(
    fc.constantFrom("OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", "FLAGS", "SEARCH", "status"),
    fc.option(untaggedTextArb, { nil: null }),
  ).map(([type, text]): Model => ({
    frame: { lines: [text === null ? `* ${type}` : `* ${type} ${text}`], literals: [] },
    expect: { kind: "untagged", type: type.toUpperCase(), data: [text ?? ""] },
  })),
  fc.tuple(
    fc.nat({ max: 999_999 }),
    fc.constantFrom("EXISTS", "RECENT", "EXPUNGE", "FETCH", "fetch"),
    fc.option(untaggedTextArb, { nil: null }),
  ).map(([n, type, text]): Model => ({
    frame: { lines: [text === null ? `* ${n} ${type}` : `* ${n} ${type} ${text}`], literals: [] },
    expect: {
      kind: "untagged",
      type: type.toUpperCase(),
      data: [text === null ? `${n}` : `${n} ${text}`],
    },
  })),
);

/** `{N}`, `{N+}`, `~{N}` (RFC 3501, RFC 7888, RFC 3516), sometimes with leading zeros. */
const markerArb = (size: number): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom("{", "~{"), fc.constantFrom("", "0", "00"), fc.constantFrom("}", "+}"))
    .map(([open, zeros, close]) => `${open}${zeros}${size}${close}`);

const ITEMS = ["RFC822", "BODY[]", "BODY[HEADER]", "BODY[TEXT]", "BINARY[1]", "BODY[1.MIME]"];

/** `* N FETCH (ITEM {len}\r\n<literal> ITEM {len}\r\n<literal>...)` with 0..3 literals. */
const fetchArb: fc.Arbitrary<Model> = fc.tuple(
  fc.integer({ min: 1, max: 999_999 }),
  fc.array(
    fc.tuple(fc.constantFrom(...ITEMS), literalArb).chain(([item, literal]) =>
      markerArb(literal.length).map((marker) => ({ item, literal, marker }))
    ),
    { maxLength: 3 },
  ),
  fc.constantFrom(")", " FLAGS (\\Seen))", " UID 7)"),
).map(([n, parts, close]): Model => {
  if (parts.length === 0) {
    const line = `* ${n} FETCH (FLAGS (\\Seen) UID ${n}${close}`;
    return {
      frame: { lines: [line], literals: [] },
      expect: { kind: "untagged", type: "FETCH", data: [line.slice(2).replace(" FETCH", "")] },
    };
  }
  const lines = parts.map(({ item, marker }, i) =>
    i === 0 ? `* ${n} FETCH (${item} ${marker}` : ` ${item} ${marker}`
  );
  lines.push(close);
  const literals = parts.map((p) => p.literal);
  const data: (string | [string, string])[] = literals.map((
    literal,
    i,
  ) => [i === 0 ? lines[0].slice(2).replace(" FETCH", "") : lines[i], literal]);
  data.push(close);
  return { frame: { lines, literals }, expect: { kind: "untagged", type: "FETCH", data } };
});

/** A LIST response whose mailbox name is a literal: the trailing line is empty. */
const listLiteralArb: fc.Arbitrary<Model> = literalArb.chain((name) =>
  markerArb(name.length).map((marker): Model => {
    const head = `(\\HasNoChildren) "/" ${marker}`;
    return {
      frame: { lines: [`* LIST ${head}`, ""], literals: [name] },
      expect: { kind: "untagged", type: "LIST", data: [[head, name], ""] },
    };
  })
);

const responseArb: fc.Arbitrary<Model> = fc.oneof(
  taggedArb,
  continuationArb,
  untaggedArb,
  { weight: 3, arbitrary: fetchArb },
  listLiteralArb,
);

const streamArb = fc.array(responseArb, { minLength: 1, maxLength: 12, size: "medium" });

const streamBytes = (models: Model[]): Uint8Array =>
  raw(models.map((m) => wireOf(m.frame)).join(""));

function showResponse(r: Response): Expected {
  switch (r.kind) {
    case "tagged":
      return { kind: "tagged", tag: r.tag, status: r.status, data: str(r.data) };
    case "continuation":
      return { kind: "continuation", data: r.data === null ? null : str(r.data) };
    case "untagged":
      return {
        kind: "untagged",
        type: r.type,
        data: r.data.map((d) => (d instanceof Uint8Array ? str(d) : [str(d[0]), str(d[1])])),
      };
  }
}

// --- Reference code, written from the RFC and imaplib rather than from src/ ---------------------

// imaplib: Response_code = re.compile(br'\[(?P<type>[A-Z-]+)( (?P<data>.*))?\]'), matched at the
// start of the text. `[\s\S]` instead of `.` because the bytes may hold LF here (lines never do).
const RESPONSE_CODE = /^\[([A-Z-]+)(?: ([\s\S]*))?\]/;

function referenceResponseCode(text: string): { type: string; data: string | null } | null {
  const match = RESPONSE_CODE.exec(text);
  return match ? { type: match[1], data: match[2] ?? null } : null;
}

// RFC 3501 section 9. atom-specials = ( ) { SP CTL % * " \ ] ; ASTRING-CHAR adds "]";
// list-char adds % and *.
const ATOM_SPECIALS = '(){ %*"\\]';
const isAtomChar = (c: string): boolean => c > " " && c < "\x7f" && !ATOM_SPECIALS.includes(c);
const isAstringChar = (c: string): boolean => isAtomChar(c) || c === "]";
const isListChar = (c: string): boolean => isAstringChar(c) || c === "%" || c === "*";

/** How an argument went on the wire, and the value a server reads from it. */
interface Received {
  form: "atom" | "quoted" | "literal";
  value: string;
}

/** A server's reading of the single argument of `A1 SELECT <arg>`: atom, quoted or literal. */
function receiveArgument(fragments: Fragment[], kind: Argument["kind"]): Received {
  const prefix = "A1 SELECT ";
  const first = str(fragments[0].bytes);
  assert.equal(fragments[0].kind, "line");
  assert.ok(first.startsWith(prefix), first);
  if (fragments.length === 3) {
    const marker = /^\{([0-9]+)\}\r\n$/.exec(first.slice(prefix.length));
    assert.ok(marker, `a literal marker ends the line: ${JSON.stringify(first)}`);
    const [, literal, last] = fragments;
    assert.ok(literal.kind === "literal" && literal.synchronizing, "a synchronizing literal");
    assert.equal(literal.bytes.length, Number(marker[1]), "the marker counts the literal's bytes");
    assert.deepEqual(last, { kind: "line", bytes: raw("\r\n") });
    return { form: "literal", value: str(literal.bytes) };
  }
  assert.equal(fragments.length, 1, "a line, or a line, a literal and a line");
  assert.ok(first.endsWith("\r\n"));
  const arg = first.slice(prefix.length, -2);
  assert.ok(!/[\0\r\n]/.test(arg), "no NUL, CR or LF inline");
  if (arg.startsWith('"')) {
    // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = <TEXT-CHAR except quoted-specials> /
    // "\" quoted-specials.
    let value = "";
    let at = 1;
    for (; at < arg.length && arg[at] !== '"'; at++) {
      if (arg[at] === "\\") {
        at++;
        assert.ok(arg[at] === '"' || arg[at] === "\\", `only \\" and \\\\ escapes: ${arg}`);
      }
      value += arg[at];
    }
    assert.equal(at, arg.length - 1, `one quoted string, closed at the end: ${arg}`);
    return { form: "quoted", value };
  }
  const isChar = kind === "list-mailbox" ? isListChar : isAstringChar;
  assert.ok(arg.length > 0 && [...arg].every(isChar), `an atom: ${JSON.stringify(arg)}`);
  return { form: "atom", value: arg };
}

/** The content of `s` if it is a valid quoted string (imaplib callers quote mailbox names). */
function quotedContent(s: string): string | null {
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(s);
  return match ? match[1].replace(/\\(["\\])/g, "$1") : null;
}

// --- Properties ---------------------------------------------------------------------------------

test("fuzz: random bytes, any chunking: documented errors only, one outcome", () => {
  check(fc.property(randomInputArb, cutsArb, (input, cuts) => {
    const outcome = decodeEverySplit(input, cuts);
    for (const frame of outcome.frames) parseOrProtocolError(frame);
  }));
});

test("fuzz: random bytes with small limits, any chunking: documented errors only, one outcome", () => {
  const options = { maxLineBytes: 24, maxLiteralBytes: 16 };
  check(fc.property(randomInputArb, cutsArb, (input, cuts) => {
    decodeEverySplit(input, cuts, options);
  }));
});

// Literals around and past the decoder's 4 KiB arena, each a FETCH response of its own, in
// chunks given up to the decoder (push's `chunkGiven`; each chunk its own buffer, as a socket's):
// the frames are those of the copying decoder, and a literal over 4 KiB is a view of a chunk
// exactly when it lies whole in one.
const largeLiteralsArb = fc.array(
  fc.tuple(
    fc.oneof(fc.integer({ min: 4090, max: 4100 }), fc.integer({ min: 0, max: 20_000 })),
    fc.integer({ min: 0, max: 255 }),
  ),
  { minLength: 1, maxLength: 6 },
);

test("fuzz: literals past 4 KiB in given chunks, any chunking: copies' frames, views when whole", () => {
  check(fc.property(largeLiteralsArb, cutsArb, (literals, cuts) => {
    const parts: Uint8Array[] = [];
    const spans: [start: number, end: number][] = [];
    let at = 0;
    for (const [i, [size, seed]] of literals.entries()) {
      const head = utf8.encode(`* ${i + 1} FETCH (BODY[] {${size}}\r\n`);
      const body = Uint8Array.from({ length: size }, (_, j) => (seed + j * 31) & 0xff);
      const tail = utf8.encode(")\r\n");
      spans.push([at + head.length, at + head.length + size]);
      parts.push(head, body, tail);
      at += head.length + size + tail.length;
    }
    parts.push(utf8.encode("A1 OK\r\n"));
    const input = concat(parts);
    const chunks = split(input, cuts).map((chunk) => chunk.slice());
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    for (const chunk of chunks) decoder.push(chunk, frames, true);
    decoder.finish();
    assert.deepEqual(frames.map(show), decode([input]).frames);
    const bounds: number[] = [];
    for (let end = 0, i = 0; i < chunks.length; i++) bounds.push(end += chunks[i].length);
    for (const [i, [start, end]] of spans.entries()) {
      const literal = frames[i].literals[0];
      const whole = !bounds.some((b) => b > start && b < end);
      const view = chunks.some((chunk) => chunk.buffer === literal.buffer);
      assert.equal(view, end - start > 4096 && whole, `literal ${i + 1}, ${end - start} bytes`);
    }
  }));
});

test("fuzz: grammar-shaped responses decode to exactly their frames and parse as built", () => {
  check(fc.property(streamArb, cutsArb, (models, cuts) => {
    const input = streamBytes(models);
    const outcome = decodeEverySplit(input, cuts);
    assert.deepEqual(outcome, { frames: models.map((m) => m.frame), error: null });
    for (const { frame, expect } of models) {
      const response = parseOrProtocolError(frame);
      assert.ok(response, `parses: ${JSON.stringify(frame)}`);
      assert.deepEqual(showResponse(response), expect);
      if (response.kind !== "continuation") {
        const text = response.kind === "tagged" ? response.data : response.data[0];
        const head = text instanceof Uint8Array ? text : text[0];
        const status = response.kind === "tagged" ? response.status : response.type;
        const code = response.code && { type: response.code.type, data: response.code.data };
        const expected = ["OK", "NO", "BAD"].includes(status)
          ? referenceResponseCode(str(head))
          : null;
        assert.deepEqual(code && { type: code.type, data: code.data && str(code.data) }, expected);
      }
    }
  }));
});

test("fuzz: encodeCommand astrings, passwords and mailbox patterns read back as sent", () => {
  const unit = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...'"\\ (){}%*]a~Z0+\x01\x7f'.split(""), "é", "😀") },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  );
  const plain = fc.string({ unit, maxLength: 24 }).map((s) => s.replace(/[\0\r\n]/g, ""));
  // imaplib callers often quote a mailbox themselves; such a string is sent as it is.
  const quoted = plain.map((s) => `"${s.replace(/["\\]/g, "\\$&")}"`);
  const kinds = fc.constantFrom("astring", "list-mailbox", "password") as fc.Arbitrary<
    Argument["kind"]
  >;
  check(fc.property(fc.oneof(plain, quoted), kinds, fc.boolean(), (value, kind, utf8Mode) => {
    const fragments = encodeCommand("A1", "SELECT", [{ kind, value }], { utf8: utf8Mode });
    const received = receiveArgument(fragments, kind);
    const content = kind === "password" ? null : quotedContent(value);
    assert.equal(received.value, bin(content ?? value), `${kind} ${JSON.stringify(value)}`);
    if (kind === "password") assert.notEqual(received.form, "atom", "a password is never an atom");
    const eightBit = /[^\0-\x7f]/.test(received.value);
    // 8-bit data is a literal outside UTF-8 mode (RFC 3501), quoted inside it (RFC 6855).
    assert.equal(received.form === "literal", eightBit && !utf8Mode, received.form);
  }));
});

/** A byte change: flip a bit, insert, delete, or overwrite at a position. */
interface Mutation {
  op: "flip" | "insert" | "delete" | "set";
  at: number;
  byte: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("flip", "insert", "delete", "set"),
  at: fc.nat(),
  byte: fc.oneof(
    fc.constantFrom(...raw("\r\n{}09+*~ \0")),
    fc.integer({ min: 0, max: 255 }),
  ),
}) as fc.Arbitrary<Mutation>;

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  const bytes = Array.from(input);
  for (const { op, at, byte } of mutations) {
    if (op === "insert") {
      bytes.splice(at % (bytes.length + 1), 0, byte);
      continue;
    }
    if (bytes.length === 0) continue;
    const i = at % bytes.length;
    if (op === "delete") bytes.splice(i, 1);
    else if (op === "set") bytes[i] = byte;
    else bytes[i] ^= 1 << (byte & 7);
  }
  return Uint8Array.from(bytes);
}

test("fuzz: mutated valid streams, any chunking: documented errors only, one outcome", () => {
  check(fc.property(
    streamArb,
    fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
    cutsArb,
    (models, mutations, cuts) => {
      const outcome = decodeEverySplit(mutate(streamBytes(models), mutations), cuts);
      for (const frame of outcome.frames) parseOrProtocolError(frame);
    },
  ));
});

const SMALL_LIMITS = { maxLineBytes: 256, maxLiteralBytes: 1024, maxResponseBytes: 1536 };
/** Input for the memory properties: lines and literals around the small limits. */
const memoryInputArb = fc.oneof(
  soupArb(80, 300),
  lineSoupArb(12, [0, 1, 200, 1000, 1024, 1025, 5000], 300),
  fc.tuple(streamArb, fc.array(mutationArb, { maxLength: 3 })).map(([models, mutations]) =>
    mutate(streamBytes(models), mutations)
  ),
  fc.uint8Array({ maxLength: 2048, size: "medium" }),
);

/** Bytes a frame held while it was incomplete (what bufferedBytes counts). */
const frameBytes = (frame: Frame): number =>
  frame.lines.reduce((n, l) => n + l.length + 2, 0) +
  frame.literals.reduce((n, l) => n + l.length, 0);

/** Pushes `chunks`, calling `after(decoder, pushed, framed)` after each accepted push. */
function pushWatching(
  chunks: Uint8Array[],
  after: (decoder: FrameDecoder, pushed: number, framed: number) => void,
): void {
  const decoder = new FrameDecoder(SMALL_LIMITS);
  const out: Frame[] = [];
  let pushed = 0;
  let framed = 0;
  for (const chunk of chunks) {
    try {
      decoder.push(chunk, out);
    } catch (e) {
      documentedError(e);
      return; // terminal: the decoder is unusable
    }
    pushed += chunk.length;
    for (const frame of out) framed += frameBytes(frame);
    out.length = 0;
    after(decoder, pushed, framed);
  }
}

test("fuzz: bounded memory: bufferedBytes is what arrived of the incomplete response", () => {
  check(fc.property(memoryInputArb, cutsArb, (input, cuts) => {
    pushWatching(split(input, cuts), (decoder, pushed, framed) => {
      // Exactly the bytes received since the last response boundary: nothing from announced
      // sizes, nothing kept from earlier responses.
      assert.equal(decoder.bufferedBytes, pushed - framed);
      // Each line and literal of it fits its limit, so the response is at most one line per
      // announced literal plus one, and the literals (each marker ends in `}` CRLF).
      const pending = str(input.subarray(framed, pushed));
      const markers = pending.split("}\r\n").length - 1;
      const { maxLineBytes, maxLiteralBytes } = SMALL_LIMITS;
      assert.ok(
        decoder.bufferedBytes <= (markers + 1) * maxLineBytes + markers * maxLiteralBytes,
        `${decoder.bufferedBytes} bytes buffered with ${markers} markers`,
      );
    });
  }));
});

// One response may chain any number of lines and literals (`{0}` ones too): maxResponseBytes
// is what bounds it. fast-check found that before the limit existed (seed 20261201, path
// "143:3:7:7:5:3:6:13:3:7:5:6:1:4:4:5:5:5:5:4": `* {1024}\r\n` + 1024 x "z" + `* {1000}\r\n`
// + 1000 x "z", all 2,044 bytes buffered); the rows below are its minimal cases.
test("fuzz: bounded memory: bufferedBytes never exceeds maxResponseBytes", () => {
  check(fc.property(memoryInputArb, cutsArb, (input, cuts) => {
    pushWatching(split(input, cuts), (decoder) => {
      assert.ok(
        decoder.bufferedBytes <= SMALL_LIMITS.maxResponseBytes,
        `${decoder.bufferedBytes} buffered`,
      );
    });
  }));
});

const UNBOUNDED_RESPONSES: { name: string; wire: string }[] = [
  {
    name: "a response of 1,000 empty literals",
    wire: `* 1 FETCH (A {0}\r\n${" A {0}\r\n".repeat(1000)}`,
  },
  {
    name: "a response of ten literals each at maxLiteralBytes",
    wire: `* 1 FETCH (A {1024}\r\n${"z".repeat(1024)}` +
      ` A {1024}\r\n${"z".repeat(1024)}`.repeat(9),
  },
];

for (const { name, wire } of UNBOUNDED_RESPONSES) {
  test(`fuzz: maxResponseBytes refuses ${name}`, () => {
    const decoder = new FrameDecoder(SMALL_LIMITS);
    const input = raw(wire);
    assert.throws(() => {
      for (let at = 0; at < input.length; at += 512) {
        decoder.push(input.subarray(at, at + 512), []);
        assert.ok(decoder.bufferedBytes <= SMALL_LIMITS.maxResponseBytes);
      }
    }, (e: unknown) => e instanceof IMAP4LimitError && e.limitName === "maxResponseBytes");
  });
}

test("fuzz: parseResponseCode never throws and matches imaplib's Response_code", () => {
  const bracketed = fc.tuple(
    fc.constantFrom("[", "[A", "[UIDVALIDITY", "[X-A", "[a", "[]"),
    fc.uint8Array({ maxLength: 40 }).map(str),
    fc.constantFrom("", "]", " ]", "] x ]", "]]"),
  ).map(([a, b, c]) => raw(a + b + c));
  check(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), bracketed), (text) => {
    const code = parseResponseCode(text);
    const shown = code && { type: code.type, data: code.data && str(code.data) };
    assert.deepEqual(shown, referenceResponseCode(str(text)));
  }));
});

// --- Streamed literals ---------------------------------------------------------------------------

test("fuzz: fetchBodies() hands over every literal exactly, whatever the chunking, reads and skips", async () => {
  await checkAsync(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.constantFrom("read", "cancel", "skip"), { minLength: 1, maxLength: 5 }),
      async (literals, cuts, bufferBytes, byteStream, trickle, actions) => {
        // The response bytes: one FETCH response per literal, then the tagged OK.
        const pieces: Uint8Array[] = [];
        literals.forEach((literal, i) => {
          pieces.push(utf8.encode(`* ${i + 1} FETCH (BODY[] {${literal.length}}\r\n`), literal);
          pieces.push(utf8.encode(")\r\n"));
        });
        const wire = concat(pieces);
        const server = new ServerSide({ byteStream });
        const serving = serve(server, {
          handlers: {
            FETCH: async (s, c) => {
              // Cut where `cuts` says (cycled), all at once or one chunk per turn.
              for (let from = 0, i = 0; from < wire.length; i++) {
                const to = Math.min(wire.length, from + cuts[i % cuts.length]);
                s.send(wire.subarray(from, to));
                from = to;
                if (trickle) await sleep(0);
              }
              s.line(`${c.tag} OK done`);
            },
          },
        });
        const M = await IMAP4.fromTransport(server.transport);
        await M.login("u", "p");
        await M.select();
        // Each body is read, cancelled or left alone (the next one drops it), as `actions` says.
        const got: string[] = [];
        const want: string[] = [];
        let i = 0;
        for await (const part of M.fetchBodies("1:*")) {
          const action = actions[i % actions.length];
          if (action === "read") {
            got.push(str(await readAll(part.body, bufferBytes)));
            want.push(str(literals[i]));
          } else if (action === "cancel") await part.body.cancel();
          i++;
        }
        assert.equal(i, literals.length);
        assert.deepEqual(got, want);
        assert.equal((await M.noop())[0], "OK");
        await M.logout();
        await serving;
      },
    ),
    // Each run is a whole session: fewer in the suite, all of them in `deno task fuzz`.
    RUNS === DEFAULT_RUNS ? 100 : RUNS,
  );
});
