// Benchmark client: this library's typed layer on Deno (beyond imaplib): `fetchMessages()`
// yields each message as a typed `FetchMessage` as it arrives (envelope decoded, flags as a
// Set, dates as Date), with the same imapflow-style query object imapflow's client gets
// (`job.query`), so the two compare item for item.

import { fetchMessages } from "../../mod.ts";
import { openMailbox } from "./library.ts";
import { benchMarkFetchEnd, benchMarkFetchStart, emit, readJob, statusKiB } from "./common.ts";

const job = readJob();
const { M, exists } = await openMailbox(job);

if (job.profileMarks) benchMarkFetchStart();
const idleRssKiB = await statusKiB("VmRSS");
const t0 = performance.now();
let messages = 0, payloadBytes = 0, sizeSum = 0;
for await (const msg of fetchMessages(M, "1:*", job.query ?? {})) {
  messages++;
  if (msg.source) payloadBytes += msg.source.length;
  if (typeof msg.size === "number") sizeSum += msg.size;
}
const seconds = (performance.now() - t0) / 1000;
if (job.profileMarks) benchMarkFetchEnd();
await M.logout();
await emit({
  client: job.client,
  workload: job.workload,
  exists,
  messages,
  payloadBytes: payloadBytes || -1,
  sizeSum: job.query?.size ? sizeSum : -1,
  wireBytes: -1,
  seconds,
  idleRssKiB,
});
