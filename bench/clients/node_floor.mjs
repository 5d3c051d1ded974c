// Benchmark floor on Node: LOGIN, SELECT and the FETCH over a raw node:net socket; the FETCH
// response chunks ('data' events) are discarded, looking only at the end of each chunk for the
// tagged line (the last bytes are carried across chunks). Prints one JSON line.
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { LiteralHandover } from "../lib/handover.mjs";

// A field of /proc/self/status in KiB (VmHWM: peak RSS; VmRSS: RSS now), or -1.
function statusKiB(field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
      readFileSync("/proc/self/status", "utf8"),
    );
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}
const quote = (s) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

const job = JSON.parse(process.argv[2]);
// job.tls: implicit TLS, verified against the fixture's CA (its certificate names the address).
const sock = job.tls
  ? tls.connect({
    host: job.host,
    port: job.port,
    ca: readFileSync(job.tls.caFile, "utf8"),
  })
  : net.connect({ host: job.host, port: job.port });
sock.setNoDelay(true);
await new Promise((resolve, reject) =>
  sock.once(job.tls ? "secureConnect" : "connect", resolve).once(
    "error",
    reject,
  )
);

// Small responses: collect text until the wanted line.
let onData = null;
let pending = "";
sock.on("data", (chunk) => onData(chunk));
sock.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
function readUntil(test) {
  return new Promise((resolve) => {
    const check = () => {
      const at = test(pending);
      if (at >= 0) {
        const out = pending.slice(0, at + 2);
        pending = pending.slice(at + 2);
        resolve(out);
        return true;
      }
      return false;
    };
    onData = (chunk) => {
      pending += chunk.toString("latin1");
      check();
    };
    check();
  });
}
async function command(tag, text) {
  sock.write(`${tag} ${text}\r\n`);
  const out = await readUntil((t) => {
    const start = t.startsWith(`${tag} `) ? 0 : t.indexOf(`\r\n${tag} `);
    return start < 0 ? -1 : t.indexOf("\r\n", start === 0 ? 0 : start + 2);
  });
  const before = out.lastIndexOf("\r\n", out.length - 3);
  const last = before < 0 ? out : out.slice(before + 2);
  if (!last.startsWith(`${tag} OK`)) throw new Error(`${tag}: ${last}`);
  return out;
}

await readUntil((t) => t.indexOf("\r\n"));
await command("R1", `LOGIN ${quote(job.user)} ${quote(job.password)}`);
const selected = await command("R2", `SELECT ${quote(job.mailbox)}`);
const exists = Number(/\* (\d+) EXISTS\r\n/.exec(selected)[1]);

const WINDOW = 1024;
const want = Buffer.from("F1 ");
let window = Buffer.alloc(0);
let wireBytes = 0;
let status = "";
// job.via "keep": the chunks (fresh buffers from the runtime) are kept rather than dropped, as
// a client holding the result must (the floor for a buffered FETCH).
const kept = [];
// job.via "handover": each literal copied into a fresh buffer and dropped (lib/handover.mjs);
// "handover-keep": and kept, each whole in a buffer of its own, as a buffered FETCH holds them.
const handover = job.via === "handover" || job.via === "handover-keep"
  ? new LiteralHandover(job.via === "handover-keep")
  : null;
// The same 5 ms interval timer as the library clients' (common.ts loopGapMeter): how late the
// runtime's own timers run while it only reads the socket.
const gaps = [];
let lastTick = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  gaps.push(now - lastTick);
  lastTick = now;
}, 5);
// RSS before the FETCH, as the library clients report it (the harness's "peak - idle RSS").
const idleRssKiB = statusKiB("VmRSS");
const t0 = performance.now();
await new Promise((resolve) => {
  onData = (chunk) => {
    wireBytes += chunk.length;
    if (job.via === "keep") kept.push(chunk);
    handover?.push(chunk);
    window = chunk.length >= WINDOW
      ? chunk.subarray(chunk.length - WINDOW)
      : Buffer.concat([window, chunk]).subarray(-WINDOW);
    const end = window.length;
    if (end < 2 || window[end - 2] !== 13 || window[end - 1] !== 10) return;
    const start = window.lastIndexOf("\r\n", end - 3);
    if (start < 0) return;
    if (window.subarray(start + 2, start + 2 + want.length).equals(want)) {
      status = window.subarray(start + 2 + want.length, end - 2).toString(
        "latin1",
      );
      resolve();
    }
  };
  sock.write(`F1 FETCH 1:* ${job.items}\r\n`);
});
const seconds = (performance.now() - t0) / 1000;
clearInterval(ticker);
gaps.push(performance.now() - lastTick);
gaps.sort((a, b) => a - b);
// As common.ts percentile(): the nearest-rank percentile.
const gapAt = (p) => Math.round(gaps[Math.max(1, Math.ceil((p / 100) * gaps.length)) - 1] * 10) / 10;
const loopGaps = { p50: gapAt(50), p99: gapAt(99), max: gapAt(100), ticks: gaps.length };
if (!status.startsWith("OK")) throw new Error(`FETCH: ${status}`);
if (handover && handover.literals !== exists) {
  throw new Error(`handover: ${handover.literals} literals, ${exists} messages`);
}
await command("R3", "LOGOUT");
sock.destroy();
console.log(JSON.stringify({
  client: job.client,
  workload: job.workload,
  exists,
  messages: -1,
  payloadBytes: -1,
  sizeSum: -1,
  wireBytes,
  seconds,
  gaps: loopGaps,
  idleRssKiB,
  vmHwmKiB: statusKiB("VmHWM"),
}));
