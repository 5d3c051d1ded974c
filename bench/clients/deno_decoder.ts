// Workload (e): the library's decoding path alone on byte streams recorded from Dovecot by the
// Deno floor (the exact response bytes of workloads (a) and (b), tagged line included), cut
// into 64 KiB chunks as a socket delivers them. No network. Three measurements per stream:
// - "decoder": FrameDecoder.push() (CRLF lines and {N} literals into frames);
// - "decoder+parser": the same plus parseFrame() on every frame;
// - "IMAP4.fetch (in-memory)": the whole public path, `IMAP4.fromTransport()` on an in-memory
//   transport that plays a scripted server (greeting, CAPABILITY, LOGIN, SELECT) and answers the
//   FETCH with the recorded bytes: session, untagged store, Web Streams, Result assembly; i.e.
//   the library's client-side cost of workload (a)/(b) without the socket and the server.
//
// Job: { client, workload, record: path, iterations }. Prints one JSON line with `modes`.

import { IMAP4, type Transport } from "../../mod.ts";
import { chunked, decodeAll } from "../lib/decode.ts";
import { readJob, vmHwmKiB } from "./common.ts";

const job = readJob() as ReturnType<typeof readJob> & { iterations?: number };
const stream = Deno.readFileSync(job.record!);
const encoder = new TextEncoder();

// The recorded stream without its tagged line (the replaying server writes its own tag).
const tagged = stream.lastIndexOf(0x0a, stream.length - 3) + 1;
const body = stream.subarray(0, tagged);
const exists = (() => {
  // The last `* N FETCH` gives the message count.
  const tail = new TextDecoder("latin1").decode(
    body.subarray(Math.max(0, body.length - 65536)),
  );
  const all = [...tail.matchAll(/\* (\d+) FETCH/g)];
  return all.length ? Number(all[all.length - 1][1]) : 0;
})();

const chunks = chunked(stream);

const decode = (parse: boolean): number => decodeAll(chunks, parse);

/** An in-memory IMAP server good for LOGIN, SELECT, one FETCH (the recording) and LOGOUT. */
function replayTransport(): Transport {
  const out: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const send = (...parts: (string | Uint8Array)[]) => {
    for (const p of parts) {
      out.push(typeof p === "string" ? encoder.encode(p) : p);
    }
    wake?.();
  };
  send("* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] replay ready\r\n");
  let pending = "";
  const onLine = (line: string) => {
    const [tag, name] = line.split(" ", 2);
    switch (name.toUpperCase()) {
      case "CAPABILITY":
        return send(
          "* CAPABILITY IMAP4rev1 LITERAL+ IDLE\r\n",
          `${tag} OK done\r\n`,
        );
      case "LOGIN":
        return send(
          `${tag} OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] Logged in\r\n`,
        );
      case "SELECT":
        return send(
          "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
          `* ${exists} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n`,
          `${tag} OK [READ-WRITE] Select completed.\r\n`,
        );
      case "FETCH":
        return send(...chunked(body), `${tag} OK Fetch completed.\r\n`);
      case "LOGOUT":
        send("* BYE Logging out\r\n", `${tag} OK Logout completed.\r\n`);
        closed = true;
        return;
      default:
        return send(`${tag} BAD unexpected\r\n`);
    }
  };
  return {
    readable: new ReadableStream<Uint8Array>({
      async pull(controller) {
        while (out.length === 0 && !closed) {
          await new Promise<void>((r) => wake = r);
        }
        if (out.length > 0) controller.enqueue(out.shift()!);
        else controller.close();
      },
    }, { highWaterMark: 0 }),
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        pending += new TextDecoder().decode(chunk);
        let at;
        while ((at = pending.indexOf("\r\n")) >= 0) {
          const line = pending.slice(0, at);
          pending = pending.slice(at + 2);
          onLine(line);
        }
      },
    }),
    close() {
      closed = true;
      wake?.();
    },
  };
}

async function viaLibrary(): Promise<number> {
  const M = await IMAP4.fromTransport(replayTransport());
  await M.login("bench", "bench");
  await M.select("A");
  const t0 = performance.now();
  const [type, data] = await M.fetch("1:*", "(RFC822)");
  const seconds = (performance.now() - t0) / 1000;
  if (type !== "OK" || data.length === 0) {
    throw new Error(`replayed FETCH: ${type}`);
  }
  await M.logout();
  return seconds;
}

const iterations = job.iterations ?? 10;
const modes: { mode: string; seconds: number[]; responses: number }[] = [];
for (
  const [mode, parse] of [["decoder", false], ["decoder+parser", true]] as const
) {
  decode(parse); // warm-up
  const seconds: number[] = [];
  let responses = 0;
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    responses = decode(parse);
    seconds.push((performance.now() - t0) / 1000);
  }
  modes.push({ mode, seconds, responses });
}
{
  // The first run (cold JIT, fresh memory) is reported on its own, then the warm runs.
  const cold = await viaLibrary();
  const seconds: number[] = [];
  for (let i = 0; i < iterations; i++) seconds.push(await viaLibrary());
  modes.push({
    mode: "IMAP4.fetch (in-memory), first run",
    seconds: [cold],
    responses: modes[0].responses,
  });
  modes.push({
    mode: "IMAP4.fetch (in-memory)",
    seconds,
    responses: modes[0].responses,
  });
}
console.log(JSON.stringify({
  client: job.client,
  workload: job.workload,
  bytes: stream.length,
  exists,
  modes,
  vmHwmKiB: await vmHwmKiB(),
}));
