// Benchmark floor on Deno: the same commands as the clients (LOGIN, SELECT, the FETCH) over a
// raw Deno.connect socket, discarding the FETCH response bytes. The only work per chunk is to
// look at its end for the tagged line `\r\n<tag> OK` (carrying the last bytes across chunk
// boundaries, since the line may be split between two reads). Nothing is parsed or kept.
//
// mode "fetch": times sending FETCH until the tagged OK; with job.record, also writes the
//   response bytes to that file (used by the decoder workload (e); the timing is then not used).
// mode "idle": sends IDLE and per sample waits for `* N EXISTS` after an APPEND by the shared
//   Appender (common.ts), as the library client does.

import { Appender, emit, loopGapMeter, RawImap, readJob, statusKiB } from "./common.ts";
// The Deno transport's own byte stream over conn.read() (job.via "byob").
import { readableOf } from "../../src/transport/deno.ts";
import { LiteralHandover } from "../lib/handover.mjs";

const job = readJob();
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

const raw = await RawImap.connect(job.host, job.port, job.tls);
await raw.login(job.user, job.password);
const exists = await raw.select(job.mailbox);

/** Detects the end of the response tagged `tag`, looking only at the end of each chunk. */
class TaggedEnd {
  static readonly WINDOW = 1024;
  readonly #want: Uint8Array;
  #window = new Uint8Array(TaggedEnd.WINDOW);
  #filled = 0;
  status = "";

  constructor(tag: string) {
    this.#want = encoder.encode(`${tag} `);
  }

