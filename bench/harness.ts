// The benchmark harness of the performance issue: `deno task bench` (after the decoder
// micro-benchmarks), or `deno run -A bench/harness.ts`. Must run as root (the Dovecot fixture).
//
// 1. Starts a private Dovecot (scripts/dovecot.ts) and seeds it reproducibly (bench/lib/corpus.ts,
//    fixed-seed PRNG, maildir files written directly): mailbox A (5,000 x ~20 KB), B (20 x ~5 MB)
//    and A1k (the first 1,000 messages of A).
// 2. Warms Dovecot's caches with one untimed pass of the Deno floor per workload, which also
//    records the response bytes of (a) and (b) for the decoder workload (e).
// 3. Interleaved rounds (ROUNDS, default 5; BENCH_B_ROUNDS, default 15, for the quick (b)):
//    every round runs every FETCH workload with every client, each client in a separate
//    process (peak RSS from /usr/bin/time -v), in an order that rotates from round to round.
//    Clients time the FETCH themselves (send to tagged OK) and print one JSON line; the harness
//    checks they all fetched the same messages and bytes.
// 4. IDLE latency (d), decoder on the recordings (e), optional CPU profile (BENCH_PROFILE=1).
// 5. Writes bench/results.json and appends a dated section to bench/RESULTS.md.
//
// Environment: see bench/README.md (ROUNDS, BENCH_ONLY, BENCH_CLIENTS, IDLE_SAMPLES, ...).
// Every process it starts (the fixture, the clients) is stopped by pid on exit, on errors and
// on SIGINT/SIGTERM.

import { type DovecotFixture, dovecotVersion, startDovecot } from "../scripts/dovecot.ts";
import { unpackPackages } from "../scripts/_packages.ts";
import { exists, killTreeNow as killTree, output } from "../scripts/_process.ts";
import { mailboxA, mailboxB } from "./lib/corpus.ts";
import type { ClientResult, Job } from "./clients/common.ts";
import { percentile } from "./clients/common.ts";
import { chartSvg, type Results, targetMarkdown } from "./chart.ts";

