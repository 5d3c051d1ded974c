// LITERAL+ (RFC 7888) on APPEND: 1,000 small messages appended to a private Dovecot one after
// the other, with non-synchronizing literals (`{N+}`, the default where LITERAL+ is advertised)
// and without (`literalPlus: false`: each literal waits for the server's `+`, as imaplib does).
// Each APPEND then costs one round trip instead of two. Run on loopback, and through a transport
// that delays every chunk from the server by RTT_MS (a simulated network round trip).
//
//   deno run -A bench/literal_plus.ts        (as root: it starts the Dovecot fixture)
//
// Environment: ROUNDS (default 5) interleaved rounds, MESSAGES (default 1000) per round,
// RTT_MS (default "0,10": comma-separated simulated round trips; 0 is plain loopback).
// Prints a Markdown table of the medians and their ratio. The fixture is stopped on exit.

import { IMAP4, type Transport } from "../mod.ts";
import { startDovecot } from "../scripts/dovecot.ts";

const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 5);
const MESSAGES = Number(Deno.env.get("MESSAGES") ?? 1000);
const RTTS = (Deno.env.get("RTT_MS") ?? "0,10").split(",").map(Number);

function message(i: number): string {
  return `From: bench@example.org\r\nTo: alice@example.org\r\nSubject: message ${i}\r\n` +
    `Message-ID: <${i}.${crypto.randomUUID()}@example.org>\r\n\r\nHello ${i}.\r\n`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A TCP connection whose incoming chunks are each handed over `ms` after they arrived.
async function delayedTransport(
  hostname: string,
  port: number,
  ms: number,
): Promise<Transport> {
  const conn = await Deno.connect({ hostname, port });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
  });
  // After the client cancelled its side, late chunks are dropped.
  const later = (fn: () => void) =>
    setTimeout(() => {
      try {
        fn();
      } catch {
        // cancelled
      }
    }, ms);
  (async () => {
    try {
      for await (const chunk of conn.readable) {
        later(() => controller.enqueue(chunk));
      }
      later(() => controller.close());
    } catch (error) {
      later(() => controller.error(error));
    }
  })();
  return {
    readable,
    writable: conn.writable,
    close: () => {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}

const fixture = await startDovecot();
try {
  const { user, password } = fixture.users[0];
  for (const rtt of RTTS) {
    const times: Record<"on" | "off", number[]> = { on: [], off: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order: ("on" | "off")[] = round % 2 === 0 ? ["on", "off"] : ["off", "on"];
      for (const mode of order) {
        const options = { timeout: 60, literalPlus: mode === "on" };
        await using M = rtt > 0
          ? await IMAP4.fromTransport(
            await delayedTransport(fixture.address, fixture.imapPort, rtt),
            options,
          )
          : await IMAP4.connect(fixture.address, fixture.imapPort, options);
        await M.login(user, password);
        const box = `Bench-${rtt}-${mode}-${round}`;
        await M.create(box);
        const start = performance.now();
        for (let i = 0; i < MESSAGES; i++) {
          const [type] = await M.append(box, null, null, message(i));
          if (type !== "OK") throw new Error(`APPEND ${i} failed`);
        }
        times[mode].push(performance.now() - start);
        await M.delete(box);
        console.error(
          `rtt ${rtt} ms, round ${round + 1}, ${mode}: ${times[mode].at(-1)!.toFixed(0)} ms`,
        );
      }
    }
    const on = median(times.on);
    const off = median(times.off);
    console.log(
      `\nSimulated round trip: ${rtt ? `${rtt} ms` : "none (loopback)"}\n`,
    );
    console.log(`| literals | median of ${ROUNDS} | per APPEND | runs (ms) |`);
    console.log(`| --- | ---: | ---: | --- |`);
    for (
      const [name, mode, value] of [
        ["`{N}` (literalPlus: false)", "off", off],
        ["`{N+}` (LITERAL+)", "on", on],
      ] as const
    ) {
      console.log(
        `| ${name} | ${value.toFixed(0)} ms | ${(value / MESSAGES).toFixed(2)} ms | ${
          times[mode].map((t) => t.toFixed(0)).join(", ")
        } |`,
      );
    }
    console.log(`\nRatio without / with LITERAL+: ${(off / on).toFixed(2)}x`);
  }
} finally {
  await fixture.stop();
}
