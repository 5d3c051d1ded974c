// Benchmark client of workload (h): many idle connections in one process, Deno or Bun (the same
// file; public API only).
//
// job.connections connections, spread round-robin over job.accounts; connection i logs in as
// accounts[i % n], SELECTs its own mailbox `H<i>` (created beforehand by an appender connection of
// that account) and IDLEs. RSS (after a GC) before the first and after the last is in IDLE: their
// difference over N is the memory per idle connection. Then one appender connection per account
// APPENDs one small message to each mailbox (all accounts in parallel, one after another within
// an account); a sample is the time from that APPEND's tagged OK to the idler of that mailbox
// yielding EXISTS. Prints one JSON line (ClientResult plus the fields of IdleManyResult).

import { IMAP4 } from "../../mod.ts";
import { emit, readJob } from "./common.ts";

interface IdleManyJob {
  host: string;
  port: number;
  client: string;
  workload: string;
  connections: number;
  accounts: { user: string; password: string }[];
  /** Connections opened at once while connecting. */
  concurrency?: number;
}

const job = readJob() as unknown as IdleManyJob;
const N = job.connections;
const accounts = job.accounts;
const deno = (globalThis as { Deno?: typeof Deno }).Deno;
const bunGlobal = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;

function gc(): void {
  if (bunGlobal) bunGlobal.gc(true);
  else (globalThis as { gc?: () => void }).gc?.();
}
function memory(): { rss: number; heapUsed: number; external: number } {
  const m = deno ? deno.memoryUsage() : (globalThis as unknown as {
    process: {
      memoryUsage(): { rss: number; heapUsed: number; external: number };
    };
  }).process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}
async function settled(): Promise<
  { rss: number; heapUsed: number; external: number }
> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  return memory();
}

const message = (i: number) =>
  `From: h@example.org\r\nTo: h@example.org\r\nSubject: h ${i}\r\n` +
  `Message-ID: <h-${i}-${Date.now()}@example.org>\r\n\r\nIDLE wake-up ${i}\r\n`;

// One appender per account; it also creates the mailboxes (left over from an earlier run: fine).
const appenders = await Promise.all(accounts.map(async ({ user, password }) => {
  const A = await IMAP4.connect(job.host, job.port);
  await A.login(user, password);
  return A;
}));
for (let i = 0; i < N; i++) {
  const A = appenders[i % accounts.length];
  await A.create(`H${i}`); // NO when it exists already: ignored
}

const before = await settled();
const connectMs: number[] = new Array(N);
const idlers: { M: IMAP4; idler: Awaited<ReturnType<IMAP4["idle"]>> }[] = new Array(N);
const concurrency = job.concurrency ?? 20;
// Connected in two halves, with RSS taken after each: the second half's growth over its count is
// what a further idle connection costs once the process's one-time costs (code compiled on first
// use, heap and allocator growth) are paid, which RSS growth over N spreads over all N.
const half = Math.floor(N / 2);
let connectAllSeconds = 0;
let next = 0;
const connectUntil = async (end: number) => {
  const t = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, end - next) }, () => connectSome(end)),
  );
  connectAllSeconds += (performance.now() - t) / 1000;
};
const connectSome = async (end: number) => {
  while (next < end) {
    const i = next++;
    const t0 = performance.now();
    const { user, password } = accounts[i % accounts.length];
    const M = await IMAP4.connect(job.host, job.port);
    await M.login(user, password);
    await M.select(`H${i}`);
    const idler = await M.idle();
    connectMs[i] = performance.now() - t0;
    idlers[i] = { M, idler };
  }
};
await connectUntil(half);
const middle = await settled();
await connectUntil(N);
const after = await settled();

// Every idler waits for its EXISTS.
const seenAt: Promise<number>[] = idlers.map(({ idler }) =>
  (async () => {
    for (;;) {
      const r = await idler.next();
      if (r === null) throw new Error("IDLE ended");
      if (r[0] === "EXISTS") return performance.now();
    }
  })()
);
const okAt: number[] = new Array(N);
await Promise.all(appenders.map(async (A, k) => {
  for (let i = k; i < N; i += accounts.length) {
    const [type] = await A.append(`H${i}`, null, null, message(i));
    if (type !== "OK") throw new Error(`APPEND H${i}: ${type}`);
    okAt[i] = performance.now();
  }
}));
const seen = await Promise.all(seenAt);
const latencyMs = seen.map((t, i) => Math.round((t - okAt[i]) * 10) / 10);

for (const { M, idler } of idlers) {
  await idler[Symbol.asyncDispose]();
  await M.logout();
}
for (const A of appenders) await A.logout();

await emit(
  {
    client: job.client,
    workload: job.workload,
    exists: N,
    messages: N,
    payloadBytes: -1,
    sizeSum: -1,
    wireBytes: -1,
    seconds: connectAllSeconds,
    samplesMs: latencyMs,
    connections: N,
    rssBeforeKiB: Math.round(before.rss / 1024),
    rssAfterKiB: Math.round(after.rss / 1024),
    rssHalfKiB: Math.round(middle.rss / 1024),
    half,
    heapUsedGrowthKiB: Math.round((after.heapUsed - before.heapUsed) / 1024),
    externalGrowthKiB: Math.round((after.external - before.external) / 1024),
    connectMs: connectMs.map((x) => Math.round(x * 10) / 10),
  } as unknown as Parameters<typeof emit>[0],
);
