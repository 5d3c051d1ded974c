// Benchmark floor on Bun's own socket API (`Bun.connect`), to compare with node:net under Bun
// (node_floor.mjs run by Bun): which transport the library should use there. LOGIN, SELECT and
// the FETCH; the FETCH's chunks are discarded, looking only at their ends for the tagged line.
// Prints one JSON line, like the other clients.

import { readFileSync } from "node:fs";

declare const Bun: {
  connect(options: {
    hostname: string;
    port: number;
    socket: {
      data(socket: unknown, chunk: Uint8Array): void;
      error?(socket: unknown, error: Error): void;
    };
  }): Promise<
    { write(data: string): number; end(): void; setNoDelay?(on: boolean): void }
  >;
};
declare const process: { argv: string[]; exit(code: number): never };

const job = JSON.parse(process.argv[2]);
const quote = (s: string) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
const latin1 = new TextDecoder("latin1");

let onData: (chunk: Uint8Array) => void = () => {};
const socket = await Bun.connect({
  hostname: job.host,
  port: job.port,
  socket: {
    data: (_s, chunk) => onData(chunk),
    error: (_s, error) => {
      console.error(error);
      process.exit(1);
    },
  },
});

let pending = "";
function readUntil(test: (text: string) => number): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const at = test(pending);
      if (at < 0) return;
      const out = pending.slice(0, at + 2);
      pending = pending.slice(at + 2);
      resolve(out);
    };
    onData = (chunk) => {
      pending += latin1.decode(chunk);
      check();
    };
    check();
  });
}
async function command(tag: string, text: string): Promise<string> {
  socket.write(`${tag} ${text}\r\n`);
  const out = await readUntil((t) => {
    const start = t.startsWith(`${tag} `) ? 0 : t.indexOf(`\r\n${tag} `);
    return start < 0 ? -1 : t.indexOf("\r\n", start === 0 ? 0 : start + 2);
  });
  const before = out.lastIndexOf("\r\n", out.length - 3);
  const last = before < 0 ? out : out.slice(before + 2);
  if (!last.startsWith(`${tag} OK`)) {
    throw new Error(`${tag}: ${last.slice(0, 200)}`);
  }
  return out;
}

await readUntil((t) => t.indexOf("\r\n"));
await command("R1", `LOGIN ${quote(job.user)} ${quote(job.password)}`);
const selected = await command("R2", `SELECT ${quote(job.mailbox)}`);
const exists = Number(/\* (\d+) EXISTS\r\n/.exec(selected)![1]);

let wireBytes = 0;
let tail = "";
const t0 = performance.now();
await new Promise<void>((resolve) => {
  onData = (chunk) => {
    wireBytes += chunk.length;
    tail = (tail + latin1.decode(chunk.subarray(Math.max(0, chunk.length - 1024))))
      .slice(-1024);
    if (tail.endsWith("\r\n") && /(^|\r\n)F1 OK[^\r\n]*\r\n$/.test(tail)) {
      resolve();
    }
  };
  socket.write(`F1 FETCH 1:* ${job.items}\r\n`);
});
const seconds = (performance.now() - t0) / 1000;
pending = "";
await command("R3", "LOGOUT").catch(() => {});
socket.end();
let vmHwmKiB = -1;
try {
  vmHwmKiB = Number(
    /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1],
  );
} catch {
  // not Linux
}
console.log(JSON.stringify({
  client: job.client,
  workload: job.workload,
  exists,
  messages: -1,
  payloadBytes: -1,
  sizeSum: -1,
  wireBytes,
  seconds,
  vmHwmKiB,
}));