const BENCH = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const PYTHON = Deno.env.get("BENCH_PYTHON") ?? "python3";
const NODE = Deno.env.get("BENCH_NODE") ?? "node";
// Bun from the npm registry (pinned, as in scripts/test.ts), resolved to its binary so that
// /usr/bin/time measures Bun itself rather than npx.
const BUN_PACKAGE = "bun@1.4.5";
let bunBinary: string | null | undefined;
async function bun(): Promise<string | null> {
  if (bunBinary !== undefined) return bunBinary;
  const found = await new Deno.Command("npx", {
    args: ["-y", "-p", BUN_PACKAGE, "-c", "command -v bun"],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  const path = found?.success ? new TextDecoder().decode(found.stdout).trim() : "";
  bunBinary = path || null;
  return bunBinary;
}

// ---------------------------------------------------------------------------------------------
// Settings.

function envInt(name: string, fallback: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${name} must be an integer >= 0`);
  }
  return n;
}
function envList(name: string): Set<string> | null {
  const raw = Deno.env.get(name);
  if (!raw) return null;
  return new Set(raw.split(",").map((s) => s.trim()).filter(Boolean));
}

const ROUNDS = envInt("ROUNDS", 5);
// (b) takes a tenth of a second per client, so its fresh medians (issue 10's typed/raw ratio)
// get more rounds for little time: its rounds swing by a third between runs otherwise.
const B_ROUNDS = envInt("BENCH_B_ROUNDS", 3 * ROUNDS);
const roundsOf = (workload: string) => workload === "b" ? B_ROUNDS : ROUNDS;
const IDLE_SAMPLES = envInt("IDLE_SAMPLES", 50);
const A_COUNT = envInt("BENCH_A_COUNT", 5000);
const B_COUNT = envInt("BENCH_B_COUNT", 20);
const A1K_COUNT = Math.min(1000, Math.max(1, Math.floor(A_COUNT / 5)));
const DECODER_ITERATIONS = envInt("DECODER_ITERATIONS", 10);
const TYPED_ITERATIONS = envInt("TYPED_ITERATIONS", 30);
// A folder to copy the recordings of (a) and (b) into (kept after the run), e.g. for
// `deno run -A bench/typed_recorded.ts DIR/stream-b.bin`.
const RECORDINGS_DIR = Deno.env.get("BENCH_RECORDINGS") ?? "";
const RUN_TIMEOUT_S = envInt("BENCH_TIMEOUT", 300);
const WRITE = Deno.env.get("BENCH_WRITE") !== "0";
const PROFILE = Deno.env.get("BENCH_PROFILE") !== "0";
// The client profiled (BENCH_PROFILE=1): one that marks its FETCH window (job.profileMarks).
const PROFILE_CLIENT = Deno.env.get("BENCH_PROFILE_CLIENT") ?? "deno-imaplib";
// Warm in-process figures: after the rounds, each client that supports it (WARM_CLIENTS) runs
// once more per workload with this many further FETCHes on the same connection (0: none).
const WARM_REPEATS = envInt("BENCH_WARM", 5);
const WARM_WORKLOADS = ["a", "b", "c"];
const ONLY = envList("BENCH_ONLY");
const CLIENT_FILTER = envList("BENCH_CLIENTS");
// (h): how many idle connections, per run (each runtime runs each count once).
// (h)'s diagnostic runtime row (see there).
const DIAGNOSTIC_SEMI_SPACE = "deno, V8 --max-semi-space-size=2 (diagnostic)";
const H_COUNTS = (Deno.env.get("BENCH_H_COUNTS") ?? "100,190").split(",").map(
  Number,
)
  .filter((n) => Number.isSafeInteger(n) && n > 0);

// ---------------------------------------------------------------------------------------------
// Users and mailboxes. Two users: the fixture's quota (100 MiB per user) is only enforced on
// APPEND, and the IDLE workload APPENDs to A, so A (~96 MiB) lives alone under "bench".

const USERS = [
  { user: "bench", password: "bench-pass" },
  { user: "benchb", password: "benchb-pass" },
];
const MAILBOXES = {
  A: { user: USERS[0], name: "A" },
  B: { user: USERS[1], name: "B" },
  A1k: { user: USERS[1], name: "A1k" },
} as const;
type MailboxId = keyof typeof MAILBOXES;
// (h) spreads its idle connections over these accounts (Dovecot allows 100 per user and IP), each
// connection on a mailbox of its own.
const H_USERS = [0, 1, 2, 3].map((i) => ({
  user: `idle${i}`,
  password: `idle${i}-pass`,
}));

// ---------------------------------------------------------------------------------------------
// Workloads.

interface FetchWorkload {
  id: string;
  title: string;
  mailbox: MailboxId;
  items: string;
  /** imapflow's fetch query for the same items. */
  query: Record<string, boolean>;
  /** Payload compared across clients: message literals, or the sum of RFC822.SIZE. */
  check: "payload" | "sizes";
  /** Over implicit TLS (the fixture's IMAPS port); only clients marked `tls` take part. */
  tls?: boolean;
}

const FETCH_WORKLOADS: FetchWorkload[] = [
  {
    id: "a",
    title: "FETCH 1:* (RFC822) on A",
    mailbox: "A",
    items: "(RFC822)",
    query: { source: true },
    check: "payload",
  },
  {
    id: "b",
    title: "FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE) on A",
    mailbox: "A",
    items: "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
    query: { flags: true, internalDate: true, size: true, envelope: true },
    check: "sizes",
  },
  {
    id: "c",
    title: "FETCH 1:* (BODY.PEEK[]) on B",
    mailbox: "B",
    items: "(BODY.PEEK[])",
    query: { source: true },
    check: "payload",
  },
  {
    id: "f",
    title: "FETCH 1:* (RFC822) on A1k (scaling: compare with (a))",
    mailbox: "A1k",
    items: "(RFC822)",
    query: { source: true },
    check: "payload",
  },
  {
    id: "g",
    title: "FETCH 1:* (BODY.PEEK[]) on B over implicit TLS ((c) as most users connect)",
    mailbox: "B",
    items: "(BODY.PEEK[])",
    query: { source: true },
    check: "payload",
    tls: true,
  },
];
const ALL_WORKLOADS = ["a", "b", "c", "d", "e", "f", "g", "h"];
const selected = (id: string) => ONLY === null || ONLY.has(id);
for (const id of ONLY ?? []) {
  if (!ALL_WORKLOADS.includes(id)) {
    throw new Error(`BENCH_ONLY: unknown workload ${id}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Clients: the hook for more (a Bun client and Bun floor, this library's streaming FETCH).
// A client is a command line that takes one JSON Job argument and prints one ClientResult JSON
// line (bench/clients/common.ts). `modes` says which workloads it takes part in; `runtime`
// pairs it with that runtime's floor for the "vs own floor" ratio.

type Runtime = "deno" | "node" | "python" | "bun" | "bun-connect";
interface ClientDef {
  id: string;
  label: string;
  runtime: Runtime;
  /** "floor": the runtime's floor (ratios); "diagnostic": a variant shown for explanation. */
  kind: "library" | "floor" | "peer" | "diagnostic";
  modes: ("fetch" | "idle")[];
  /** The FETCH workloads it runs (all of them if unset). */
  workloads?: string[];
  /** It can connect over implicit TLS (`job.tls`), so it runs the TLS workloads too. */
  tls?: boolean;
  argv(job: Job): string[];
  /** null when usable, else why not (the client is then skipped, and said so). */
  unavailable?(): Promise<string | null>;
}

const denoRun = (script: string, extra: string[] = []) => (job: Job) => [
  DENO,
  "run",
  "-A",
  "--no-config",
  ...extra,
  `${BENCH}/clients/${script}`,
  JSON.stringify(job),
];

// BENCH_BASELINE=<another checkout>: the library clients of that checkout run too, in the same
// interleaved rounds, as diagnostics, for a before/after comparison of a change in one run.
const BASELINE = Deno.env.get("BENCH_BASELINE")?.replace(/\/$/, "");
const baselineClients = (): ClientDef[] =>
  !BASELINE ? [] : ([
    ["deno-imaplib", "deno_imaplib.ts", undefined],
    ["deno-imaplib-stream", "deno_imaplib_stream.ts", undefined],
    ["deno-imaplib-bodies", "deno_imaplib_bodies.ts", ["c", "g"]],
    ["deno-imaplib-typed", "deno_imaplib_typed.ts", undefined],
    ["bun-imaplib", "deno_imaplib.ts", undefined],
    ["bun-imaplib-stream", "deno_imaplib_stream.ts", undefined],
    ["bun-imaplib-bodies", "deno_imaplib_bodies.ts", ["c", "g"]],
    ["bun-imaplib-typed", "deno_imaplib_typed.ts", undefined],
  ] as const).map(([id, script, workloads]) => ({
    id: `${id}-baseline`,
    tls: true,
    label: `${id}, baseline checkout (${BASELINE})`,
    runtime: id.startsWith("bun") ? "bun" : "deno",
    kind: "diagnostic",
    modes: ["fetch"],
    workloads: workloads as string[] | undefined,
    argv: (job: Job) =>
      id.startsWith("bun")
        ? [bunBinary!, `${BASELINE}/bench/clients/${script}`, JSON.stringify(job)]
        : [
          DENO,
          "run",
          "-A",
          "--no-config",
          `${BASELINE}/bench/clients/${script}`,
          JSON.stringify(job),
        ],
  }));

// A diagnostic variant of the Deno floor (deno_floor.ts with job.via).
function denoFloorVariant(
  id: string,
  label: string,
  via: Job["via"],
  workloads?: string[],
): ClientDef {
  return {
    id,
    label,
    runtime: "deno",
    kind: "diagnostic",
    modes: ["fetch"],
    workloads,
    argv: (job) => denoRun("deno_floor.ts")({ ...job, via }),
  };
}

// One of the library's benchmark clients on Bun (over plain TCP and implicit TLS).
function bunLibrary(id: string, label: string, script: string, workloads?: string[]): ClientDef {
  return {
    id,
    tls: true,
    label,
    runtime: "bun",
    kind: "library",
    modes: ["fetch"],
    workloads,
    argv: (job) => [bunBinary!, `${BENCH}/clients/${script}`, JSON.stringify(job)],
    unavailable: async () => (await bun()) ? null : `${BUN_PACKAGE} not available from npm`,
  };
}

// A diagnostic variant of the Bun floor (node_floor.mjs with job.via), on (a) and (c) unless
// `workloads` says otherwise.
function bunFloorVariant(
  id: string,
  label: string,
  via: Job["via"],
  workloads = ["a", "c"],
): ClientDef {
  return {
    id,
    label,
    runtime: "bun",
    kind: "diagnostic",
    modes: ["fetch"],
    workloads,
    argv: (job) => [bunBinary!, `${BENCH}/clients/node_floor.mjs`, JSON.stringify({ ...job, via })],
    unavailable: async () => (await bun()) ? null : `${BUN_PACKAGE} not available from npm`,
  };
}

const CLIENTS: ClientDef[] = [
  ...baselineClients(),
  {
    id: "deno-imaplib",
    tls: true,
    label: "imaplib (this library), Deno",
    runtime: "deno",
    kind: "library",
    modes: ["fetch", "idle"],
    argv: denoRun("deno_imaplib.ts"),
  },
  {
    id: "deno-floor",
    tls: true,
    label: "raw socket floor, Deno",
    runtime: "deno",
    kind: "floor",
    modes: ["fetch", "idle"],
    argv: denoRun("deno_floor.ts"),
  },
  {
    id: "deno-floor-readable",
    label: "raw socket via conn.readable, Deno",
    runtime: "deno",
    kind: "diagnostic",
    modes: ["fetch"],
    argv: (job) => denoRun("deno_floor.ts")({ ...job, via: "readable" }),
  },
  denoFloorVariant("deno-floor-byob", "raw socket via a BYOB stream, Deno", "byob"),
  denoFloorVariant("deno-floor-keep", "raw socket keeping the bytes, Deno", "keep", ["a", "c"]),
  denoFloorVariant(
    "deno-floor-handover",
    "raw socket handing each literal over, Deno",
    "handover",
    ["a", "c"],
  ),
  {
    id: "node-imapflow",
    tls: true,
    label: "imapflow, Node",
    runtime: "node",
    kind: "peer",
    modes: ["fetch"],
    argv: (
      job,
    ) => [NODE, `${BENCH}/clients/node_imapflow.mjs`, JSON.stringify(job)],
    unavailable: async () =>
      await exists(`${BENCH}/node_modules/imapflow/package.json`)
        ? null
        : "bench/node_modules/imapflow missing (npm ci --prefix bench failed?)",
  },
  {
    id: "node-floor",
    tls: true,
    label: "raw socket floor, Node",
    runtime: "node",
    kind: "floor",
    modes: ["fetch"],
    argv: (
      job,
    ) => [NODE, `${BENCH}/clients/node_floor.mjs`, JSON.stringify(job)],
  },
  {
    id: "python-imaplib",
    tls: true,
    label: "CPython imaplib",
    runtime: "python",
    kind: "peer",
    modes: ["fetch"],
    argv: (
      job,
    ) => [PYTHON, `${BENCH}/clients/python_imaplib.py`, JSON.stringify(job)],
  },
  {
    id: "python-floor",
    tls: true,
    label: "raw socket floor, Python",
    runtime: "python",
    kind: "floor",
    modes: ["fetch"],
    argv: (
      job,
    ) => [PYTHON, `${BENCH}/clients/python_floor.py`, JSON.stringify(job)],
  },
  {
    id: "deno-imaplib-stream",
    tls: true,
    label: "imaplib fetchIter() (streaming), Deno",
    runtime: "deno",
    kind: "library",
    modes: ["fetch"],
    argv: denoRun("deno_imaplib_stream.ts"),
  },
  {
    // Diagnostic: without V8's background compiler and GC threads, which on a 2-core machine
    // take CPU from the server on the other core (a remote server would not feel them).
    id: "deno-imaplib-st",
    label: "imaplib, Deno, V8 --single-threaded (diagnostic)",
    runtime: "deno",
    kind: "diagnostic",
    modes: ["fetch"],
    workloads: ["a", "b"],
    argv: denoRun("deno_imaplib.ts", ["--v8-flags=--single-threaded"]),
  },
  {
    // The typed layer: fetchMessages() with imapflow's own query object, item for item.
    id: "deno-imaplib-typed",
    tls: true,
    label: "imaplib typed fetchMessages(), Deno",
    runtime: "deno",
    kind: "library",
    modes: ["fetch"],
    argv: denoRun("deno_imaplib_typed.ts"),
  },
  {
    id: "deno-imaplib-bodies",
    tls: true,
    label: "imaplib fetchBodies(), BYOB, Deno",
    runtime: "deno",
    kind: "library",
    modes: ["fetch"],
    workloads: ["c", "g"],
    argv: denoRun("deno_imaplib_bodies.ts"),
  },
  // The library on Bun runs the same client files as on Deno: they use only its public API.
  bunLibrary("bun-imaplib", "imaplib (this library), Bun", "deno_imaplib.ts"),
  bunLibrary(
    "bun-imaplib-stream",
    "imaplib fetchIter() (streaming), Bun",
    "deno_imaplib_stream.ts",
  ),
  bunLibrary("bun-imaplib-bodies", "imaplib fetchBodies(), BYOB, Bun", "deno_imaplib_bodies.ts", [
    "c",
    "g",
  ]),
  bunLibrary("bun-imaplib-typed", "imaplib typed fetchMessages(), Bun", "deno_imaplib_typed.ts"),
  {
    id: "bun-floor",
    tls: true,
    label: "raw socket floor, Bun",
    runtime: "bun",
    kind: "floor",
    modes: ["fetch"],
    argv: (
      job,
    ) => [bunBinary!, `${BENCH}/clients/node_floor.mjs`, JSON.stringify(job)],
    unavailable: async () => (await bun()) ? null : `${BUN_PACKAGE} not available from npm`,
  },
  bunFloorVariant("bun-floor-handover", "raw socket handing each literal over, Bun", "handover"),
  bunFloorVariant("bun-floor-keep", "raw socket keeping the bytes, Bun", "keep"),
  // Bun's keeping floor keeps the socket's own chunks; a literal that spans chunks must be
  // copied to be held whole, as the buffered fetch() holds every message. On (c) only, where
  // every literal spans chunks: on (a) most lie whole in one and the library keeps views of them.
  bunFloorVariant(
    "bun-floor-handover-keep",
    "raw socket keeping each literal whole, Bun",
    "handover-keep",
    ["c"],
  ),
  {
    // Bun's own socket API, to compare with node:net under Bun (the library uses node:net).
    id: "bun-connect-floor",
    label: "raw socket floor, Bun.connect",
    runtime: "bun-connect",
    kind: "floor",
    modes: ["fetch"],
    argv: (
      job,
    ) => [
      bunBinary!,
      `${BENCH}/clients/bun_connect_floor.ts`,
      JSON.stringify(job),
    ],
    unavailable: async () => (await bun()) ? null : `${BUN_PACKAGE} not available from npm`,
  },
];

/** The reference for "vs imaplib on Deno". */
const LIBRARY = "deno-imaplib";
// The clients that can repeat their FETCH on one connection (job.warmRepeats).
const WARM_CLIENTS = new Set([
  "deno-floor",
  "deno-floor-keep",
  "deno-floor-handover",
  "deno-floor-byob",
  "deno-imaplib",
  "deno-imaplib-stream",
  "deno-imaplib-bodies",
  "deno-imaplib-typed",
  "bun-imaplib",
  "bun-imaplib-stream",
  "bun-imaplib-bodies",
  "bun-imaplib-typed",
  "node-imapflow",
]);

// ---------------------------------------------------------------------------------------------
// Processes: everything started is tracked and stopped by pid.

const running = new Map<number, Deno.ChildProcess>();
let fixture: DovecotFixture | null = null;
let workDir = "";

// exists(), output() and killTree() (a child we started and, first, its own children, e.g. under
// /usr/bin/time) come from scripts/_process.ts, shared with the fixture.

let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const pid of running.keys()) killTree(pid);
    running.clear();
    if (fixture) {
      await fixture.stop().catch((e) => console.error(`[bench] fixture stop: ${e}`));
      fixture = null;
    }
    if (workDir) {
      await Deno.remove(workDir, { recursive: true }).catch(() => undefined);
    }
  })();
  return cleaning;
}

