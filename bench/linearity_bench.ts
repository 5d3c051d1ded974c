// Decoding stays linear in the number of responses: a stream of 100,000 small FETCH responses,
// each with a literal, against 10,000 of the same shape, both cut into 64 KiB chunks as a socket
// delivers them, with and without parseFrame. Ten times the responses should take about ten
// times as long; the target is a ratio of at most 12x (anything quadratic, such as rescanning or
// re-concatenating what is buffered, shows up as 100x).
//
//   deno run bench/linearity_bench.ts      # a table: medians of 15 interleaved rounds after 3
//                                          # warm-up rounds, and the ratios
//   deno bench bench/linearity_bench.ts    # the four cases as Deno.bench groups, the 10,000
//                                          # case as baseline (deno task bench runs these; their
//                                          # averages are noisier than the script's medians)
//
// No network: the streams are built in memory.

import { decodeAll } from "./lib/decode.ts";

const encoder = new TextEncoder();
const CHUNK_BYTES = 65_536;
const SMALL = 10_000;
const LARGE = 100_000;
const TARGET_RATIO = 12;
const WARMUP_ROUNDS = 3;
const TIMED_ROUNDS = 15;

// One response: a header line announcing a 32-byte literal, the literal, a trailing line.
const LITERAL = encoder.encode("Subject: linearity benchmark\r\n\r\n");

/** `count` FETCH responses and the tagged completion, cut into 64 KiB chunks. */
function stream(count: number): { chunks: Uint8Array[]; bytes: number } {
  const parts: Uint8Array[] = [];
  for (let n = 1; n <= count; n++) {
    parts.push(
      encoder.encode(
        `* ${n} FETCH (UID ${n} BODY[HEADER.FIELDS (SUBJECT)] {${LITERAL.length}}\r\n`,
      ),
      LITERAL,
      encoder.encode(")\r\n"),
    );
  }
  parts.push(encoder.encode("A1 OK Fetch completed.\r\n"));
  const all = new Uint8Array(parts.reduce((total, p) => total + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const chunks = [];
  for (let from = 0; from < all.length; from += CHUNK_BYTES) {
    chunks.push(all.slice(from, from + CHUNK_BYTES));
  }
  return { chunks, bytes: all.length };
}

const streams: Record<number, { chunks: Uint8Array[]; bytes: number }> = {
  [SMALL]: stream(SMALL),
  [LARGE]: stream(LARGE),
};

for (const parse of [false, true]) {
  const group = parse ? "linearity: decoder + parser" : "linearity: decoder";
  for (const count of [SMALL, LARGE]) {
    Deno.bench(
      `${group}: ${count.toLocaleString("en")} FETCH responses with a literal`,
      {
        group,
        baseline: count === SMALL,
      },
      () => {
        decodeAll(streams[count].chunks, parse);
      },
    );
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Milliseconds per run of each (count, parse) case, keyed `count/parse`. Rounds interleave the
 * cases, so that drift in the machine's load hits all of them alike.
 */
function measure(): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (let round = 0; round < WARMUP_ROUNDS + TIMED_ROUNDS; round++) {
    for (const parse of [false, true]) {
      for (const count of [SMALL, LARGE]) {
        const t0 = performance.now();
        const frames = decodeAll(streams[count].chunks, parse);
        const ms = performance.now() - t0;
        if (frames !== count + 1) {
          throw new Error(`decoded ${frames} frames, not ${count + 1}`);
        }
        if (round < WARMUP_ROUNDS) continue;
        const key = `${count}/${parse}`;
        times.set(key, [...(times.get(key) ?? []), ms]);
      }
    }
  }
  return times;
}

if (import.meta.main) {
  const times = measure();
  const ms = (count: number, parse: boolean) => median(times.get(`${count}/${parse}`)!);
  const min = (count: number, parse: boolean) => Math.min(...times.get(`${count}/${parse}`)!);
  const cell = (count: number, parse: boolean) => {
    const perResponse = (ms(count, parse) * 1e6 / count).toFixed(0);
    return `${ms(count, parse).toFixed(1)} ms (${perResponse} ns/response)`;
  };
  console.log(
    `Deno ${Deno.version.deno} (V8 ${Deno.version.v8}); median of ${TIMED_ROUNDS} interleaved ` +
      `rounds after ${WARMUP_ROUNDS} warm-up rounds; 64 KiB chunks\n`,
  );
  console.log("| responses | stream | decoder | decoder + parser |");
  console.log("| --------: | -----: | ------: | ---------------: |");
  for (const count of [SMALL, LARGE]) {
    const mb = (streams[count].bytes / 1e6).toFixed(2);
    console.log(
      `| ${count.toLocaleString("en")} | ${mb} MB | ${cell(count, false)} | ${cell(count, true)} |`,
    );
  }
  const bytesRatio = streams[LARGE].bytes / streams[SMALL].bytes;
  console.log(
    `\nratio ${LARGE.toLocaleString("en")} / ${SMALL.toLocaleString("en")} responses ` +
      `(stream bytes ${bytesRatio.toFixed(2)}x), target <= ${TARGET_RATIO}x:`,
  );
  for (const parse of [false, true]) {
    const ratio = ms(LARGE, parse) / ms(SMALL, parse);
    // Informative only: a lucky 10,000 round can miss the allocator's slow paths entirely.
    const fastest = (min(LARGE, parse) / min(SMALL, parse)).toFixed(2);
    const verdict = ratio <= TARGET_RATIO ? "ok" : "OVER TARGET";
    const name = parse ? "decoder + parser" : "decoder";
    console.log(
      `  ${name}: ${ratio.toFixed(2)}x ${verdict} (fastest rounds: ${fastest}x)`,
    );
  }
}
