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

import { IMAP4 } from "../../mod.ts";
import { chunked, decodeAll } from "../lib/decode.ts";
import { readRecording, replayTransport } from "../lib/replay.ts";
import { readJob, vmHwmKiB } from "./common.ts";

const job = readJob() as ReturnType<typeof readJob> & { iterations?: number };
const recording = readRecording(job.record!);
const { stream, exists } = recording;

const chunks = chunked(stream);

const decode = (parse: boolean): number => decodeAll(chunks, parse);

async function viaLibrary(): Promise<number> {
  const M = await IMAP4.fromTransport(replayTransport(recording));
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
