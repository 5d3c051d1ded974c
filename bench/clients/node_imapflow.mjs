// Benchmark client: imapflow (pinned in bench/package.json) on Node.
//
// connect (plain TCP, LOGIN command, no STARTTLS, no COMPRESS, no ENABLE, no auto-IDLE, so it
// sends the same commands as the other clients plus its own UID item), mailboxOpen, then the
// timed `for await (const msg of client.fetch("1:*", query))`, counting as it iterates, logout.
// Prints one JSON line (see bench/clients/common.ts, ClientResult).
import { readFileSync } from "node:fs";
import { ImapFlow } from "imapflow";

function vmHwmKiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(
      readFileSync("/proc/self/status", "utf8"),
    );
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

const job = JSON.parse(process.argv[2]);
const client = new ImapFlow({
  host: job.host,
  port: job.port,
  // job.tls: implicit TLS, verified against the fixture's CA.
  secure: Boolean(job.tls),
  ...(job.tls ? { tls: { ca: [readFileSync(job.tls.caFile, "utf8")] } } : {}),
  doSTARTTLS: false,
  auth: { user: job.user, pass: job.password, loginMethod: "LOGIN" },
  logger: false,
  disableCompression: true,
  disableAutoEnable: true,
  disableAutoIdle: true,
});
await client.connect();
const mailbox = await client.mailboxOpen(job.mailbox);
const exists = mailbox.exists;
// One FETCH: messages, source bytes, RFC822.SIZE sum.
async function pass() {
  let messages = 0, payloadBytes = 0, sizeSum = 0;
  for await (const msg of client.fetch("1:*", job.query)) {
    messages++;
    if (msg.source) payloadBytes += msg.source.length;
    if (typeof msg.size === "number") sizeSum += msg.size;
  }
  return { messages, payloadBytes, sizeSum };
}
const t0 = performance.now();
const { messages, payloadBytes, sizeSum } = await pass();
const seconds = (performance.now() - t0) / 1000;
// job.warmRepeats more on the same connection (bench/clients/common.ts, warmPasses).
const warmSeconds = [];
for (let i = 0; i < (job.warmRepeats ?? 0); i++) {
  const t = performance.now();
  const n = (await pass()).messages;
  warmSeconds.push((performance.now() - t) / 1000);
  if (n !== messages) throw new Error(`warm pass ${i + 1}: ${n} messages, not ${messages}`);
}
await client.logout();
console.log(JSON.stringify({
  client: job.client,
  workload: job.workload,
  exists,
  messages,
  payloadBytes: payloadBytes || -1,
  sizeSum: job.query.size ? sizeSum : -1,
  wireBytes: -1,
  seconds,
  warmSeconds,
  vmHwmKiB: vmHwmKiB(),
}));
