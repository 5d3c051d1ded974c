// APPEND's message preparation (src/client/message.ts): whatever the part size, the bytes equal
// imaplib's `MapCRLF.sub(CRLF, message)` of the message's UTF-8, and a large message lets the
// loop turn between parts. The turns' timing is bench/RESULTS.md's (timer gaps), not here.

import assert from "node:assert/strict";
import { messageBytes } from "../src/client/message.ts";
import { denoOnly, test } from "./_harness.ts";
import { fuzzSeed, RUNS } from "./typed/_fuzz.ts";
import { countingTurn } from "./_turns.ts";

// Deno only: fast-check comes through an `npm:` specifier, which Bun's test runner lacks; the
// known answers below run on both.
const fc = denoOnly.ignore ? null : (await import("npm:fast-check@4.11.0")).default;
const SEED = fuzzSeed(0xa99e4d);
const encoder = new TextEncoder();

// imaplib's MapCRLF on text, then UTF-8: the reference.
function expected(message: string | Uint8Array, mapCrlf: boolean): Uint8Array {
  if (typeof message === "string") {
    return encoder.encode(mapCrlf ? message.replace(/\r\n|\r|\n/g, "\r\n") : message);
  }
  if (!mapCrlf) return message;
  const out: number[] = [];
  for (let i = 0; i < message.length; i++) {
    const b = message[i];
    if (b === 0x0d || b === 0x0a) {
      out.push(0x0d, 0x0a);
      if (b === 0x0d && message[i + 1] === 0x0a) i++;
    } else out.push(b);
  }
  return new Uint8Array(out);
}

// Text rich in what the parts must not cut: CRLF, bare CR and LF, surrogate pairs, lone halves.
const text = () =>
  fc!.array(
    fc!.constantFrom("a", "Z", "é", "€", "😀", "\r", "\n", "\r\n", "\uD83D", "\uDE00", " "),
    { maxLength: 120 },
  ).map((units) => units.join(""));
// Bytes, CR and LF frequent among them.
const bytes = () =>
  fc!.array(
    fc!.oneof(fc!.integer({ min: 0, max: 255 }), fc!.constantFrom(0x0d, 0x0a)),
    { maxLength: 200 },
  ).map((values) => Uint8Array.from(values));

test(
  "property: messageBytes() of text equals MapCRLF of its UTF-8, for any part size",
  async () => {
    await fc!.assert(
      fc!.asyncProperty(
        text(),
        fc!.integer({ min: 1, max: 9 }),
        fc!.boolean(),
        async (t, size, map) => {
          const got = await messageBytes(t, map, countingTurn().turn, size);
          assert.deepEqual(got, expected(t, map));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  },
  denoOnly,
);

test("property: messageBytes() of bytes equals MapCRLF, for any part size", async () => {
  await fc!.assert(
    fc!.asyncProperty(
      fc!.oneof(bytes(), text().map((t) => encoder.encode(t))),
      fc!.integer({ min: 1, max: 9 }),
      fc!.boolean(),
      fc!.integer({ min: 0, max: 7 }),
      async (b, size, map, offset) => {
        // At any offset in its buffer: the scan reads four bytes at a time where aligned.
        const buffer = new Uint8Array(offset + b.length + 3).fill(0x0a);
        buffer.set(b, offset);
        const got = await messageBytes(
          buffer.subarray(offset, offset + b.length),
          map,
          countingTurn().turn,
          size,
        );
        assert.deepEqual(got, expected(b, map));
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
}, denoOnly);

test("messageBytes: bytes with CRLF line ends are sent as given, not copied", async () => {
  const crlf = encoder.encode("Subject: x\r\n\r\nbody\r\n");
  assert.equal(await messageBytes(crlf, true, countingTurn().turn), crlf);
  // Without mapping (a BINARY literal8) nothing is changed either.
  const bare = encoder.encode("Subject: x\n\nbody\r");
  assert.equal(await messageBytes(bare, false, countingTurn().turn), bare);
});

test("messageBytes: a long run of lone high surrogates is one part, encoded whole", async () => {
  // A part never ends after a high surrogate, so such a run cannot be cut: its part grows.
  const odd = `a${"\uD83D".repeat(50)}b\r\n`;
  assert.deepEqual(await messageBytes(odd, true, countingTurn().turn, 4), expected(odd, true));
  assert.deepEqual(await messageBytes(odd, false, countingTurn().turn, 4), expected(odd, false));
});

test("messageBytes: a message of megabytes is prepared between turns of the loop", async () => {
  const line = "Zürich 😀 ".repeat(7) + "\n";
  const big = `Subject: big\n\n${line.repeat(40_000)}`; // ~3.6 MB as UTF-8, LF line ends
  const { turn, turns } = countingTurn();
  const got = await messageBytes(big, true, turn);
  assert.deepEqual(got, expected(big, true));
  assert.ok(turns() >= 50, `${turns()} turns`);
  const asBytes = encoder.encode(big);
  const { turn: turn2, turns: turns2 } = countingTurn();
  assert.deepEqual(await messageBytes(asBytes, true, turn2), expected(big, true));
  assert.ok(turns2() >= 50, `${turns2()} turns`);
});