  /** Feeds a chunk; true when it ends the tagged response. */
  push(chunk: Uint8Array): boolean {
    // Keep the last WINDOW bytes of the stream (the tagged line is far shorter).
    const W = TaggedEnd.WINDOW;
    if (chunk.length >= W) {
      this.#window.set(chunk.subarray(chunk.length - W));
      this.#filled = W;
    } else {
      const keep = Math.min(this.#filled, W - chunk.length);
      this.#window.copyWithin(0, this.#filled - keep, this.#filled);
      this.#window.set(chunk, keep);
      this.#filled = keep + chunk.length;
    }
    const w = this.#window, end = this.#filled;
    if (end < 2 || w[end - 2] !== 13 || w[end - 1] !== 10) return false;
    // Start of the last line: after the previous CRLF.
    let start = end - 2;
    while (start >= 2 && !(w[start - 2] === 13 && w[start - 1] === 10)) start--;
    if (start < 2) return false;
    const want = this.#want;
    if (end - start < want.length + 2) return false;
    for (let i = 0; i < want.length; i++) {
      if (w[start + i] !== want[i]) return false;
    }
    this.status = latin1.decode(w.subarray(start + want.length, end - 2));
    return true;
  }
}

if (job.mode === "fetch") {
  const tag = "F1";
  const buf = new Uint8Array(256 * 1024);
  const file = job.record
    ? Deno.openSync(job.record, { write: true, create: true, truncate: true })
    : null;
  // job.via "readable": read through conn.readable (a ReadableStream, one new chunk per read,
  // as the library's Deno transport does) instead of conn.read() into one reused buffer.
  const reader = job.via === "readable" ? raw.conn.readable.getReader() : null;
  // job.via "byob": conn.read() through a BYOB byte stream, as the library's Deno transport
  // reads, into one reused 256 KiB buffer (transferred to the stream and back on each read).
  const byob = job.via === "byob" ? readableOf(raw.conn).getReader({ mode: "byob" }) : null;
  let byobBuf: Uint8Array<ArrayBuffer> = new Uint8Array(256 * 1024);
  // job.via "keep": every byte copied once into memory that is kept (fresh memory, as a
  // buffered client's results are), in 8 MiB slabs.
  const kept: Uint8Array[] = [];
  let slab = new Uint8Array(0), slabUsed = 0;
  const keep = (chunk: Uint8Array) => {
    for (let at = 0; at < chunk.length;) {
      if (slabUsed === slab.length) {
        slab = new Uint8Array(8 * 1024 * 1024);
        slabUsed = 0;
        kept.push(slab);
      }
      const n = Math.min(chunk.length - at, slab.length - slabUsed);
      slab.set(chunk.subarray(at, at + n), slabUsed);
      slabUsed += n;
      at += n;
    }
  };
  // job.via "handover": each literal copied into a fresh buffer of its own and dropped, as any
  // API that hands each message's bytes to its caller must (bench/lib/handover.mjs).
  const handover = job.via === "handover" ? new LiteralHandover() : null;
  // One FETCH with `tag`: the bytes until its tagged line, read, counted and dropped (or kept,
  // or recorded); the tagged status.
  const fetchOnce = async (tag: string) => {
    const detector = new TaggedEnd(tag);
    let wireBytes = 0, reads = 0;
    await raw.write(`${tag} FETCH 1:* ${job.items}\r\n`);
    for (;;) {
      let chunk: Uint8Array;
      if (reader) {
        const { value, done } = await reader.read();
        if (done) throw new Error("connection closed during FETCH");
        chunk = value;
      } else if (byob) {
        const { value, done } = await byob.read(byobBuf);
        if (done || !value) throw new Error("connection closed during FETCH");
        chunk = value;
        byobBuf = new Uint8Array(value.buffer);
      } else {
        const n = await raw.conn.read(buf);
        if (n === null) throw new Error("connection closed during FETCH");
        chunk = buf.subarray(0, n);
      }
      wireBytes += chunk.length;
      reads++;
      if (job.via === "keep") keep(chunk);
      handover?.push(chunk);
      if (file) {
        for (let at = 0; at < chunk.length;) {
          at += file.writeSync(chunk.subarray(at));
        }
      }
      if (detector.push(chunk)) break;
    }
    if (!detector.status.startsWith("OK")) {
      throw new Error(`FETCH: ${detector.status}`);
    }
    return { wireBytes, reads };
  };
  const idleRssKiB = await statusKiB("VmRSS");
  // The library clients' 5 ms timer: how late Deno's own timers run while the socket is read.
  const meter = loopGapMeter();
  const t0 = performance.now();
  const { wireBytes, reads } = await fetchOnce(tag);
  const seconds = (performance.now() - t0) / 1000;
  const gaps = meter.stop();
  file?.close();
  if (handover && handover.literals !== exists) {
    throw new Error(`handover: ${handover.literals} literals, ${exists} messages`);
  }
  // Warm passes (job.warmRepeats): the same FETCH again, reading as the first did.
  const warmSeconds: number[] = [];
  for (let i = 0; i < (job.warmRepeats ?? 0) && !file; i++) {
    kept.length = 0;
    const t = performance.now();
    const again = await fetchOnce(`W${i + 1}`);
    warmSeconds.push((performance.now() - t) / 1000);
    if (again.wireBytes <= 0) throw new Error(`warm pass ${i + 1}: no bytes`);
  }
  if (reader || byob) {
    reader?.releaseLock();
    byob?.releaseLock();
    raw.close();
  } else await raw.logout();
  await emit({
    client: job.client,
    workload: job.workload,
    exists,
    messages: -1,
    payloadBytes: -1,
    sizeSum: -1,
    wireBytes,
    reads,
    seconds,
    idleRssKiB,
    gaps,
    warmSeconds,
  });
} else {
  const appender = await Appender.open(job);
  await raw.write("I1 IDLE\r\n");
  await raw.readUntil((t) => t.startsWith("+") ? t.indexOf("\r\n") : -1);
  const existsLine = /\* \d+ EXISTS\r\n/;
  // Lines read but not looked at yet.
  let lines: string[] = [];
  let partial = "";
  const waitExists = async (): Promise<number> => {
    for (;;) {
      while (lines.length > 0) {
        if (existsLine.test(lines.shift()!)) return performance.now();
      }
      const n = await raw.conn.read(raw.buf);
      if (n === null) throw new Error("connection closed during IDLE");
      const text = partial + latin1.decode(raw.buf.subarray(0, n));
      const cut = text.lastIndexOf("\r\n") + 2;
      lines = text.slice(0, cut).split(/(?<=\r\n)/);
      partial = text.slice(cut);
    }
  };
  const samplesMs: number[] = [];
  for (let i = 0; i < (job.samples ?? 50); i++) {
    const seen = waitExists();
    const okAt = await appender.append();
    samplesMs.push((await seen) - okAt);
  }
  await raw.write("DONE\r\n");
  await raw.response("I1");
  await appender.cleanUp();
  await raw.logout();
  await emit({
    client: job.client,
    workload: job.workload,
    exists,
    messages: samplesMs.length,
    payloadBytes: -1,
    sizeSum: -1,
    wireBytes: -1,
    seconds: samplesMs.reduce((a, b) => a + b, 0) / 1000,
    samplesMs,
  });
}
