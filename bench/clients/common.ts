// Shared by the Deno benchmark clients: the job they are given, the result line they print, and
// a minimal raw IMAP connection (used by the Deno floor and by the IDLE workload's appender).
//
// Protocol with bench/harness.ts: the client gets one JSON argument (a Job), does the work, and
// prints exactly one JSON line (a ClientResult) on stdout. Anything else goes to stderr.

/** What bench/harness.ts asks a client to do. */
export interface Job {
  client: string;
  workload: string;
  mode: "fetch" | "idle";
  host: string;
  port: number;
  user: string;
  password: string;
  mailbox: string;
  /** The FETCH items, e.g. "(RFC822)". */
  items: string;
  /** imapflow's fetch query for the same items, e.g. {"source": true}. */
  query?: Record<string, boolean>;
  /** IDLE samples to take (mode "idle"). */
  samples?: number;
  /** Floors only: save the FETCH response bytes (from the first byte to the tagged OK) here. */
  record?: string;
  /**
   * Floors: "readable" (Deno) reads through conn.readable instead of conn.read(); "keep" holds
   * every byte it reads (Deno: copied once into memory it keeps; Node/Bun: the runtime's fresh
   * chunks kept), as any client that returns the bytes must (the floor for a buffered FETCH);
   * "handover" copies each literal into a fresh buffer and drops it, "handover-keep" (Node/Bun)
   * keeps those buffers (bench/lib/handover.mjs).
   */
  via?: "read" | "readable" | "byob" | "keep" | "handover" | "handover-keep";
  /**
   * After the timed FETCH, this many more of the same FETCH on the same connection, each timed
   * (`warmSeconds`): the figures of a long-running process whose code the JIT has optimized.
   */
  warmRepeats?: number;
  /** Library client under --cpu-prof: mark the FETCH window with named spins. */
  profileMarks?: boolean;
  /**
   * Implicit TLS (IMAPS) to `port`, verified against the CA in `caFile` (the fixture's; its
   * certificate names 127.0.0.1). Unset: plain TCP.
   */
  tls?: { caFile: string };
}

/** The one JSON line a client prints. */
export interface ClientResult {
  client: string;
  workload: string;
  /** EXISTS from SELECT: the number of messages 1:* covers. */
  exists: number;
  /** FETCH responses the client handed to its caller (floors: -1, they do not parse). */
  messages: number;
  /** Sum of the message literals received (RFC822 / BODY[] workloads), or -1. */
  payloadBytes: number;
  /** Sum of the RFC822.SIZE values received, or -1. */
  sizeSum: number;
  /** Bytes read from the socket for the FETCH (floors), or -1. */
  wireBytes: number;
  /** Socket reads that delivered the FETCH response (Deno floor), for the average chunk size. */
  reads?: number;
  /** Seconds from sending FETCH to the tagged OK, measured inside the client. */
  seconds: number;
  /** IDLE latencies in ms (mode "idle"). */
  samplesMs?: number[];
  /** VmHWM of the client process itself, KiB, read just before printing. */
  vmHwmKiB: number;
  /** VmRSS just before the FETCH was sent, KiB (the idle RSS, for peak minus idle). */
  idleRssKiB?: number;
  /** Library clients and the Node/Bun floor: gaps of a 5 ms interval timer in the same process during the FETCH. */
  gaps?: LoopGaps;
  /** Seconds of each FETCH after the first (job.warmRepeats), in order. */
  warmSeconds?: number[];
}

// The library clients also run on Bun (the same files): Deno's or Node's API, whichever is here.
const deno = (globalThis as { Deno?: typeof Deno }).Deno;
const nodeProcess = (globalThis as unknown as { process?: { argv: string[] } }).process;

export function readJob(): Job {
  const raw = deno ? deno.args[0] : nodeProcess?.argv[2];
  if (!raw) throw new Error("usage: <client> '<job JSON>'");
  return JSON.parse(raw) as Job;
}

