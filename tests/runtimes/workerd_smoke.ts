// A smoke run of examples/edge/worker.ts on workerd (Cloudflare's Workers runtime, from npm),
// against the Dovecot fixture of `deno task test` (IMAPLIB_FIXTURE). A Deno script, not a test
// file: `deno run -A tests/runtimes/workerd_smoke.ts`.
//
// It bundles the worker with Bun, then for each scenario writes examples/edge/config.capnp into
// a temporary directory with the fixture's port, bob's credentials, a free loopback port and
// (unless the scenario says not to) the fixture's CA as `trustedCertificates`, starts workerd,
// waits until it accepts connections, and calls the worker's fetch handler, which streams
// `{"event":"idling"}` and then the job's JSON summary. In the first scenario this script
// APPENDs a message to bob's INBOX (with the library, over its own connection) as soon as the
// worker reports it is idling, and the summary must show the EXISTS it caused. workerd is
// stopped (the process and anything under it) after each scenario; the directory is removed.
// Prints one line per check and a closing "N passed, N failed" line; exits 1 on a failure.
//
// workerd's outbound network allows only public addresses by default: the config's "internet"
// network service allows "local" too (127.0.0.0/8), which the fixture needs. The fixture's
// private CA goes to that service's `tlsOptions.trustedCertificates`; on Cloudflare itself
// only public CAs are trusted, so real deployments use a server with a public certificate.
// The scheduled() handler is not exercised: plain workerd has no cron trigger to fire on demand.

import { IMAP4 } from "../../mod.ts";
import { fixtureFromEnv } from "../../scripts/dovecot.ts";
import { assert, Checks } from "./_checks.ts";

const WORKERD = "workerd@1.20261117.1"; // npm, pinned
const BUN = "bun@1.4.5";
const root = new URL("../..", import.meta.url).pathname;
const info = fixtureFromEnv();
if (!info) throw new Error("IMAPLIB_FIXTURE is not set: run through `deno task test`");
const { user, password } = info.users[1]; // bob: a quote and a backslash in the password
const text = new TextDecoder();
const checks = new Checks("workerd");
const check = checks.check.bind(checks);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command to completion within `ms`, returning stdout; throws on failure. */
async function output(cmd: string, args: string[], ms: number): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(ms),
  }).output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: exit ${out.code}\n${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout);
}

/** A Cap'n Proto text literal (C escapes; control characters as `\xNN`). */
function capnpText(s: string): string {
  let out = "";
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === "\\" || c === '"') out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += c;
  }
  return `"${out}"`;
}

/** Replaces `from` in `s`, which must occur exactly once (so that config drift fails loudly). */
function replaceOnce(s: string, from: string | RegExp, to: string): string {
  const count = typeof from === "string" ? s.split(from).length - 1 : s.match(from)?.length ?? 0;
  if (count !== 1) throw new Error(`config.capnp: ${from} occurs ${count} times, not once`);
  return s.replace(from, () => to);
}

