// Benchmark client: this library's typed layer on Deno (beyond imaplib): `fetchMessages()`
// yields each message as a typed `FetchMessage` as it arrives (envelope decoded, flags as a
// Set, dates as Date), with the same imapflow-style query object imapflow's client gets
// (`job.query`), so the two compare item for item.

import { fetchMessages } from "../../mod.ts";
import { openMailbox } from "./library.ts";
import { emitFetch, readJob, timedFetch } from "./common.ts";

const job = readJob();
const { M, exists } = await openMailbox(job);

// One FETCH through fetchMessages(): messages, source bytes, RFC822.SIZE sum.
async function pass() {
  let messages = 0, payloadBytes = 0, sizeSum = 0;
  for await (const msg of fetchMessages(M, "1:*", job.query ?? {})) {
    messages++;
    if (msg.source) payloadBytes += msg.source.length;
    if (typeof msg.size === "number") sizeSum += msg.size;
  }
  return { messages, payloadBytes, sizeSum };
}

const run = await timedFetch(job, pass, (handed) => handed);
await M.logout();
await emitFetch(job, exists, run, Boolean(job.query?.size));
