// Benchmark client: this library's fetchBodies() on Deno (beyond imaplib), for large messages:
// one `FETCH 1:* (BODY.PEEK[])`, each message's body read as it arrives with a BYOB reader
// into one reused 256 KiB buffer and dropped, as a program saving or scanning big messages
// would. Memory stays near the idle RSS whatever the message sizes.

import { openMailbox } from "./library.ts";
import { emitFetch, readJob, timedFetch } from "./common.ts";

const job = readJob();

const { M, exists } = await openMailbox(job);
const part = /BODY\.PEEK\[[^\]]*\]/.exec(job.items)?.[0];
if (!part) {
  throw new Error(`fetchBodies client: no BODY.PEEK[...] in ${job.items}`);
}

let buffer = new Uint8Array(256 * 1024);
// One FETCH through fetchBodies(): messages and payload bytes.
async function pass() {
  let messages = 0, payloadBytes = 0;
  for await (const body of M.fetchBodies("1:*", part!)) {
    const reader = body.body.getReader({ mode: "byob" });
    for (;;) {
      const { value, done } = await reader.read(buffer);
      // The read hands the buffer back in `value` (transferred), filled or empty.
      buffer = new Uint8Array(value!.buffer);
      if (done) break;
      payloadBytes += value.length;
    }
    messages++;
  }
  return { messages, payloadBytes, sizeSum: -1 };
}

const run = await timedFetch(job, pass, (handed) => handed);
await M.logout();
await emitFetch(job, exists, run, false);