/** examples/edge/config.capnp with these bindings, listen port and CA setting. */
function configFor(template: string, port: number, bindings: Record<string, string>, ca: boolean) {
  let config = replaceOnce(template, `address = "127.0.0.1:8787"`, `address = "127.0.0.1:${port}"`);
  for (const [name, value] of Object.entries(bindings)) {
    const binding = new RegExp(`\\(name = "${name}", text = "(?:[^"\\\\]|\\\\.)*"\\)`, "g");
    config = replaceOnce(config, binding, `(name = "${name}", text = ${capnpText(value)})`);
  }
  if (ca) {
    config = replaceOnce(
      config,
      "tlsOptions = (trustBrowserCas = true)",
      `tlsOptions = (trustBrowserCas = true, trustedCertificates = [embed "ca.pem"])`,
    );
  }
  return config;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Pids of `pid` and of every process under it (Linux /proc). */
async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(Number(entry.name));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/** A running workerd; its stdout and stderr are collected for failure messages. */
class Workerd {
  readonly #child: Deno.ChildProcess;
  #log = "";
  readonly #drained: Promise<unknown>;
  exited = false;

  constructor(binary: string, configPath: string) {
    this.#child = new Deno.Command(binary, {
      args: ["serve", "--verbose", configPath],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child.status.then(() => this.exited = true);
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) this.#log += text.decode(chunk);
    };
    this.#drained = Promise.all([drain(this.#child.stdout), drain(this.#child.stderr)]);
  }

  get log(): string {
    return this.#log;
  }

  /** Waits (at most `ms`) until the port accepts a connection. */
  async ready(port: number, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`workerd exited:\n${this.#log}`);
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`workerd did not listen on ${port} within ${ms} ms:\n${this.#log}`);
  }

  /** SIGTERM to workerd and everything under it; SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const tree = this.exited ? [] : await processTree(this.#child.pid);
    const signal = (sig: Deno.Signal) => {
      for (const pid of tree) {
        try {
          Deno.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 5000);
    await this.#child.status;
    clearTimeout(timer);
    signal("SIGKILL"); // anything under it that outlived it
    await Promise.race([this.#drained, sleep(2000)]);
  }
}

/** What the worker's fetch handler streamed: the events, then the summary. */
interface Run {
  events: string[];
  summary: {
    ok: boolean;
    login?: string;
    unseen?: number;
    exists?: number[];
    error?: string;
    ms: number;
  };
}

/** Calls the worker; `onIdling` runs when it reports `{"event":"idling"}`. 30 s at most. */
async function callWorker(port: number, onIdling?: () => Promise<void>): Promise<Run> {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    signal: AbortSignal.timeout(30_000),
  });
  assert(response.ok, `HTTP ${response.status}`);
  const events: string[] = [];
  let summary: Run["summary"] | undefined;
  let pending = "";
  let hook: Promise<void> | undefined;
  for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const value = JSON.parse(line);
      if (typeof value.event === "string") {
        events.push(value.event);
        if (value.event === "idling" && onIdling) {
          hook = onIdling();
          hook.catch(() => {}); // awaited (and thrown) below, once the stream has ended
        }
      } else summary = value;
    }
  }
  await hook;
  assert(summary, `no summary in the response (events: ${events.join(", ")})`);
  return { events, summary };
}

// Set up by the first check, shared by the scenarios.
const dir = await Deno.makeTempDir({ prefix: "imaplib-workerd-" });
let binary = ""; // the workerd executable
let template = ""; // examples/edge/config.capnp
let current: Workerd | null = null;

/** Serves the worker with these settings, calls it, stops workerd. */
async function scenario(
  name: string,
  bindings: Record<string, string>,
  ca: boolean,
  onIdling?: () => Promise<void>,
): Promise<Run & { log: string }> {
  const port = freePort();
  const configPath = `${dir}/${name}.capnp`;
  await Deno.writeTextFile(configPath, configFor(template, port, bindings, ca));
  const workerd = current = new Workerd(binary, configPath);
  try {
    await workerd.ready(port);
    return { ...await callWorker(port, onIdling), log: workerd.log };
  } finally {
    await workerd.stop();
    current = null;
  }
}

const account = {
  IMAP_HOST: info.host, // "localhost": the name in the fixture's certificate
  IMAP_USER: user,
  IMAP_PASSWORD: password,
};
const plainPort = String(info.imapPort);
const tls = { caCerts: [info.caCertPem] };

