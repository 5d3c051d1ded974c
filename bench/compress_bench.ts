// COMPRESS=DEFLATE (RFC 4978) on the harness's FETCH workloads (a) `FETCH 1:* (RFC822)` and (b)
// `FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`, on the harness's mailbox A (5,000 x
// ~20 KB, bench/lib/corpus.ts, same seed), with and without `compress(M)`: bytes on the wire
// (counted at the transport, below the client) and time (FETCH sent to tagged OK), over
// loopback TCP to a private Dovecot with imap_zlib. Deno only (Deno.connect). A floor beside
// it: the same FETCH on a raw socket, inflated with node:zlib and otherwise discarded (what
// Dovecot's deflate and the inflate alone cost, with no IMAP client).
//
//   deno run -A bench/compress_bench.ts        (as root: it starts the Dovecot fixture)
//
// Environment: ROUNDS (default 5) interleaved rounds (the order of off/on alternates),
// A_COUNT (default 5000) messages in A. Prints a Markdown table of the medians. The fixture is
// stopped on exit.

import zlib from "node:zlib";
import { compress, IMAP4, type Transport } from "../mod.ts";
import { startDovecot } from "../scripts/dovecot.ts";
import { mailboxA } from "./lib/corpus.ts";

const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 5);
const A_COUNT = Number(Deno.env.get("A_COUNT") ?? 5000);
const WORKLOADS = [
  { id: "a", items: "(RFC822)" },
  { id: "b", items: "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)" },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A TCP connection whose bytes are counted both ways.
async function countedTcp(hostname: string, port: number) {
  const conn = await Deno.connect({ hostname, port });
  const count = { read: 0, written: 0 };
  const readable = conn.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count.read += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count.written += chunk.length;
      controller.enqueue(chunk);
    },
  });
  tap.readable.pipeTo(conn.writable).catch(() => {});
  const transport: Transport = {
    readable,
    writable: tap.writable,
    close: () => {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
  return { transport, count };
}

// The floor: LOGIN, EXAMINE, COMPRESS (if on), FETCH on a raw socket; the response bytes are
// inflated (node:zlib) and scanned for the tagged OK only. Returns the FETCH's time and bytes.
async function floor(
  items: string,
  compressed: boolean,
): Promise<{ ms: number; readBytes: number }> {
  const conn = await Deno.connect({
    hostname: fixture.address,
    port: fixture.imapPort,
  });
  const reader = conn.readable.getReader();
  const latin1 = new TextDecoder("latin1");
  let tail = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(tail)) {
      tail = (tail + latin1.decode((await reader.read()).value!)).slice(-4096);
    }
    tail = "";
  };
  const send = (text: string) => conn.write(new TextEncoder().encode(text));
  try {
    await until(/\r\n/);
    await send(`a LOGIN ${user.user} ${user.password}\r\n`);
    await until(/a OK.*\r\n/);
    await send("b EXAMINE A\r\n");
    await until(/b OK.*\r\n/);
    let inflate: zlib.InflateRaw | null = null;
    let command = new TextEncoder().encode(`d FETCH 1:* ${items}\r\n`);
    if (compressed) {
      await send("c COMPRESS DEFLATE\r\n");
      await until(/c OK.*\r\n/);
      inflate = zlib.createInflateRaw();
      command = new Uint8Array(
        zlib.deflateRawSync(command, {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
        }),
      );
    }
    let done = false;
    inflate?.on("data", (c: Uint8Array) => {
      tail = (tail + latin1.decode(c)).slice(-4096);
      if (/\r\nd OK/.test(tail)) done = true;
    });
    const start = performance.now();
    await conn.write(command);
    let readBytes = 0;
    while (!done) {
      const { value } = await reader.read();
      readBytes += value!.length;
      if (inflate) {
        await new Promise<void>((resolve) => {
          inflate!.write(value!);
          inflate!.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
        });
      } else {
        tail = (tail + latin1.decode(value!)).slice(-4096);
        done = /\r\nd OK/.test(tail);
      }
    }
    return { ms: performance.now() - start, readBytes };
  } finally {
    conn.close();
  }
}

interface Sample {
  ms: number;
  readBytes: number;
  writtenBytes: number;
  messages: number;
}

const user = { user: "bench", password: "bench-pass" };
const fixture = await startDovecot({ users: [user] });
try {
  const seedStart = performance.now();
  const a = mailboxA(A_COUNT);
  await fixture.seed(user.user, "A", a);
  const seededBytes = a.reduce((n, m) => n + m.length, 0);
  console.error(
    `seeded A: ${a.length} messages, ${(seededBytes / 1e6).toFixed(1)} MB in ` +
      `${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );
  const samples: Record<string, Sample[]> = {};
  // One untimed pass per workload warms Dovecot's caches (index, cache file).
  for (let round = -1; round < ROUNDS; round++) {
    for (const w of WORKLOADS) {
      const modes = round % 2 === 0 ? [false, true] : [true, false];
      for (const compressed of modes) {
        const { transport, count } = await countedTcp(
          fixture.address,
          fixture.imapPort,
        );
        await using M = await IMAP4.fromTransport(transport, { timeout: 120 });
        await M.login(user.user, user.password);
        if (compressed) await compress(M);
        await M.select("A", true);
        const before = { ...count };
        const start = performance.now();
        const [type, data] = await M.fetch("1:*", w.items);
        const ms = performance.now() - start;
        if (type !== "OK") throw new Error(`FETCH answered ${type}`);
        const messages = data.filter((d) =>
          d !== null && !(d instanceof Uint8Array && d[0] === 0x29)
        )
          .length;
        const sample = {
          ms,
          readBytes: count.read - before.read,
          writtenBytes: count.written - before.written,
          messages,
        };
        const base = await floor(w.items, compressed);
        if (round < 0) {
          continue;
        }
        const mode = compressed ? "on" : "off";
        (samples[`${w.id}-imaplib-${mode}`] ??= []).push(sample);
        (samples[`${w.id}-floor-${mode}`] ??= []).push({
          ...base,
          writtenBytes: 0,
          messages,
        });
        console.error(
          `round ${round + 1} (${w.id}) compress ${mode}: ${ms.toFixed(0)} ms ` +
            `(floor ${
              base.ms.toFixed(0)
            } ms), ${sample.readBytes} bytes read, ${messages} messages`,
        );
      }
    }
  }
  const row = (cells: string[]) => console.log(`| ${cells.join(" | ")} |`);
  row([
    "workload",
    "client",
    "COMPRESS",
    `median of ${ROUNDS}`,
    "bytes read (FETCH)",
    "ratio",
    "bytes written",
    "runs (ms)",
  ]);
  row(["---", "---", "---", "---:", "---:", "---:", "---:", "---"]);
  for (const w of WORKLOADS) {
    const plainBytes = median(
      samples[`${w.id}-imaplib-off`].map((x) => x.readBytes),
    );
    for (const client of ["imaplib", "floor"]) {
      for (const mode of ["off", "on"]) {
        const s = samples[`${w.id}-${client}-${mode}`];
        const read = median(s.map((x) => x.readBytes));
        row([
          `(${w.id}) \`FETCH 1:* ${w.items}\``,
          client === "imaplib" ? "this library" : "raw socket floor",
          mode,
          `${median(s.map((x) => x.ms)).toFixed(0)} ms`,
          read.toLocaleString("en"),
          (read / plainBytes).toFixed(3),
          client === "imaplib" ? String(median(s.map((x) => x.writtenBytes))) : "",
          s.map((x) => x.ms.toFixed(0)).join(", "),
        ]);
      }
    }
  }
} finally {
  await fixture.stop();
}