let stopping = false;
const onSignal = (name: string) => async () => {
  stopping = true;
  console.error(`\n[bench] ${name}: stopping`);
  await cleanUp();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));

interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
  maxRssKiB: number;
  /** From /usr/bin/time -v (whole process, startup included), else -1. */
  cpuSeconds: number;
  minorFaults: number;
  wallSeconds: number;
}

let timeBinary: string | null = null;

/** Runs a command (optionally under /usr/bin/time -v), tracked, with a timeout. */
async function run(
  argv: string[],
  opts: { cwd?: string; timeoutS?: number } = {},
): Promise<
  RunOutput
> {
  const timeOut = timeBinary ? await Deno.makeTempFile({ dir: workDir, suffix: ".time" }) : "";
  const full = timeBinary ? [timeBinary, "-v", "-o", timeOut, ...argv] : argv;
  const t0 = performance.now();
  const child = new Deno.Command(full[0], {
    args: full.slice(1),
    cwd: opts.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  running.set(child.pid, child);
  const timer = setTimeout(() => {
    console.error(
      `[bench] timeout after ${opts.timeoutS ?? RUN_TIMEOUT_S} s: ${argv[1]}`,
    );
    killTree(child.pid);
  }, (opts.timeoutS ?? RUN_TIMEOUT_S) * 1000);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    let maxRssKiB = -1, cpuSeconds = -1, minorFaults = -1;
    if (timeBinary) {
      const report = await Deno.readTextFile(timeOut).catch(() => "");
      const field = (name: string) => {
        const m = new RegExp(`${name}: ([0-9.]+)`).exec(report);
        return m ? Number(m[1]) : -1;
      };
      maxRssKiB = field("Maximum resident set size \\(kbytes\\)");
      const user = field("User time \\(seconds\\)"),
        sys = field("System time \\(seconds\\)");
      if (user >= 0 && sys >= 0) cpuSeconds = user + sys;
      minorFaults = field("Minor \\(reclaiming a frame\\) page faults");
      await Deno.remove(timeOut).catch(() => undefined);
    }
    return {
      code: out.code,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      maxRssKiB,
      cpuSeconds,
      minorFaults,
      wallSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clearTimeout(timer);
    running.delete(child.pid);
  }
}

// ---------------------------------------------------------------------------------------------
// Running clients.

interface Sample extends ClientResult {
  maxRssKiB: number;
  cpuSeconds: number;
  minorFaults: number;
  round: number;
}

function jobFor(
  client: ClientDef,
  workload: string,
  mailbox: MailboxId,
  extra: Partial<Job>,
): Job {
  const box = MAILBOXES[mailbox];
  return {
    client: client.id,
    workload,
    mode: "fetch",
    host: "127.0.0.1",
    port: fixture!.imapPort,
    user: box.user.user,
    password: box.user.password,
    mailbox: box.name,
    items: "",
    ...extra,
  };
}

// The job fields of a TLS workload: the IMAPS port and the fixture's CA.
function tlsJob(w: FetchWorkload): Partial<Job> {
  return w.tls ? { port: fixture!.imapsPort, tls: { caFile: fixture!.caCertPath } } : {};
}

async function runClient(
  client: ClientDef,
  job: Job,
  round: number,
  extraArgv: string[] = [],
): Promise<Sample> {
  const argv = client.argv(job);
  argv.splice(argv.length - 2, 0, ...extraArgv);
  const out = await run(argv, { cwd: workDir });
  const line = out.stdout.trim().split("\n").pop() ?? "";
  let result: ClientResult;
  try {
    if (out.code !== 0) throw new Error(`exit code ${out.code}`);
    result = JSON.parse(line);
  } catch (e) {
    throw new Error(
      `${client.id} on (${job.workload}) failed: ${(e as Error).message}\n--- stdout ---\n` +
        `${out.stdout.slice(-2000)}\n--- stderr ---\n${out.stderr.slice(-4000)}`,
    );
  }
  return {
    ...result,
    maxRssKiB: out.maxRssKiB > 0 ? out.maxRssKiB : result.vmHwmKiB,
    cpuSeconds: out.cpuSeconds,
    minorFaults: out.minorFaults,
    round,
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and checks.

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const mib = (kib: number) => kib / 1024;

interface Summary {
  client: string;
  label: string;
  runtime: Runtime;
  kind: string;
  rounds: number;
  seconds: number[];
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  mbPerSecond: number;
  messagesPerSecond: number;
  peakRssMiB: number;
  /** Peak RSS minus the RSS just before the FETCH (median; clients that report it). */
  overIdleMiB: number | null;
  /** Median user+sys CPU seconds of the whole client process (startup included). */
  cpuSeconds: number;
  /** Median minor page faults of the whole client process. */
  minorFaults: number;
  vsOwnFloor: number | null;
  vsLibrary: number | null;
  /**
   * Library clients: gaps between ticks of a 5 ms interval timer in the client's process during
   * the FETCH, ms: p50 and p99 are medians over rounds, max the largest of any round.
   */
  loopGaps: { p50: number; p99: number; max: number } | null;
}

interface WorkloadReport {
  id: string;
  title: string;
  mailbox: string;
  items: string;
  messages: number;
  wireBytes: number;
  clients: Summary[];
  checks: string[];
  /** Warm in-process figures (BENCH_WARM), one run per client. */
  warm?: WarmSummary[];
}

/** One client's warm in-process FETCHes: the same connection, after its first FETCH. */
interface WarmSummary {
  client: string;
  label: string;
  /** The first FETCH of the run (cold, as in the rounds). */
  firstSeconds: number;
  /** Each FETCH after it. */
  warmSeconds: number[];
  medianSeconds: number;
}

function summarise(
  w: FetchWorkload,
  samples: Sample[],
  clients: ClientDef[],
): WorkloadReport {
  const checks: string[] = [];
  const byClient = new Map<string, Sample[]>();
  for (const s of samples) {
    byClient.set(s.client, [...(byClient.get(s.client) ?? []), s]);
  }
  const existsSet = new Set(samples.map((s) => s.exists));
  const messages = samples[0]?.exists ?? 0;
  if (existsSet.size !== 1) {
    checks.push(`FAIL: clients saw different EXISTS: ${[...existsSet]}`);
  }
  // Messages handed over by the parsing clients.
  for (const s of samples) {
    if (s.messages >= 0 && s.messages !== s.exists) {
      checks.push(
        `FAIL: ${s.client} round ${s.round}: ${s.messages} messages, EXISTS ${s.exists}`,
      );
    }
  }
  // The same payload for every parsing client (exact), the same wire bytes for every floor
  // (within 0.1%: Dovecot's "Fetch completed (0.001 + ...)" text varies), and a payload that
  // fits in what the floors read.
  const field = w.check === "payload" ? "payloadBytes" : "sizeSum";
  const payloads = new Set(
    samples.filter((s) => s[field] >= 0).map((s) => s[field]),
  );
  if (payloads.size > 1) {
    checks.push(`FAIL: ${field} differs between clients: ${[...payloads]}`);
  }
  const wires = samples.filter((s) => s.wireBytes > 0).map((s) => s.wireBytes);
  const wireBytes = wires.length ? median(wires) : 0;
  if (
    wires.length &&
    (Math.max(...wires) - Math.min(...wires)) > wireBytes * 0.001
  ) {
    checks.push(
      `FAIL: floors read different byte counts: ${Math.min(...wires)}..${Math.max(...wires)}`,
    );
  }
  const payload = [...payloads][0];
  if (payload !== undefined && wireBytes > 0) {
    const tooBig = field === "payloadBytes" &&
      (payload > wireBytes || payload < wireBytes * 0.95);
    if (tooBig) {
      checks.push(`FAIL: payload ${payload} B vs ${wireBytes} B on the wire`);
    }
  }
  if (checks.length === 0) {
    checks.push(
      `ok: every client got ${messages} messages` +
        (payload !== undefined ? `, ${field} ${payload}` : "") +
        (wireBytes ? `, floors read ${wireBytes} B` : ""),
    );
  }
  const summaries: Summary[] = [];
  for (const c of clients) {
    const list = byClient.get(c.id);
    if (!list?.length) continue;
    const seconds = list.map((s) => s.seconds);
    const med = median(seconds);
    const gapList = list.map((s) => s.gaps).filter((g) => g !== undefined);
    const loopGaps = gapList.length
      ? {
        p50: median(gapList.map((g) => g.p50)),
        p99: median(gapList.map((g) => g.p99)),
        max: Math.max(...gapList.map((g) => g.max)),
      }
      : null;
    summaries.push({
      loopGaps,
      client: c.id,
      label: c.label,
      runtime: c.runtime,
      kind: c.kind,
      rounds: list.length,
      seconds,
      medianSeconds: med,
      minSeconds: Math.min(...seconds),
      maxSeconds: Math.max(...seconds),
      mbPerSecond: wireBytes / 1e6 / med,
      messagesPerSecond: messages / med,
      peakRssMiB: mib(Math.max(...list.map((s) => s.maxRssKiB))),
      overIdleMiB: list.every((s) => (s.idleRssKiB ?? -1) > 0)
        ? mib(median(list.map((s) => s.maxRssKiB - s.idleRssKiB!)))
        : null,
      cpuSeconds: median(list.map((s) => s.cpuSeconds)),
      minorFaults: median(list.map((s) => s.minorFaults)),
      vsOwnFloor: null,
      vsLibrary: null,
    });
  }
  for (const s of summaries) {
    const floor = summaries.find((f) => f.kind === "floor" && f.runtime === s.runtime);
    const lib = summaries.find((f) => f.client === LIBRARY);
    s.vsOwnFloor = floor ? s.medianSeconds / floor.medianSeconds : null;
    s.vsLibrary = lib ? s.medianSeconds / lib.medianSeconds : null;
  }
  return {
    id: w.id,
    title: w.title,
    mailbox: w.mailbox,
    items: w.items,
    messages,
    wireBytes,
    clients: summaries,
    checks,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary (BENCH_PROFILE=1): self time per function from a .cpuprofile.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface ProfileSummary {
  /** Samples counted: those between the two marks (the FETCH), else the whole process. */
  window: "fetch" | "process";
  sampledMs: number;
  top: { function: string; selfPercent: number }[];
  byFile: { file: string; selfPercent: number }[];
}

/** Self time per function and per file, in the FETCH window marked by deno_imaplib.ts. */
function summariseProfile(profile: CpuProfile, n = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of profile.nodes) {
    for (const c of x.children ?? []) parent.set(c, x.id);
  }
  const under = (id: number, name: string) => {
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = parent.get(at)
    ) {
      if (byId.get(at)!.callFrame.functionName === name) return true;
    }
    return false;
  };
  // The window: after the last sample in the start mark, before the first in the end mark.
  let from = 0, to = profile.samples.length;
  const starts = profile.samples.flatMap((id, i) => under(id, "benchMarkFetchStart") ? [i] : []);
  const ends = profile.samples.flatMap((id, i) => under(id, "benchMarkFetchEnd") ? [i] : []);
  const windowed = starts.length > 0 && ends.length > 0 &&
    ends[0] > starts[starts.length - 1];
  if (windowed) {
    from = starts[starts.length - 1] + 1;
    to = ends[0];
  }
  const fnTime = new Map<string, number>(),
    fileTime = new Map<string, number>();
  let total = 0;
  for (let i = from; i < to; i++) {
    // A sample's time is the delta to the next sample.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = byId.get(profile.samples[i])!.callFrame;
    const file = url.replace(/^file:\/\//, "").replace(ROOT + "/", "");
    const fn = `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
    const where = file ? file.replace(/^ext:([a-z_]+)\/.*/, "ext:$1/*") : functionName;
    fnTime.set(fn, (fnTime.get(fn) ?? 0) + dt);
    fileTime.set(where, (fileTime.get(where) ?? 0) + dt);
    total += dt;
  }
  const pct = (x: number) => Math.round((x / total) * 1000) / 10;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    window: windowed ? "fetch" : "process",
    sampledMs: Math.round(total / 1000),
    top: sorted(fnTime).slice(0, n).map(([f, t]) => ({
      function: f,
      selfPercent: pct(t),
    })),
    byFile: sorted(fileTime).slice(0, 10).map(([f, t]) => ({
      file: f,
      selfPercent: pct(t),
    })),
  };
}

// What fresh memory costs here (page faults, zeroing, and on a VM the host's faults): the first
// and second write of a new 128 MiB buffer, in a new Deno process, ms per MiB (median of 3).
async function freshMemoryCost(): Promise<
  { firstWriteMsPerMiB: number; rewriteMsPerMiB: number }
> {
  const code = `const r = [];
    for (let i = 0; i < 3; i++) {
      const a = new Uint8Array(128 << 20);
      const t0 = performance.now(); a.fill(1);
      const t1 = performance.now(); a.fill(2);
      r.push([(t1 - t0) / 128, (performance.now() - t1) / 128]);
    }
    r.sort((x, y) => x[0] - y[0]);
    console.log(JSON.stringify(r[1]));`;
  const out = await run([DENO, "eval", code], { timeoutS: 60 });
  try {
    const [first, again] = JSON.parse(out.stdout.trim());
    return { firstWriteMsPerMiB: first, rewriteMsPerMiB: again };
  } catch {
    return { firstWriteMsPerMiB: NaN, rewriteMsPerMiB: NaN };
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting.

const fmt = (x: number, digits = 2) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    })
    : "-";
const int = (x: number) => Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "-";
const ratio = (x: number | null) => x === null ? "-" : `${fmt(x)}x`;

function fetchTable(r: WorkloadReport): string {
  const rows = [
    `### (${r.id}) \`${r.title.replace(/ on .*/, "")}\` on ${r.mailbox}: ${int(r.messages)} ` +
    `messages, ${fmt(r.wireBytes / 1e6, 1)} MB on the wire`,
    "",
    "| client | FETCH s, median (min..max) | MB/s | messages/s | peak RSS MiB | peak - idle RSS MiB | process CPU s | vs own floor | vs imaplib on Deno | 5 ms timer gap ms p50 / p99 / max |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const s of r.clients) {
    rows.push(
      `| ${s.label} | ${fmt(s.medianSeconds, 3)} (${fmt(s.minSeconds, 3)}..${
        fmt(s.maxSeconds, 3)
      }) ` +
        `| ${fmt(s.mbPerSecond, 1)} | ${int(s.messagesPerSecond)} | ${fmt(s.peakRssMiB, 0)} ` +
        `| ${s.overIdleMiB === null ? "-" : fmt(s.overIdleMiB, 0)} ` +
        `| ${s.cpuSeconds >= 0 ? fmt(s.cpuSeconds, 2) : "-"} ` +
        `| ${ratio(s.vsOwnFloor)} | ${ratio(s.vsLibrary)} ` +
        `| ${
          s.loopGaps
            ? `${fmt(s.loopGaps.p50, 1)} / ${fmt(s.loopGaps.p99, 1)} / ${fmt(s.loopGaps.max, 1)}`
            : "-"
        } |`,
    );
  }
  rows.push("", `Checks: ${r.checks.join("; ")}`, "");
  if (r.warm && r.warm.length > 0) {
    const floor = r.warm.find((x) => x.client === "deno-floor");
    const keep = r.warm.find((x) => x.client === "deno-floor-keep");
    const lib = r.warm.find((x) => x.client === LIBRARY);
    rows.push(
      `Warm, in one process (BENCH_WARM): each client's FETCH repeated ` +
        `${r.warm[0].warmSeconds.length} times on its connection after the first; median of those.`,
      "",
      "| client | first FETCH s | warm FETCH s, median (min..max) | vs Deno floor, warm | vs keeping floor, warm | vs imaplib on Deno, warm |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const x of r.warm) {
      const vs = (other: WarmSummary | undefined) =>
        other ? ratio(x.medianSeconds / other.medianSeconds) : "-";
      rows.push(
        `| ${x.label} | ${fmt(x.firstSeconds, 3)} | ${fmt(x.medianSeconds, 3)} ` +
          `(${fmt(Math.min(...x.warmSeconds), 3)}..${fmt(Math.max(...x.warmSeconds), 3)}) ` +
          `| ${vs(floor)} | ${vs(keep)} | ${vs(lib)} |`,
      );
    }
    rows.push("");
  }
  return rows.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main.

async function main(): Promise<number> {
  const started = new Date();
  const t0 = performance.now();
  workDir = await Deno.makeTempDir({ prefix: "imaplib-bench-" });
  await Deno.chmod(workDir, 0o755);

  // Tools.
  if (await exists("/usr/bin/time")) timeBinary = "/usr/bin/time";
  else {
    // Debian's `time`, unpacked into the checkout's .fixture/ (never installed): it needs only
    // libc, so it runs from there as it is.
    console.error(
      "[bench] /usr/bin/time missing: unpacking Debian's time into .fixture/time",
    );
    try {
      const { root } = await unpackPackages({
        name: "time",
        packages: ["time"],
        need: ["usr/bin/time"],
      });
      timeBinary = `${root}/usr/bin/time`;
    } catch (e) {
      console.error(`[bench] no time (${e}); peak RSS from the clients' VmHWM`);
    }
  }
  if (!await exists(`${BENCH}/node_modules/imapflow/package.json`)) {
    console.error("[bench] installing imapflow under bench/ (npm ci)");
    const r = await run(["npm", "ci", "--no-audit", "--no-fund"], {
      cwd: BENCH,
      timeoutS: 300,
    });
    if (r.code !== 0) console.error(`[bench] npm ci failed:\n${r.stderr}`);
  }
  const clients: ClientDef[] = [];
  const skipped: string[] = [];
  for (const c of CLIENTS) {
    if (CLIENT_FILTER && !CLIENT_FILTER.has(c.id)) continue;
    const why = await c.unavailable?.();
    if (why) {
      skipped.push(`${c.id}: ${why}`);
      console.error(`[bench] skipping ${c.id}: ${why}`);
    } else clients.push(c);
  }
  for (const id of CLIENT_FILTER ?? []) {
    if (!CLIENTS.some((c) => c.id === id)) {
      throw new Error(`BENCH_CLIENTS: unknown client ${id}`);
    }
  }

  // Versions and machine.
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const env = {
    date: started.toISOString(),
    nproc: navigator.hardwareConcurrency,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "",
    memoryGiB: Math.round(
      Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1048576 * 10,
    ) / 10,
    kernel: Deno.osRelease(),
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    node: await output(NODE, ["--version"]),
    python: (await output(PYTHON, ["--version"])).replace(/^Python /, ""),
    dovecot: await dovecotVersion(),
    imapflow: JSON.parse(
      await Deno.readTextFile(`${BENCH}/node_modules/imapflow/package.json`)
        .catch(() => "{}"),
    ).version ?? "",
    rssFrom: timeBinary ? "/usr/bin/time -v (max RSS)" : "VmHWM of the client",
    rounds: ROUNDS,
    loadavgAtStart: (await Deno.readTextFile("/proc/loadavg").catch(() => ""))
      .split(" ").slice(0, 3).join(" "),
    loadavgAtEnd: "",
    freshMemory: await freshMemoryCost(),
  };
  console.error(`[bench] ${JSON.stringify(env)}`);

  // Fixture and seeding.
  env.dovecot ||= await dovecotVersion();
  fixture = await startDovecot({
    users: [...USERS, ...H_USERS],
    // (h) IDLEs up to 190 mail processes at once, all running as nobody: past the kernel's
    // inotify instance limit per user (128 by default, machine-wide, left alone) Dovecot falls back
    // to polling the mailbox, every mailbox_idle_check_interval (30 s by default).
    extraConfig: selected("h") ? "mailbox_idle_check_interval = 1 secs\n" : undefined,
  });
  const seedStart = performance.now();
  const a = mailboxA(A_COUNT);
  const b = mailboxB(B_COUNT);
  const generated = performance.now();
  await fixture.seed(MAILBOXES.A.user.user, "A", a);
  await fixture.seed(MAILBOXES.B.user.user, "B", b);
  await fixture.seed(MAILBOXES.A1k.user.user, "A1k", a.slice(0, A1K_COUNT));
  const seeding = {
    A: { messages: a.length, bytes: a.reduce((n, m) => n + m.length, 0) },
    B: { messages: b.length, bytes: b.reduce((n, m) => n + m.length, 0) },
    A1k: {
      messages: A1K_COUNT,
      bytes: a.slice(0, A1K_COUNT).reduce((n, m) => n + m.length, 0),
    },
    generateSeconds: (generated - seedStart) / 1000,
    writeSeconds: (performance.now() - generated) / 1000,
  };
  console.error(
    `[bench] seeded A ${seeding.A.messages} msgs ${fmt(seeding.A.bytes / 1e6, 1)} MB, B ` +
      `${seeding.B.messages} msgs ${
        fmt(seeding.B.bytes / 1e6, 1)
      } MB, A1k ${seeding.A1k.messages}` +
      ` msgs in ${fmt(seeding.generateSeconds, 1)} s + ${fmt(seeding.writeSeconds, 1)} s`,
  );

  const floor = CLIENTS.find((c) => c.id === "deno-floor")!;
  const workloads = FETCH_WORKLOADS.filter((w) => selected(w.id));
  const recordings: Record<string, string> = {};
  const needRecord = selected("e") ? ["a", "b"] : [];
  // Warm-up: Dovecot indexes the new maildirs and fills its cache on the first pass (and the
  // first RFC822 FETCH sets \Seen, adding FLAGS to every response once). Then the recordings
  // for (e), from a second pass, which sends what the timed rounds get.
  for (
    const id of [...new Set([...workloads.map((w) => w.id), ...needRecord])]
  ) {
    const w = FETCH_WORKLOADS.find((x) => x.id === id)!;
    const s = await runClient(
      floor,
      jobFor(floor, w.id, w.mailbox, { items: w.items, ...tlsJob(w) }),
      0,
    );
    console.error(
      `[bench] warm-up (${id}): ${fmt(s.seconds, 3)} s, ${s.wireBytes} B`,
    );
  }
  for (const id of needRecord) {
    const w = FETCH_WORKLOADS.find((x) => x.id === id)!;
    const record = `${workDir}/stream-${id}.bin`;
    const s = await runClient(
      floor,
      jobFor(floor, w.id, w.mailbox, { items: w.items, record }),
      0,
    );
    recordings[id] = record;
    console.error(`[bench] recorded (${id}): ${s.wireBytes} B`);
    if (RECORDINGS_DIR) {
      await Deno.mkdir(RECORDINGS_DIR, { recursive: true });
      await Deno.copyFile(record, `${RECORDINGS_DIR}/stream-${id}.bin`);
    }
  }

  // Interleaved rounds.
  const samples = new Map<string, Sample[]>(workloads.map((w) => [w.id, []]));
  const fetchClients = clients.filter((c) => c.modes.includes("fetch"));
  const maxRounds = Math.max(...workloads.map((w) => roundsOf(w.id)));
  for (let round = 1; round <= maxRounds && workloads.length > 0; round++) {
    for (const w of workloads.filter((w) => round <= roundsOf(w.id))) {
      const runs = fetchClients.filter((c) =>
        (!c.workloads || c.workloads.includes(w.id)) && (!w.tls || c.tls)
      );
      const order = runs.map((_, i) => runs[(i + round - 1) % runs.length]);
      for (const c of order) {
        const s = await runClient(
          c,
          jobFor(c, w.id, w.mailbox, {
            items: w.items,
            query: w.query,
            ...tlsJob(w),
          }),
          round,
        );
        samples.get(w.id)!.push(s);
        console.error(
          `[bench] round ${round}/${roundsOf(w.id)} (${w.id}) ${c.id.padEnd(19)} ${
            fmt(s.seconds, 3)
          } s` +
            `  rss ${fmt(mib(s.maxRssKiB), 0)} MiB` +
            (s.reads ? `  ${int(s.wireBytes / s.reads)} B/read` : "") +
            (s.gaps ? `  gap max ${fmt(s.gaps.max, 1)} ms` : ""),
        );
      }
    }
  }
  const reports = workloads.map((w) => summarise(w, samples.get(w.id)!, fetchClients));

  // Warm in-process figures (BENCH_WARM): what a long-running process gets once the JIT has
  // optimized the code, next to the fresh processes of the rounds.
  for (const r of WARM_REPEATS > 0 ? reports : []) {
    const w = workloads.find((x) => x.id === r.id)!;
    if (!WARM_WORKLOADS.includes(w.id)) continue;
    r.warm = [];
    for (const c of fetchClients) {
      if (!WARM_CLIENTS.has(c.id) || (c.workloads && !c.workloads.includes(w.id))) continue;
      const s = await runClient(
        c,
        jobFor(c, w.id, w.mailbox, { items: w.items, query: w.query, warmRepeats: WARM_REPEATS }),
        0,
      );
      const xs = s.warmSeconds ?? [];
      if (xs.length !== WARM_REPEATS) {
        throw new Error(`${c.id} on (${w.id}): ${xs.length} warm passes, not ${WARM_REPEATS}`);
      }
      r.warm.push({
        client: c.id,
        label: c.label,
        firstSeconds: s.seconds,
        warmSeconds: xs,
        medianSeconds: median(xs),
      });
      console.error(
        `[bench] warm (${w.id}) ${c.id.padEnd(19)} first ${fmt(s.seconds, 3)} s, then ` +
          xs.map((x) => fmt(x, 3)).join(" "),
      );
    }
  }
  for (const r of reports) {
    for (const c of r.checks) console.error(`[bench] (${r.id}) ${c}`);
  }

  // (d) IDLE latency.
  const idle: {
    client: string;
    label: string;
    samplesMs: number[];
    medianMs: number;
    p95Ms: number;
    minMs: number;
    maxMs: number;
    peakRssMiB: number;
  }[] = [];
  if (selected("d") && IDLE_SAMPLES > 0) {
    for (const c of clients.filter((c) => c.modes.includes("idle"))) {
      const s = await runClient(
        c,
        jobFor(c, "d", "A", { mode: "idle", samples: IDLE_SAMPLES }),
        1,
      );
      const xs = s.samplesMs ?? [];
      if (xs.length !== IDLE_SAMPLES) {
        throw new Error(
          `${c.id} on (d): ${xs.length} samples, not ${IDLE_SAMPLES}`,
        );
      }
      idle.push({
        client: c.id,
        label: c.label,
        samplesMs: xs.map((x) => Math.round(x * 100) / 100),
        medianMs: median(xs),
        p95Ms: percentile(xs, 95),
        minMs: Math.min(...xs),
        maxMs: Math.max(...xs),
        peakRssMiB: mib(s.maxRssKiB),
      });
      console.error(
        `[bench] (d) ${c.id}: median ${fmt(median(xs), 1)} ms, p95 ${
          fmt(percentile(xs, 95), 1)
        } ms`,
      );
    }
  }

  // (e) Decoder on the recorded streams.
  const decoder: {
    stream: string;
    bytes: number;
    mode: string;
    responses: number;
    medianSeconds: number;
    minSeconds: number;
    maxSeconds: number;
    mbPerSecond: number;
    responsesPerSecond: number;
  }[] = [];
  let decoderRssMiB = 0;
  if (selected("e")) {
    for (const id of needRecord) {
      const w = FETCH_WORKLOADS.find((x) => x.id === id)!;
      const out = await run(
        denoRun("deno_decoder.ts")({
          ...jobFor(floor, "e", w.mailbox, {
            items: w.items,
            record: recordings[id],
          }),
          client: "deno-decoder",
          iterations: DECODER_ITERATIONS,
        } as Job),
        { cwd: workDir },
      );
      if (out.code !== 0) {
        throw new Error(`decoder (${id}) failed:\n${out.stderr}`);
      }
      const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
      decoderRssMiB = Math.max(
        decoderRssMiB,
        mib(out.maxRssKiB > 0 ? out.maxRssKiB : r.vmHwmKiB),
      );
      for (
        const m of r.modes as {
          mode: string;
          seconds: number[];
          responses: number;
        }[]
      ) {
        const med = median(m.seconds);
        decoder.push({
          stream: `(${id}) ${w.items}`,
          bytes: r.bytes,
          mode: m.mode,
          responses: m.responses,
          medianSeconds: med,
          minSeconds: Math.min(...m.seconds),
          maxSeconds: Math.max(...m.seconds),
          mbPerSecond: r.bytes / 1e6 / med,
          responsesPerSecond: m.responses / med,
        });
        console.error(
          `[bench] (e) ${id} ${m.mode}: ${fmt(med * 1000, 1)} ms, ${
            fmt(r.bytes / 1e6 / med, 0)
          } MB/s`,
        );
      }
    }
  }

  // (h) Many idle connections, on Deno and on Bun: RSS per idle connection, connect time, EXISTS
  // latency spread.
  const many: {
    runtime: string;
    diagnostic: boolean;
    connections: number;
    rssPerConnectionKiB: number;
    rssPerFurtherConnectionKiB: number;
    heapPerConnectionKiB: number;
    externalPerConnectionKiB: number;
    connectAllSeconds: number;
    connectMedianMs: number;
    connectMaxMs: number;
    existsMinMs: number;
    existsMedianMs: number;
    existsMaxMs: number;
  }[] = [];
  if (selected("h")) {
    const runtimes: [string, string[] | null][] = [
      ["deno", [DENO, "run", "-A", "--no-config", "--v8-flags=--expose-gc"]],
      ["bun", (await bun()) ? [bunBinary!] : null],
      // Diagnostic, not a target: V8's young generation held at 2 MiB semi-spaces. V8 doubles
      // them (+3 MiB RSS, once) when more bytes have survived scavenges since the last growth
      // than the semi-space holds; ~100 connections set up cross that line (`--trace-gc-nvp`:
      // new_space_capacity 2 -> 4 MiB), a one-time cost the RSS growth over N spreads over them.
      [DIAGNOSTIC_SEMI_SPACE, [
        DENO,
        "run",
        "-A",
        "--no-config",
        "--v8-flags=--expose-gc,--max-semi-space-size=2",
      ]],
    ];
    for (const n of H_COUNTS) {
      for (const [runtime, cmd] of runtimes) {
        if (!cmd) continue;
        const job = {
          client: `${runtime}-imaplib`,
          workload: "h",
          host: "127.0.0.1",
          port: fixture!.imapPort,
          connections: n,
          accounts: H_USERS,
        };
        const out = await run([
          ...cmd,
          `${BENCH}/clients/idle_many.ts`,
          JSON.stringify(job),
        ], {
          cwd: workDir,
        });
        const line = out.stdout.trim().split("\n").pop() ?? "";
        if (out.code !== 0) {
          throw new Error(
            `(h) ${runtime} ${n} failed (${out.code}):\n${out.stderr.slice(-4000)}`,
          );
        }
        const r = JSON.parse(line);
        const lat = r.samplesMs as number[];
        const row = {
          runtime,
          diagnostic: runtime === DIAGNOSTIC_SEMI_SPACE,
          connections: n,
          rssPerConnectionKiB: (r.rssAfterKiB - r.rssBeforeKiB) / n,
          rssPerFurtherConnectionKiB: (r.rssAfterKiB - r.rssHalfKiB) / (n - r.half),
          heapPerConnectionKiB: r.heapUsedGrowthKiB / n,
          externalPerConnectionKiB: r.externalGrowthKiB / n,
          connectAllSeconds: r.seconds,
          connectMedianMs: median(r.connectMs),
          connectMaxMs: Math.max(...r.connectMs),
          existsMinMs: Math.min(...lat),
          existsMedianMs: median(lat),
          existsMaxMs: Math.max(...lat),
        };
        many.push(row);
        console.error(
          `[bench] (h) ${runtime} N=${n}: ${fmt(row.rssPerConnectionKiB, 0)} KiB RSS per ` +
            `connection (second half ${fmt(row.rssPerFurtherConnectionKiB, 0)}; heap ${
              fmt(row.heapPerConnectionKiB, 0)
            }, external ` +
            `${fmt(row.externalPerConnectionKiB, 0)}), connect all ${fmt(r.seconds, 2)} s, ` +
            `EXISTS ${fmt(row.existsMinMs, 0)}..${fmt(row.existsMaxMs, 0)} ms`,
        );
      }
    }
  }

  // (e), typed layer: parseFetch() on the imaplib data of the (b) recording.
  let typed: {
    messages: number;
    bytes: number;
    medianSeconds: number;
    coldSeconds: number;
    messagesPerSecond: number;
    targetPerSecond: number;
    minSeconds: number;
    cpuSecondsPerRun: number;
    messagesPerCpuSecond: number;
    loadavg: string;
  } | null = null;
  if (selected("e") && recordings.b) {
    const out = await run([
      DENO,
      "run",
      "-A",
      "--no-config",
      `${BENCH}/typed_recorded.ts`,
      JSON.stringify({
        client: "typed-recorded",
        record: recordings.b,
        iterations: TYPED_ITERATIONS,
      }),
    ], { cwd: workDir });
    if (out.code !== 0) throw new Error(`typed_recorded (b) failed:\n${out.stderr}`);
    typed = JSON.parse(out.stdout.trim().split("\n").pop()!);
    console.error(
      `[bench] (e) typed parseFetch on (b): ${fmt(typed!.medianSeconds * 1000, 2)} ms, ` +
        `${int(typed!.messagesPerSecond)} messages/s`,
    );
  }

  // CPU profile of the library client (BENCH_PROFILE=1).
  const profiles: ({ client: string; workload: string; seconds: number } & ProfileSummary)[] = [];
  if (PROFILE) {
    const lib = CLIENTS.find((c) => c.id === PROFILE_CLIENT);
    if (lib === undefined) {
      throw new Error(`BENCH_PROFILE_CLIENT: unknown client ${PROFILE_CLIENT}`);
    }
    for (const w of workloads.filter((w) => w.id === "a" || w.id === "b")) {
      const dir = await Deno.makeTempDir({
        dir: workDir,
        prefix: `prof-${w.id}-`,
      });
      const s = await runClient(
        lib,
        jobFor(lib, w.id, w.mailbox, { items: w.items, query: w.query, profileMarks: true }),
        0,
        ["--cpu-prof", `--cpu-prof-dir=${dir}`],
      );
      for await (const e of Deno.readDir(dir)) {
        if (!e.name.endsWith(".cpuprofile")) continue;
        const profile = JSON.parse(await Deno.readTextFile(`${dir}/${e.name}`));
        const summary = summariseProfile(profile);
        profiles.push({ client: lib.id, workload: w.id, seconds: s.seconds, ...summary });
        console.error(
          `[bench] profile (${w.id}): FETCH ${fmt(s.seconds, 3)} s under --cpu-prof, ` +
            `${summary.sampledMs} ms sampled (${summary.window} window), self time:`,
        );
        for (const t of summary.top) {
          console.error(
            `  ${String(t.selfPercent).padStart(5)}%  ${t.function}`,
          );
        }
        console.error(
          `  by file: ${summary.byFile.map((f) => `${f.file} ${f.selfPercent}%`).join(", ")}`,
        );
        if (Deno.env.get("BENCH_PROFILE_KEEP")) {
          const keep = `${BENCH}/results/profile-${w.id}.cpuprofile`;
          await Deno.mkdir(`${BENCH}/results`, { recursive: true });
          await Deno.copyFile(`${dir}/${e.name}`, keep);
          console.error(`[bench] kept ${keep}`);
        }
      }
    }
  }

  env.loadavgAtEnd = (await Deno.readTextFile("/proc/loadavg").catch(() => ""))
    .split(" ")
    .slice(0, 3).join(" ");
  const failed = reports.some((r) => r.checks.some((c) => c.startsWith("FAIL")));
  const totalSeconds = (performance.now() - t0) / 1000;
  const results = {
    env: { ...env, totalSeconds: Math.round(totalSeconds) },
    settings: {
      ROUNDS,
      B_ROUNDS,
      IDLE_SAMPLES,
      BENCH_ONLY: ONLY ? [...ONLY] : null,
      BENCH_CLIENTS: CLIENT_FILTER ? [...CLIENT_FILTER] : null,
      A_COUNT,
      B_COUNT,
      A1K_COUNT,
      DECODER_ITERATIONS,
      TYPED_ITERATIONS,
      BENCH_WARM: WARM_REPEATS,
    },
    seeding,
    skipped,
    fetch: reports,
    idle,
    manyIdle: many,
    decoder: { rows: decoder, peakRssMiB: decoderRssMiB },
    typed,
    profiles,
    ok: !failed,
  };

  // Markdown.
  const md: string[] = [
    `## ${env.date.slice(0, 10)}: full harness (\`deno run -A bench/harness.ts\`)`,
    "",
    `Started ${env.date}. Machine: ${env.nproc} cores (${env.cpu}), ${env.memoryGiB} GiB, Linux ` +
    `${env.kernel}. Deno ${env.deno}, Node ${env.node}, Python ${env.python}, Dovecot ` +
    `${env.dovecot}, imapflow ${env.imapflow}. Loopback TCP (implicit TLS for (g), plain otherwise), LOGIN; every client in its ` +
    `own process; ${ROUNDS} interleaved rounds, ${roundsOf("b")} for (b) (client order rotated ` +
    `each round); FETCH time ` +
    `measured inside each client from sending FETCH to the tagged OK; MB/s = bytes on the wire ` +
    `(as read by the floors) / median s; peak RSS = ${env.rssFrom}, max over rounds; process ` +
    `CPU s = user+sys of the whole client process (startup included), median. Load average ` +
    `${env.loadavgAtStart} at start, ${env.loadavgAtEnd} at the end. Run took ${
      int(totalSeconds)
    } s. Memory on this machine: the first write of fresh memory (a new 128 MiB buffer in a ` +
    `new Deno process) costs ${fmt(env.freshMemory.firstWriteMsPerMiB, 2)} ms/MiB, a second ` +
    `write of the same memory ${fmt(env.freshMemory.rewriteMsPerMiB, 2)} ms/MiB: a client that ` +
    `keeps 100 MB pays ~${int(env.freshMemory.firstWriteMsPerMiB * 96)} ms for that alone, ` +
    `which the discarding floors never pay (see "raw socket keeping the bytes").`,
    "",
    `Seeded (fixed-seed PRNG, maildir files written directly): A ${int(seeding.A.messages)} ` +
    `messages, ${fmt(seeding.A.bytes / 1e6, 1)} MB; B ${int(seeding.B.messages)} messages, ` +
    `${fmt(seeding.B.bytes / 1e6, 1)} MB; A1k ${int(seeding.A1k.messages)} messages, ` +
    `${fmt(seeding.A1k.bytes / 1e6, 1)} MB; generated in ${fmt(seeding.generateSeconds, 1)} s, ` +
    `written in ${fmt(seeding.writeSeconds, 1)} s.` +
    (skipped.length ? ` Skipped: ${skipped.join("; ")}.` : ""),
    "",
  ];
  for (const r of reports) md.push(fetchTable(r));
  const ra = reports.find((r) => r.id === "a"),
    rf = reports.find((r) => r.id === "f");
  if (ra && rf) {
    md.push(
      `### (f) scaling: (a) on A (${int(ra.messages)} messages) vs A1k (${int(rf.messages)})`,
      "",
      "| client | A1k s | A s | A / A1k (linear: " +
        `${fmt(ra.wireBytes / rf.wireBytes, 2)}) | µs per message, A1k | µs per message, A |`,
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const s of ra.clients) {
      const k = rf.clients.find((x) => x.client === s.client);
      if (!k) continue;
      md.push(
        `| ${s.label} | ${fmt(k.medianSeconds, 3)} | ${fmt(s.medianSeconds, 3)} | ` +
          `${fmt(s.medianSeconds / k.medianSeconds)} | ${
            fmt(k.medianSeconds / rf.messages * 1e6, 0)
          }` +
          ` | ${fmt(s.medianSeconds / ra.messages * 1e6, 0)} |`,
      );
    }
    md.push("");
  }
  if (idle.length) {
    md.push(
      `### (d) IDLE notification latency on A: APPEND's tagged OK (second connection) to EXISTS ` +
        `yielded, ${IDLE_SAMPLES} samples (Dovecot itself delays notifications ~0.5 s)`,
      "",
      "| client | median ms | p95 ms | min..max ms | peak RSS MiB | median minus floor |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    const fl = idle.find((x) => x.client === "deno-floor");
    for (const x of idle) {
      md.push(
        `| ${x.label} | ${fmt(x.medianMs, 1)} | ${fmt(x.p95Ms, 1)} | ${fmt(x.minMs, 1)}..` +
          `${fmt(x.maxMs, 1)} | ${fmt(x.peakRssMiB, 0)} | ${
            fl ? `${fmt(x.medianMs - fl.medianMs, 1)} ms` : "-"
          } |`,
      );
    }
    md.push("");
  }
  if (many.length) {
    md.push(
      `### (h) many idle connections in one process (LOGIN, SELECT its own mailbox, IDLE; ` +
        `spread over ${H_USERS.length} users; then one APPEND per mailbox from another ` +
        `connection, all yield EXISTS)`,
      "",
      "RSS growth from before the first connection to all of them idling, after a GC, over N " +
        "(the target's figure); the connections open in two halves, and the second half's " +
        "growth over its count is what a further connection costs once the process's one-time " +
        "costs (code compiled on first use, heap and allocator growth) are paid. Dovecot polls each mailbox every second here (past the kernel's inotify instance " +
        "limit it cannot watch them), so EXISTS latencies spread over ~1 s.",
      "",
      "| runtime | N | RSS KiB per connection | RSS KiB per connection, second half | JS heap " +
        "KiB per connection | external KiB per connection | connect all s | connect ms median / " +
        "max | EXISTS ms min / median / max |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const x of many) {
      md.push(
        `| ${x.runtime} | ${x.connections} | ${fmt(x.rssPerConnectionKiB, 0)} | ` +
          `${fmt(x.rssPerFurtherConnectionKiB, 0)} | ${fmt(x.heapPerConnectionKiB, 1)} | ${
            fmt(x.externalPerConnectionKiB, 1)
          } | ` +
          `${fmt(x.connectAllSeconds, 2)} | ${fmt(x.connectMedianMs, 0)} / ` +
          `${fmt(x.connectMaxMs, 0)} | ${fmt(x.existsMinMs, 0)} / ${fmt(x.existsMedianMs, 0)} / ` +
          `${fmt(x.existsMaxMs, 0)} |`,
      );
    }
    md.push("");
  }
  if (decoder.length) {
    md.push(
      `### (e) decoding recorded Dovecot streams in memory (64 KiB chunks, ` +
        `${DECODER_ITERATIONS} iterations, no network; peak RSS ${fmt(decoderRssMiB, 0)} MiB)`,
      "",
      "| stream | path | ms, median (min..max) | MB/s | responses/s |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const d of decoder) {
      md.push(
        `| ${d.stream}, ${fmt(d.bytes / 1e6, 1)} MB | ${d.mode} | ${
          fmt(d.medianSeconds * 1000, 1)
        } ` +
          `(${fmt(d.minSeconds * 1000, 1)}..${fmt(d.maxSeconds * 1000, 1)}) | ${
            fmt(d.mbPerSecond, 0)
          } ` +
          `| ${int(d.responsesPerSecond)} |`,
      );
    }
    md.push("");
  }
  if (typed) {
    md.push(
      `### (e) typed layer: \`parseFetch()\` on the (b) recording's imaplib data ` +
        `(bench/typed_recorded.ts, ${TYPED_ITERATIONS} iterations)`,
      "",
      `${int(typed.messages)} messages (${fmt(typed.bytes / 1e6, 1)} MB on the wire): median ` +
        `${fmt(typed.medianSeconds * 1000, 2)} ms, first run ${fmt(typed.coldSeconds * 1000, 1)} ` +
        `ms; **${int(typed.messagesPerSecond)} messages/s** (target ` +
        `${int(typed.targetPerSecond)}). Best run ${fmt(typed.minSeconds * 1000, 2)} ms ` +
        `(${int(typed.messages / typed.minSeconds)} messages/s); process CPU ` +
        `${fmt(typed.cpuSecondsPerRun * 1000, 2)} ms per run ` +
        `(${int(typed.messagesPerCpuSecond)} messages per CPU second); load ${typed.loadavg}.`,
      "",
    );
  }
  for (const p of profiles) {
    md.push(
      `### CPU profile of ${p.client} on Deno, workload (${p.workload}): \`--cpu-prof\`, FETCH ` +
        `${fmt(p.seconds, 3)} s, ${p.sampledMs} ms sampled (${p.window} window)`,
      "",
      `Self time by file: ${p.byFile.map((f) => `\`${f.file}\` ${f.selfPercent}%`).join(", ")}.`,
      "",
      "| self % | function |",
      "| --- | --- |",
      ...p.top.map((t) => `| ${t.selfPercent} | \`${t.function}\` |`),
      "",
    );
  }
  // Each target of issue 11 with its status in this run (bench/chart.ts), and the chart.
  md.push(...targetMarkdown(results as unknown as Results));
  if (WRITE) {
    md.push("Chart: [results.svg](results.svg) (redraw with `deno run -R -W bench/chart.ts`).", "");
  }
  const markdown = md.join("\n");
  console.log(markdown);

  if (WRITE) {
    await Deno.writeTextFile(
      `${BENCH}/results.json`,
      JSON.stringify(results, null, 2) + "\n",
    );
    await Deno.writeTextFile(`${BENCH}/results.svg`, chartSvg(results as unknown as Results));
    const prev = await Deno.readTextFile(`${BENCH}/RESULTS.md`).catch(() => "# Results\n");
    await Deno.writeTextFile(
      `${BENCH}/RESULTS.md`,
      `${prev.trimEnd()}\n\n${markdown.trimEnd()}\n`,
    );
    // The project's `deno fmt --check` covers these files: format them with its config.
    const fmt = await run(
      [
        DENO,
        "fmt",
        "--config",
        `${ROOT}/deno.json`,
        `${BENCH}/results.json`,
        `${BENCH}/RESULTS.md`,
      ],
      { timeoutS: 60 },
    );
    if (fmt.code !== 0) console.error(`[bench] deno fmt failed: ${fmt.stderr}`);
    console.error(
      "[bench] wrote bench/results.json and appended to bench/RESULTS.md",
    );
  }
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  if (!stopping) {
    console.error(`[bench] ${e instanceof Error ? e.stack ?? e.message : e}`);
  }
} finally {
  await cleanUp();
}
Deno.exit(code);
