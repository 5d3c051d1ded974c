// Typed-layer parser throughput on a recorded Dovecot stream: parseFetch() on the data that
// `M.fetch("1:*", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")` returns for the harness's
// workload (b) (5,000 realistic messages of bench/lib/corpus.ts, recorded by the Deno floor).
// The recording is first turned into imaplib's data by the library's own public path
// (IMAP4.fromTransport() on an in-memory server replaying it, bench/lib/replay.ts); only
// parseFetch() over that data is timed. Messages per second = messages / (median wall time);
// also reported: the best run, and the process's CPU time per run (with the load average).
//
//   deno run -A bench/typed_recorded.ts STREAM [ITERATIONS]   # a recording (stream-b.bin)
//   deno run -A bench/typed_recorded.ts '<job JSON>'          # from bench/harness.ts, (e)
//
// The harness keeps its recordings when BENCH_RECORDINGS names a folder (bench/README.md).
// Prints one JSON line on stdout, a summary on stderr.

import process from "node:process";
import { IMAP4, parseFetch } from "../mod.ts";
import { readRecording, replayTransport } from "./lib/replay.ts";

const ITEMS = "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)";
/** The target of issue 10: ENVELOPE messages parsed per second. */
const TARGET_PER_SECOND = 200_000;

const arg = Deno.args[0];
if (!arg) throw new Error("usage: typed_recorded.ts STREAM [ITERATIONS] | '<job JSON>'");
const job: { client?: string; record: string; iterations?: number } = arg.startsWith("{")
  ? JSON.parse(arg)
  : { record: arg, iterations: Deno.args[1] ? Number(Deno.args[1]) : undefined };
const iterations = job.iterations ?? 30;

const recording = readRecording(job.record);

// imaplib's data for the recorded FETCH, through the library's public path.
const M = await IMAP4.fromTransport(replayTransport(recording));
await M.login("bench", "bench");
await M.select("A");
const [type, data] = await M.fetch("1:*", ITEMS);
await M.logout();
if (type !== "OK") throw new Error(`replayed FETCH: ${type}`);

// The first call (cold JIT) on its own, then checks, then warm runs.
let t0 = performance.now();
const first = parseFetch(data);
const coldSeconds = (performance.now() - t0) / 1000;
const messages = first.length;
if (messages !== recording.exists) {
  throw new Error(`parseFetch gave ${messages} messages, the recording has ${recording.exists}`);
}
const envelopes = first.filter((m) => m.envelope !== undefined).length;
const encodedNames =
  first.filter((m) => m.envelope?.from?.some((a) => a.name !== undefined && /[^ -~]/.test(a.name)))
    .length;
if (envelopes !== messages) throw new Error(`${messages - envelopes} messages lack an envelope`);

for (let i = 0; i < 3; i++) parseFetch(data); // warm-up
// Wall time per run, and the process's CPU time (user + system, all threads: V8's GC helpers
// too) over all runs: on a loaded machine the wall time counts other processes' turns as well.
const loadavg = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ")
  .slice(0, 3).join(" ");
const seconds: number[] = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < iterations; i++) {
  t0 = performance.now();
  parseFetch(data);
  seconds.push((performance.now() - t0) / 1000);
}
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6 / iterations;
const sorted = [...seconds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const perSecond = messages / median;

console.error(
  `[typed] parseFetch on the recorded (b) stream: ${messages} messages ` +
    `(${recording.stream.length} B on the wire, ${encodedNames} with a non-ASCII From name): ` +
    `median ${(median * 1000).toFixed(2)} ms of ${iterations}, ` +
    `min ${(sorted[0] * 1000).toFixed(2)} ms, first ${(coldSeconds * 1000).toFixed(2)} ms; ` +
    `CPU ${(cpuSeconds * 1000).toFixed(2)} ms per run (load ${loadavg}); ` +
    `${Math.round(perSecond).toLocaleString("en")} messages/s ` +
    `(target ${TARGET_PER_SECOND.toLocaleString("en")}: ${
      perSecond >= TARGET_PER_SECOND ? "met" : "NOT met"
    })`,
);
console.log(JSON.stringify({
  client: job.client ?? "typed-recorded",
  workload: "e",
  bytes: recording.stream.length,
  messages,
  encodedNames,
  coldSeconds,
  seconds,
  medianSeconds: median,
  messagesPerSecond: perSecond,
  minSeconds: sorted[0],
  cpuSecondsPerRun: cpuSeconds,
  messagesPerCpuSecond: messages / cpuSeconds,
  loadavg,
  targetPerSecond: TARGET_PER_SECOND,
}));
