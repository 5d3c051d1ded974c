// Benchmark client: this library's streaming FETCH on Deno (beyond imaplib): `fetchIter()`
// hands over each FETCH response as it arrives, so memory is bounded by one response; the
// client counts and drops them, as a program that processes messages one by one would.

import { openMailbox } from "./library.ts";
import { emitFetch, readJob, sizeInBytes, timedFetch } from "./common.ts";

const job = readJob();

const { M, exists } = await openMailbox(job);

const wantSize = job.items.includes("RFC822.SIZE");
// One FETCH through fetchIter(): messages, payload bytes, RFC822.SIZE sum.
async function pass() {
  let messages = 0, payloadBytes = 0, sizeSum = 0;
  for await (const [type, data] of M.fetchIter("1:*", job.items)) {
    if (type !== "FETCH") continue;
    messages++;
    const first = data[0];
    if (Array.isArray(first)) {
      payloadBytes += first[1].length;
      if (wantSize) sizeSum += sizeInBytes(first[0]);
    } else if (wantSize) {
      sizeSum += sizeInBytes(first);
    }
  }
  return { messages, payloadBytes, sizeSum };
}

const run = await timedFetch(job, pass, (handed) => handed);
await M.logout();
await emitFetch(job, exists, run, wantSize);
