// transferDecoder(): base64 and quoted-printable (RFC 2045 section 6) undone as a stream. Known
// answers for the rules and the tolerances, and fast-check properties: any bytes, encoded in
// any valid way (the test's own simple encoders choose escapes, soft line breaks, padding and
// hex case at random) and cut into chunks anywhere, decode back to themselves.
//
//   FUZZ_RUNS=5000 FUZZ_SEED=random deno test -A tests/typed/transfer_encoding_test.ts

import assert from "node:assert/strict";
import { transferDecoder } from "../../mod.ts";
import { denoOnly, test } from "../_harness.ts";
import { fuzzSeed, RUNS } from "./_fuzz.ts";

// Deno only: fast-check comes through an `npm:` specifier, which Bun's test runner lacks; the
// known answers run on both.
const fc = denoOnly.ignore ? null : (await import("npm:fast-check@4.11.0")).default;

const SEED = fuzzSeed(20261206);

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const show = (b: Uint8Array) => new TextDecoder("latin1").decode(b);

// `encoded` cut at `cuts` (offsets, any order), pushed through the decoder of `encoding`.
async function decode(encoding: string, encoded: Uint8Array, cuts: number[] = []) {
  const at = [...new Set(cuts.map((c) => c % (encoded.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, encoded.length]) {
    pieces.push(encoded.slice(from, to));
    from = to;
  }
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const decoded = source.pipeThrough(transferDecoder(encoding)!);
  return new Uint8Array(await new Response(decoded).arrayBuffer());
}

test("transferDecoder: which encodings it undoes", () => {
  for (const e of ["base64", "BASE64", " Base64 ", "quoted-printable", "Quoted-Printable"]) {
    assert.ok(transferDecoder(e) instanceof TransformStream, e);
  }
  for (const e of ["7bit", "8bit", "binary", "x-uuencode", ""]) {
    assert.equal(transferDecoder(e), null, e);
  }
});

test("transferDecoder: base64 known answers", async () => {
  const cases: [string, string][] = [
    ["SGVsbG8sIHdvcmxkIQ==", "Hello, world!"],
    ["SGVs\r\nbG8s\r\nIHdvcmxkIQ==\r\n", "Hello, world!"], // line breaks ignored
    ["SG Vs\tbG8*s IHdv!cmxk", "Hello, world"], // junk outside the alphabet ignored
    ["SGVsbG8=IHdvcmxk", "Hello"], // `=` ends the data
    ["SGVsbG8", "Hello"], // no padding
    ["SGVsbG8sI", "Hello,"], // a truncated last group: its bits dropped
    ["", ""],
    ["AAECA/7/", "\x00\x01\x02\x03\xfe\xff"],
  ];
  for (const [encoded, plain] of cases) {
    assert.equal(show(await decode("base64", latin1(encoded))), plain, encoded);
    assert.equal(show(await decode("base64", latin1(encoded), [1, 2, 3, 5, 8])), plain, encoded);
  }
});

test("transferDecoder: quoted-printable known answers", async () => {
  const cases: [string, string][] = [
    ["Gr=FC=DFe", "Gr\xfc\xdfe"],
    ["gr=fc=df", "gr\xfc\xdf"], // lower-case hex accepted
    ["soft =\r\nbreak", "soft break"],
    ["soft =  \t\r\nbreak", "soft break"], // padding after the `=`
    ["bare =\nLF", "bare LF"],
    ["padded   \r\nline\t \r\n", "padded\r\nline\r\n"], // rule 3: trailing spaces go
    ["inner  spaces stay", "inner  spaces stay"],
    ["end padding  ", "end padding"],
    ["a = b", "a = b"], // `=` then text: kept
    ["=3D=3d", "=="],
    ["bad =XY and =4", "bad =XY and =4"], // not hex: kept literally
    ["ends with =", "ends with "], // a soft break at the very end
    ["ends with =4", "ends with =4"],
    ["=\r", ""],
    ["=\rx", "x"], // a soft break ended by a bare CR
    ["a\r\nb\nc\r", "a\r\nb\nc\r"], // line breaks kept as sent
    ["", ""],
  ];
  for (const [encoded, plain] of cases) {
    assert.equal(show(await decode("quoted-printable", latin1(encoded))), plain, encoded);
    for (let cut = 0; cut <= encoded.length; cut++) {
      assert.equal(
        show(await decode("quoted-printable", latin1(encoded), [cut, cut + 1])),
        plain,
        `${JSON.stringify(encoded)} cut at ${cut}`,
      );
    }
  }
});

// Padding is held back until the line's end shows it is padding; a run longer than a line
// (998 bytes, RFC 5322) cannot be, so it is text and the decoder holds no more than that.
test("transferDecoder: a run of spaces longer than a line is text", async () => {
  const spaces = " ".repeat(5000);
  const encoded = latin1(`a${spaces}b${spaces}\r\n=${spaces}c`);
  assert.equal(
    show(await decode("quoted-printable", encoded, [100, 999, 1000, 4000])),
    `a${spaces}b${spaces}\r\n=${spaces}c`,
  );
});

const cuts = () => fc!.array(fc!.nat(), { maxLength: 8 });

test("property: base64 of any bytes, wrapped and spaced anyhow, decodes back", async () => {
  await fc!.assert(
    fc!.asyncProperty(
      fc!.uint8Array({ maxLength: 400 }),
      fc!.integer({ min: 1, max: 120 }),
      fc!.constantFrom("\r\n", "\n", " ", "\t\r\n"),
      fc!.boolean(),
      cuts(),
      async (bytes, width, lineEnd, padded, at) => {
        // The Web platform's encoder (Uint8Array.prototype.toBase64, or btoa), wrapped at any width.
        const native = (bytes as { toBase64?: () => string }).toBase64?.() ??
          btoa(String.fromCharCode(...bytes));
        const text = padded ? native : native.replace(/=+$/, "");
        const lines = text.match(new RegExp(`.{1,${width}}`, "g")) ?? [];
        const encoded = latin1(lines.join(lineEnd) + lineEnd);
        assert.deepEqual(await decode("base64", encoded, at), bytes);
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
}, denoOnly);

// One byte in quoted-printable: escaped (in either hex case) or, for printable ASCII other than
// `=`, also as itself. Spaces and tabs as themselves are followed by a non-space here, so that
// no line ends in one (rule 3 would drop it).
const qpByte = (b: number, escape: boolean, lower: boolean): string => {
  const literal = b >= 0x21 && b <= 0x7e && b !== 0x3d;
  if (literal && !escape) return String.fromCharCode(b);
  const hex = b.toString(16).padStart(2, "0");
  return `=${lower ? hex : hex.toUpperCase()}`;
};

test(
  "property: quoted-printable of any bytes, escaped and soft-broken anyhow, decodes back",
  async () => {
    await fc!.assert(
      fc!.asyncProperty(
        fc!.array(
          fc!.record({
            byte: fc!.nat(255),
            escape: fc!.boolean(),
            lower: fc!.boolean(),
            // After this byte: nothing, a soft line break (with padding), or a hard line break
            // (the bytes CR LF themselves, with padding before it that the decoder must drop).
            after: fc!.constantFrom("", "", "", "soft", "hard"),
            padding: fc!.constantFrom("", " ", "\t ", "   "),
            space: fc!.boolean(), // a literal space before the byte (text, not padding)
          }),
          { maxLength: 200 },
        ),
        fc!.constantFrom("\r\n", "\n"),
        cuts(),
        async (items, lineEnd, at) => {
          let encoded = "";
          const plain: number[] = [];
          for (const { byte, escape, lower, after, padding, space } of items) {
            if (space) {
              encoded += " ";
              plain.push(0x20);
            }
            encoded += qpByte(byte, escape, lower);
            plain.push(byte);
            if (after === "soft") encoded += `=${padding}${lineEnd}`;
            if (after === "hard") {
              encoded += `${padding}\r\n`;
              plain.push(0x0d, 0x0a);
            }
          }
          assert.deepEqual(
            await decode("quoted-printable", latin1(encoded), at),
            Uint8Array.from(plain),
          );
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  },
  denoOnly,
);

test("property: random bytes never break either decoder", async () => {
  await fc!.assert(
    fc!.asyncProperty(
      fc!.uint8Array({ maxLength: 300 }),
      fc!.constantFrom("base64", "quoted-printable"),
      cuts(),
      async (bytes, encoding, at) => {
        const whole = await decode(encoding, bytes);
        // Output never grows past the input (plus an escape cut short at the end), and where
        // the input is cut does not change it.
        assert.ok(whole.length <= bytes.length + 2);
        assert.deepEqual(await decode(encoding, bytes, at), whole);
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
}, denoOnly);
