// Benchmark client: this library on Deno, through its public imaplib surface only.
//
// mode "fetch": IMAP4.connect, login, select, then the timed `fetch("1:*", items)` (imaplib's
//   buffered FETCH: the whole result is held until the tagged OK), then counting, logout.
// mode "idle": select, `idle()`, and per sample: a second connection (common.ts Appender)
//   APPENDs; the sample is the time from the APPEND's tagged OK to the idler yielding EXISTS.

import { openMailbox } from "./library.ts";
import { Appender, emit, emitFetch, readJob, sizeInBytes, timedFetch } from "./common.ts";

const job = readJob();

const { M, exists } = await openMailbox(job);

if (job.mode === "fetch") {
  const wantSize = job.items.includes("RFC822.SIZE");
  // Messages, payload bytes and the RFC822.SIZE sum in imaplib's data.
  const count = (data: Awaited<ReturnType<typeof M.fetch>>[1]) => {
    let messages = 0, payloadBytes = 0, sizeSum = 0;
    for (const item of data) {
      if (Array.isArray(item)) {
        messages++;
        payloadBytes += item[1].length;
        if (wantSize) sizeSum += sizeInBytes(item[0]);
      } else if (
        item instanceof Uint8Array && !(item.length === 1 && item[0] === 0x29)
      ) {
        messages++;
        if (wantSize) sizeSum += sizeInBytes(item);
      }
    }
    return { messages, payloadBytes, sizeSum };
  };
  const run = await timedFetch(job, async () => {
    const [type, data] = await M.fetch("1:*", job.items);
    if (type !== "OK") throw new Error(`FETCH: ${type}`);
    return data;
  }, count);
  await M.logout();
  await emitFetch(job, exists, run, wantSize);
} else {
  const appender = await Appender.open(job);
  const samplesMs: number[] = [];
  {
    await using idler = await M.idle();
    for (let i = 0; i < (job.samples ?? 50); i++) {
      const seen = (async () => {
        for (;;) {
          const r = await idler.next();
          if (r === null) throw new Error("IDLE ended");
          if (r[0] === "EXISTS") return performance.now();
        }
      })();
      const okAt = await appender.append();
      samplesMs.push((await seen) - okAt);
    }
  }
  await appender.cleanUp();
  await M.logout();
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
