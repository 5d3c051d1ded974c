// Decoder throughput on synthetic streams shaped like the two FETCH workloads of bench/README.md:
// (a) 5,000 messages of ~20 KB as RFC822 literals, (b) 5,000 FLAGS/INTERNALDATE/SIZE/ENVELOPE
// lines. No network: the stream is built in memory and cut into 64 KiB chunks, as a socket
// delivers it. Run with `deno task bench`.

import { chunked, decodeAll } from "./lib/decode.ts";
import { FrameDecoderStream } from "../mod.ts";

const encoder = new TextEncoder();

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function wholeMessages(count: number, bodyBytes: number): Uint8Array {
  const body = encoder.encode("x".repeat(bodyBytes - 2) + "\r\n");
  const parts: Uint8Array[] = [];
  for (let n = 1; n <= count; n++) {
    parts.push(
      encoder.encode(`* ${n} FETCH (RFC822 {${body.length}}\r\n`),
      body,
      encoder.encode(")\r\n"),
    );
  }
  parts.push(encoder.encode("A1 OK Fetch completed.\r\n"));
  return join(parts);
}

function envelopes(count: number): Uint8Array {
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) {
    lines.push(
      `* ${n} FETCH (FLAGS (\\Seen) INTERNALDATE "01-Dec-2026 10:00:00 +0000" RFC822.SIZE 20480 ` +
        `ENVELOPE ("Tue, 01 Dec 2026 10:00:00 +0000" "Message number ${n}" (("Bob" NIL "bob" ` +
        `"example.org")) (("Bob" NIL "bob" "example.org")) (("Bob" NIL "bob" "example.org")) ` +
        `(("Alice" NIL "alice" "example.org")) NIL NIL NIL "<${n}@example.org>"))\r\n`,
    );
  }
  lines.push("A1 OK Fetch completed.\r\n");
  return encoder.encode(lines.join(""));
}

const streamA = chunked(wholeMessages(5000, 20_000));
const streamB = chunked(envelopes(5000));

Deno.bench("decoder (a): 5,000 x 20 KB RFC822 literals (100 MB)", {
  group: "a",
}, () => {
  decodeAll(streamA, false);
});
Deno.bench(
  "decoder+parser (a): 5,000 x 20 KB RFC822 literals",
  { group: "a" },
  () => {
    decodeAll(streamA, true);
  },
);
Deno.bench("decoder (b): 5,000 ENVELOPE lines", { group: "b" }, () => {
  decodeAll(streamB, false);
});
Deno.bench("decoder+parser (b): 5,000 ENVELOPE lines", { group: "b" }, () => {
  decodeAll(streamB, true);
});

// The same streams through FrameDecoderStream (pipeThrough, one promise per chunk and per
// frame): what the session would pay if it read through the TransformStream instead of driving
// FrameDecoder itself (README, Architecture).
async function decodeThroughStream(chunks: Uint8Array[]): Promise<number> {
  let frames = 0;
  const stream = ReadableStream.from(chunks).pipeThrough(
    new FrameDecoderStream(),
  );
  for await (const _ of stream) frames++;
  return frames;
}
Deno.bench("FrameDecoderStream (a): 5,000 x 20 KB RFC822 literals", {
  group: "a",
}, async () => {
  await decodeThroughStream(streamA);
});
Deno.bench(
  "FrameDecoderStream (b): 5,000 ENVELOPE lines",
  { group: "b" },
  async () => {
    await decodeThroughStream(streamB);
  },
);