/** A field of /proc/self/status in KiB (VmHWM, VmRSS), or -1. */
export async function statusKiB(field: "VmHWM" | "VmRSS"): Promise<number> {
  try {
    const status = deno
      ? deno.readTextFileSync("/proc/self/status")
      : (await import("node:fs")).readFileSync("/proc/self/status", "utf8");
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

/** The PEM of `job.tls.caFile` (Deno or Node API, whichever is here). */
export async function caPem(job: Job): Promise<string> {
  if (!job.tls) throw new Error("caPem: the job has no tls");
  return deno
    ? deno.readTextFileSync(job.tls.caFile)
    : (await import("node:fs")).readFileSync(job.tls.caFile, "utf8");
}

export function vmHwmKiB(): Promise<number> {
  return statusKiB("VmHWM");
}

/** What a library client's FETCH handed over to its caller. */
export interface Handed {
  messages: number;
  /** Sum of the message literals (or sources) handed over. */
  payloadBytes: number;
  /** Sum of the RFC822.SIZE values handed over. */
  sizeSum: number;
}

/** A timed FETCH: what it handed over, its time, the idle RSS and gaps, the warm repeats. */
export type TimedFetch = Handed & {
  seconds: number;
  idleRssKiB: number;
  gaps: LoopGaps;
  warmSeconds: number[];
};

/**
 * Times `fetch` (one whole FETCH, sending to tagged OK) between the job's profile marks, with
 * the idle RSS before it and a 5 ms timer's gaps during it; `count` reads its result after the
 * timed window. Then runs it job.warmRepeats more times (`warmSeconds`), checking that each hands
 * over as many messages.
 */
export async function timedFetch<T>(
  job: Job,
  fetch: () => Promise<T>,
  count: (result: T) => Handed,
): Promise<TimedFetch> {
  if (job.profileMarks) benchMarkFetchStart();
  const idleRssKiB = await statusKiB("VmRSS");
  const meter = loopGapMeter();
  const t0 = performance.now();
  let result: T | null = await fetch();
  const seconds = (performance.now() - t0) / 1000;
  const gaps = meter.stop();
  if (job.profileMarks) benchMarkFetchEnd();
  const handed = count(result);
  result = null; // the warm passes do not keep the first one's data alive
  const warmSeconds: number[] = [];
  for (let i = 0; i < (job.warmRepeats ?? 0); i++) {
    // Timed as the first pass is: the FETCH alone, not the counting after it (for (b), decoding
    // each message's RFC822.SIZE took 10-20 ms of a 62-80 ms warm pass).
    const t = performance.now();
    const again = await fetch();
    warmSeconds.push((performance.now() - t) / 1000);
    const n = count(again).messages;
    if (n !== handed.messages) {
      throw new Error(`warm pass ${i + 1}: ${n} messages, not ${handed.messages}`);
    }
  }
  return { ...handed, seconds, idleRssKiB, gaps, warmSeconds };
}

/** Prints a library client's result line for a timed FETCH (sizeSum only if it was asked). */
export function emitFetch(
  job: Job,
  exists: number,
  run: TimedFetch,
  sizeAsked: boolean,
): Promise<void> {
  return emit({
    client: job.client,
    workload: job.workload,
    exists,
    messages: run.messages,
    payloadBytes: run.payloadBytes || -1,
    sizeSum: sizeAsked ? run.sizeSum : -1,
    wireBytes: -1,
    seconds: run.seconds,
    idleRssKiB: run.idleRssKiB,
    gaps: run.gaps,
    warmSeconds: run.warmSeconds,
  });
}

export async function emit(
  result: Omit<ClientResult, "vmHwmKiB">,
): Promise<void> {
  console.log(JSON.stringify({ ...result, vmHwmKiB: await vmHwmKiB() }));
}

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

const SIZE_KEY = encoder.encode("RFC822.SIZE ");

/**
 * The RFC822.SIZE in a FETCH response's bytes (0 if none), read with no string or other
 * allocation: counting a FETCH's result must not leave garbage for the collector to meet in the
 * next timed pass.
 */
export function sizeInBytes(bytes: Uint8Array): number {
  for (let at = bytes.indexOf(SIZE_KEY[0]); at >= 0; at = bytes.indexOf(SIZE_KEY[0], at + 1)) {
    let k = 1;
    while (k < SIZE_KEY.length && bytes[at + k] === SIZE_KEY[k]) k++;
    if (k < SIZE_KEY.length) continue;
    let n = 0;
    for (let i = at + k; bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) n = n * 10 + bytes[i] - 0x30;
    return n;
  }
  return 0;
}

/**
 * A minimal IMAP connection over Deno.connect for fixed commands: it writes a command and reads
 * until that command's tagged line, returning everything received as latin1 text. For small
 * responses only (the FETCH floor reads on its own, see deno_floor.ts).
 */
export class RawImap {
  readonly conn: Deno.Conn;
  readonly buf = new Uint8Array(256 * 1024);
  #pending = "";
  #tag = 0;

  private constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  static async connect(
    host: string,
    port: number,
    tls?: Job["tls"],
  ): Promise<RawImap> {
    const conn = tls
      ? await Deno.connectTls({
        hostname: host,
        port,
        caCerts: [Deno.readTextFileSync(tls.caFile)],
      })
      : await Deno.connect({ hostname: host, port });
    const raw = new RawImap(conn);
    await raw.readUntil((text) => text.indexOf("\r\n"));
    return raw;
  }

  nextTag(prefix = "R"): string {
    return `${prefix}${++this.#tag}`;
  }

  async write(text: string | Uint8Array): Promise<void> {
    const bytes = typeof text === "string" ? encoder.encode(text) : text;
    for (let at = 0; at < bytes.length;) {
      at += await this.conn.write(bytes.subarray(at));
    }
  }

  /**
   * Reads until `end(text)` returns the index of the CRLF ending what is wanted; returns the text
   * up to and including it and keeps the rest for the next call.
   */
  async readUntil(end: (text: string) => number): Promise<string> {
    for (;;) {
      const at = end(this.#pending);
      if (at >= 0) {
        const out = this.#pending.slice(0, at + 2);
        this.#pending = this.#pending.slice(at + 2);
        return out;
      }
      const n = await this.conn.read(this.buf);
      if (n === null) {
        throw new Error(
          `connection closed; received: ${this.#pending.slice(-300)}`,
        );
      }
      this.#pending += latin1.decode(this.buf.subarray(0, n));
    }
  }

  /** Sends `tag command` and returns the whole response; throws unless the status is OK. */
  async command(
    command: string | Uint8Array,
    tag = this.nextTag(),
  ): Promise<string> {
    const head = typeof command === "string" ? encoder.encode(`${tag} ${command}\r\n`) : command;
    await this.write(head);
    return await this.response(tag);
  }

  async response(tag: string): Promise<string> {
    const text = await this.readUntil((t) => taggedEnd(t, tag));
    const before = text.lastIndexOf("\r\n", text.length - 3);
    const last = before < 0 ? text : text.slice(before + 2);
    if (!last.startsWith(`${tag} OK`)) {
      throw new Error(`${tag} failed: ${last.trim()}`);
    }
    return text;
  }

  /** LOGIN with quoted arguments. */
  login(user: string, password: string): Promise<string> {
    return this.command(`LOGIN ${quote(user)} ${quote(password)}`);
  }

  /** SELECT; returns EXISTS. */
  async select(mailbox: string): Promise<number> {
    const text = await this.command(`SELECT ${quote(mailbox)}`);
    const m = /\* (\d+) EXISTS\r\n/.exec(text);
    if (!m) throw new Error(`no EXISTS in SELECT response: ${text}`);
    return Number(m[1]);
  }

  /**
   * APPENDs `message` with a non-synchronizing literal (LITERAL+) in one write; resolves at
   * the tagged OK with its performance.now() time and the APPENDUID uid.
   */
  async append(
    mailbox: string,
    message: Uint8Array,
  ): Promise<{ okAt: number; uid: number }> {
    const tag = this.nextTag("P");
    const head = encoder.encode(
      `${tag} APPEND ${quote(mailbox)} (\\Seen) {${message.length}+}\r\n`,
    );
    const all = new Uint8Array(head.length + message.length + 2);
    all.set(head);
    all.set(message, head.length);
    all.set([13, 10], head.length + message.length);
    await this.write(all);
    const text = await this.response(tag);
    const okAt = performance.now();
    const m = /\[APPENDUID \d+ (\d+)\]/.exec(text);
    return { okAt, uid: m ? Number(m[1]) : -1 };
  }

  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } catch {
      // BYE then OK, or the server closed first: either is fine here.
    }
    this.close();
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }
}

/** Index of the CRLF ending the line tagged `tag` in `text`, or -1. */
function taggedEnd(text: string, tag: string): number {
  const start = text.startsWith(`${tag} `) ? 0 : text.indexOf(`\r\n${tag} `);
  if (start < 0) return -1;
  return text.indexOf("\r\n", start === 0 ? 0 : start + 2);
}

/** An IMAP quoted string. */
export function quote(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** The small message the IDLE workload appends (the same bytes every time). */
export function idleMessage(n: number): Uint8Array {
  return encoder.encode(
    [
      "From: Idle Bench <idle@example.org>",
      "To: Bench <bench@example.org>",
      `Subject: IDLE probe ${n}`,
      "Date: Tue, 01 Dec 2026 10:00:00 +0000",
      `Message-ID: <idle-probe-${n}@example.org>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "A small message appended by bench/harness.ts to time IDLE notifications.",
      "",
    ].join("\r\n"),
  );
}

/**
 * The appending side of the IDLE workload, shared by every idling client so they are timed the
 * same way: a raw connection of its own that APPENDs, then removes what it appended.
 */
export class Appender {
  readonly #raw: RawImap;
  readonly #mailbox: string;
  readonly uids: number[] = [];
  #n = 0;

  private constructor(raw: RawImap, mailbox: string) {
    this.#raw = raw;
    this.#mailbox = mailbox;
  }

  static async open(job: Job): Promise<Appender> {
    const raw = await RawImap.connect(job.host, job.port);
    await raw.login(job.user, job.password);
    return new Appender(raw, job.mailbox);
  }

  /** Appends one message; resolves at its tagged OK with performance.now(). */
  async append(): Promise<number> {
    const { okAt, uid } = await this.#raw.append(
      this.#mailbox,
      idleMessage(++this.#n),
    );
    if (uid < 0) throw new Error("APPEND gave no APPENDUID");
    this.uids.push(uid);
    return okAt;
  }

  /** Expunges every message this appender added (by UID, nothing else), then logs out. */
  async cleanUp(): Promise<void> {
    if (this.uids.length > 0) {
      await this.#raw.select(this.#mailbox);
      const set = this.uids.join(",");
      await this.#raw.command(`UID STORE ${set} +FLAGS.SILENT (\\Deleted)`);
      await this.#raw.command(`UID EXPUNGE ${set}`);
    }
    await this.#raw.logout();
  }
}

/** Median and 95th percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Event-loop gaps seen by a 5 ms interval timer (ms between ticks): p50, p99, max, count. */
export interface LoopGaps {
  p50: number;
  p99: number;
  max: number;
  ticks: number;
}

/**
 * Starts a `setInterval(5 ms)` that records the time between its ticks, i.e. how long the event
 * loop of this process was unable to run a timer; `stop()` ends it and summarises. A gap is
 * counted from the start (the first tick's wait) to the stop (the wait since the last tick).
 */
export function loopGapMeter(intervalMs = 5): { stop(): LoopGaps } {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, intervalMs);
  return {
    stop(): LoopGaps {
      clearInterval(timer);
      gaps.push(performance.now() - last);
      const round = (x: number) => Math.round(x * 10) / 10;
      return {
        p50: round(percentile(gaps, 50)),
        p99: round(percentile(gaps, 99)),
        max: round(Math.max(...gaps)),
        ticks: gaps.length,
      };
    },
  };
}

// Under --cpu-prof (job.profileMarks), 20 ms spins in these two named functions mark the FETCH
// window in the profile, so the harness counts only the samples between them.
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* spin */ }
}
/** Marks the start of the FETCH window in a CPU profile (a named 20 ms spin). */
export function benchMarkFetchStart(): void {
  spin(20);
}
/** Marks the end of the FETCH window in a CPU profile (a named 20 ms spin). */
export function benchMarkFetchEnd(): void {
  spin(20);
}