try {
  await check(`bundle the worker (${BUN} build --target=browser), resolve ${WORKERD}`, async () => {
    await output("npx", [
      "-y",
      BUN,
      "build",
      "examples/edge/worker.ts",
      "--target=browser",
      "--format=esm",
      "--external",
      "cloudflare:sockets",
      "--external",
      "node:*", // the library's Node transport, never loaded on workerd
      `--outfile=${dir}/worker.js`,
    ], 120_000);
    await Deno.writeTextFile(`${dir}/ca.pem`, info.caCertPem);
    template = await Deno.readTextFile(`${root}examples/edge/config.capnp`);
    // The native binary itself (npx would sit between us and it); the first run downloads it.
    const bin = await output("npx", ["-y", "-p", WORKERD, "-c", "command -v workerd"], 180_000);
    binary = await Deno.realPath(bin.trim());
    checks.label = `workerd ${(await output(binary, ["--version"], 10_000)).trim().split(" ")[1]}`;
  });

  if (binary) {
    await check(
      "STARTTLS verified, LOGIN, SELECT, SEARCH UNSEEN, IDLE woken by APPEND",
      async () => {
        // What the worker must find, seen over a connection of our own, which then APPENDs.
        const M = await IMAP4.connect(info.host, info.imapPort, {
          starttls: true,
          tls,
          timeout: 10,
        });
        try {
          await M.login(user, password);
          const [, [count]] = await M.select("INBOX");
          const exists = Number(text.decode(count as Uint8Array));
          const [, [ids]] = await M.search(null, "UNSEEN");
          const unseen = text.decode(ids as Uint8Array).split(" ").filter(Boolean).length;
          const bindings = { ...account, IMAP_PORT: plainPort, IMAP_TLS: "starttls" };
          const run = await scenario(
            "starttls",
            // Dovecot notifies after ~0.5 s; 6 s leaves room on a loaded 2-core machine (3 s
            // was seen to miss the EXISTS once while other suites ran).
            { ...bindings, IDLE_SECONDS: "6" },
            true,
            () =>
              M.append("INBOX", null, null, "Subject: workerd smoke\r\n\r\nduring idle\r\n")
                .then(() => {}),
          );
          const { summary } = run;
          assert(summary.ok && summary.login === "OK", `summary: ${JSON.stringify(summary)}`);
          assert(typeof summary.unseen === "number", "UNSEEN count is not a number");
          assert(summary.unseen === unseen, `UNSEEN ${summary.unseen}, expected ${unseen}`);
          assert(run.events.includes("idling"), "the worker never reported idling");
          assert(
            summary.exists?.includes(exists + 1),
            `EXISTS ${summary.exists}, not ${exists + 1}`,
          );
        } finally {
          await M.logout().catch(() => M.shutdown());
        }
      },
    );

    await check("IMAP_TLS=on: implicit TLS (IMAPS) verified against the fixture CA", async () => {
      const bindings = { ...account, IMAP_PORT: String(info.imapsPort), IMAP_TLS: "on" };
      const { summary } = await scenario("on", { ...bindings, IDLE_SECONDS: "0.2" }, true);
      assert(summary.ok && typeof summary.unseen === "number", JSON.stringify(summary));
    });

    await check("IMAP_TLS=off: the plain port, LOGIN in clear", async () => {
      const bindings = { ...account, IMAP_PORT: plainPort, IMAP_TLS: "off" };
      const { summary } = await scenario("off", { ...bindings, IDLE_SECONDS: "0.2" }, true);
      assert(summary.ok && typeof summary.unseen === "number", JSON.stringify(summary));
    });

    await check("STARTTLS to a certificate from an unknown CA fails before LOGIN", async () => {
      const bindings = { ...account, IMAP_PORT: plainPort, IMAP_TLS: "starttls" };
      // Public CAs only: the fixture's CA is unknown.
      const run = await scenario("unknown_ca", { ...bindings, IDLE_SECONDS: "0.2" }, false);
      const { summary } = run;
      // A connection error from the handshake, not LOGIN's answer: the password was never sent.
      assert(
        !summary.ok && /^IMAP4(Connection|Tls)Error/.test(summary.error ?? ""),
        JSON.stringify(summary),
      );
      // The worker only sees "internal error"; workerd logs the reason.
      assert(/UnknownIssuer|certificate/i.test(run.log), `no certificate error in:\n${run.log}`);
    });
  }
} finally {
  await (current as Workerd | null)?.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

console.log(checks.summary());
if (checks.failed) Deno.exit(1);
