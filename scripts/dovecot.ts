// A private, self-contained Dovecot for the real-server tests, which changes nothing on the
// machine: Debian's dovecot-core and dovecot-imapd are downloaded and unpacked into the checkout's
// cache (scripts/_packages.ts), never installed, and run in a private mount namespace that overlays
// the unpacked usr/ on /usr.
//
// As a module: prepareDovecot() fetches and unpacks the packages unless the cache already holds
// them, startDovecot() runs a Dovecot of our own in a fresh temporary directory (loopback only,
// random free ports, throwaway CA, users with known passwords, ACL and QUOTA plugins) and returns a
// DovecotFixture. The test runner hands the fixture to the test processes as JSON in the
// IMAPLIB_FIXTURE environment variable (fixtureToEnv / fixtureFromEnv).
//
// As a CLI (`deno run -A scripts/dovecot.ts`): prepares Dovecot, starts the fixture, prints the
// FixtureInfo JSON on one stdout line and stays up until SIGINT or SIGTERM.
//
// Only fixtureFromEnv, streamCommandFor and shellQuote are runtime-neutral (tests may run under
// Bun); everything else uses Deno APIs and must run as root (Dovecot's master, unshare, mount).
// The parts: scripts/_packages.ts (download, unpack, overlay), scripts/_dovecot_config.ts
// (dovecot.conf, certificates, accounts), scripts/_ports.ts (ports, greetings), scripts/_process.ts.

import { dovecotConf, lookupId, makeCertificates, mutf7 } from "./_dovecot_config.ts";
import { freePorts, ipv6LoopbackUsable, probe, probeTcp } from "./_ports.ts";
import { overlayArgv, overlayScript, type Unpacked, unpackPackages } from "./_packages.ts";
import {
  alive,
  allPids,
  exists,
  killChildTree,
  processTree,
  readProc,
  run,
  sameProcessAlive,
  signal,
  sleep,
  waitFor,
} from "./_process.ts";

/** A mail account of the fixture. */
export interface TestUser {
  /** The login name. */
  user: string;
  /** The password, stored as `{PLAIN}` so LOGIN, AUTHENTICATE PLAIN and CRAM-MD5 all work. */
  password: string;
}

/** The plain data of a running fixture: what travels to the tests in `IMAPLIB_FIXTURE`. */
export interface FixtureInfo {
  /** The server name in the certificate: "localhost". Use it for TLS host name checks. */
  host: string;
  /** The address the server listens on: "127.0.0.1" (also `::1` when IPv6 loopback exists). */
  address: string;
  /** Plain IMAP port (STARTTLS offered, LOGIN allowed without TLS). */
  imapPort: number;
  /** Implicit-TLS IMAPS port. */
  imapsPort: number;
  /** PEM of the throwaway CA that signed the server certificate. */
  caCertPem: string;
  /** Path of the same CA certificate in PEM. */
  caCertPath: string;
  /** The accounts, with their passwords. */
  users: TestUser[];
  /** The fixture's temporary directory (config, certificates, homes, logs, sockets). */
  dir: string;
  /** Path of the generated dovecot.conf. */
  configPath: string;
  /**
   * Shell command (for `sh -c`) running the preauthenticated imap binary on stdin/stdout, with
   * `{user}` where the shell-quoted user name goes. See streamCommandFor().
   */
  streamCommandTemplate: string;
}

/** A running private Dovecot. */
export interface DovecotFixture {
  /** The server name in the certificate: "localhost". */
  readonly host: string;
  /** The address the server listens on: "127.0.0.1". */
  readonly address: string;
  /** Plain IMAP port (STARTTLS offered, LOGIN allowed without TLS). */
  readonly imapPort: number;
  /** Implicit-TLS IMAPS port. */
  readonly imapsPort: number;
  /** PEM of the throwaway CA that signed the server certificate. */
  readonly caCertPem: string;
  /** Path of the CA certificate in PEM. */
  readonly caCertPath: string;
  /** The accounts, with their passwords. */
  readonly users: TestUser[];
  /** The fixture's temporary directory; removed by stop(). */
  readonly dir: string;
  /** Path of the generated dovecot.conf. */
  readonly configPath: string;
  /** Pid of the Dovecot master process (`dovecot -F`). */
  readonly pid: number;
  /** A shell command running the preauthenticated imap binary for `user` over stdin/stdout. */
  streamCommand(user: string): string;
  /**
   * Writes messages straight into a mailbox of `user`'s maildir (created when missing), as new
   * (\Recent) messages. Open sessions see new messages at their next NOOP/IDLE; a mailbox this
   * creates shows in LIST only for sessions that log in afterwards (Dovecot's mailbox list index
   * caches the folder list per session), though SELECT and STATUS find it at once.
   */
  seed(user: string, mailbox: string, messages: Uint8Array[]): Promise<void>;
  /** Stops Dovecot, checks none of its processes remain, removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** The plain data, as carried in `IMAPLIB_FIXTURE`. */
  info(): FixtureInfo;
}

/** Options of startDovecot(). */
export interface StartOptions {
  /** The accounts to create; the default users when omitted. */
  users?: TestUser[];
  /**
   * A server certificate and key (PEM) to serve instead of the one issued by the fixture's CA,
   * e.g. a self-signed or expired one for certificate-failure tests. `caCertPem` still names
   * the fixture's own CA, which did not issue this certificate.
   */
  certificate?: { certPem: string; keyPem: string };
  /** Lines appended to the generated dovecot.conf (later settings override earlier ones). */
  extraConfig?: string;
}

/** The environment variable that carries the FixtureInfo JSON to the tests. */
export const FIXTURE_ENV = "IMAPLIB_FIXTURE";

/** The accounts created when startDovecot() is given none. */
export const DEFAULT_USERS: readonly TestUser[] = Object.freeze([
  Object.freeze({ user: "alice", password: "alice-pass" }),
  // A space, a double quote and a backslash: LOGIN must quote it (RFC 3501 quoted string).
  Object.freeze({ user: "bob", password: 'bob "quoted" back\\slash pass' }),
]);

// Paths as the packages install them: valid inside the overlay namespace.
const DOVECOT = "/usr/sbin/dovecot";
const IMAP_BINARY = "/usr/lib/dovecot/imap";
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Runtime-neutral helpers (no Deno API at module top level).

/** Quotes a string for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The shell command running the preauthenticated imap binary for `user` (see FixtureInfo). */
export function streamCommandFor(
  info: Pick<FixtureInfo, "streamCommandTemplate">,
  user: string,
): string {
  return info.streamCommandTemplate.replaceAll("{user}", shellQuote(user));
}

/** The JSON for `IMAPLIB_FIXTURE`. */
export function fixtureToEnv(fixture: DovecotFixture | FixtureInfo): string {
  const f = fixture as FixtureInfo & Partial<DovecotFixture>;
  const info: FixtureInfo = {
    host: f.host,
    address: f.address,
    imapPort: f.imapPort,
    imapsPort: f.imapsPort,
    caCertPem: f.caCertPem,
    caCertPath: f.caCertPath,
    users: f.users.map(({ user, password }) => ({ user, password })),
    dir: f.dir,
    configPath: f.configPath,
    streamCommandTemplate: f.streamCommandTemplate ??
      streamTemplate(f.dir, f.configPath),
  };
  return JSON.stringify(info);
}

/**
 * The fixture the test runner passed in `IMAPLIB_FIXTURE`, or null when the variable is unset
 * (the tests were not started by `deno task test`). Throws when it is set but malformed.
 */
export function fixtureFromEnv(): FixtureInfo | null {
  const raw = readEnv(FIXTURE_ENV);
  if (raw === undefined || raw === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${FIXTURE_ENV} is not JSON: ${(e as Error).message}`);
  }
  const v = value as Record<string, unknown>;
  const bad = (field: string) => new Error(`${FIXTURE_ENV}: missing or bad field "${field}"`);
  if (typeof v !== "object" || v === null) {
    throw new Error(`${FIXTURE_ENV} is not an object`);
  }
  for (
    const field of [
      "host",
      "address",
      "caCertPem",
      "caCertPath",
      "dir",
      "configPath",
    ]
  ) {
    if (typeof v[field] !== "string") throw bad(field);
  }
  for (const field of ["imapPort", "imapsPort"]) {
    if (!Number.isInteger(v[field])) throw bad(field);
  }
  if (typeof v.streamCommandTemplate !== "string") {
    throw bad("streamCommandTemplate");
  }
  if (
    !Array.isArray(v.users) ||
    !v.users.every((u) => typeof u?.user === "string" && typeof u?.password === "string")
  ) throw bad("users");
  return v as unknown as FixtureInfo;
}

function readEnv(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(name: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  if (g.Deno) return g.Deno.env.get(name);
  return g.process?.env[name];
}

/** Runs `<dir>/imap.sh` (see startDovecot()) through sh, so that a noexec /tmp does not matter. */
function streamTemplate(dir: string, configPath: string): string {
  return `/bin/sh ${shellQuote(`${dir}/imap.sh`)} -c ${shellQuote(configPath)} -u {user}`;
}

// ---------------------------------------------------------------------------------------------
// Preparing.

function log(message: string): void {
  console.error(`[dovecot] ${message}`);
}

let prepared: Promise<Unpacked> | null = null;

/**
 * Downloads Debian's dovecot-core and dovecot-imapd, and whatever of their dependencies this system
 * lacks, and unpacks them into `.fixture/dovecot/root` of the checkout (scripts/_packages.ts);
 * fast when the cache already holds them. Installs nothing. Returns the unpacked tree.
 */
export function prepareDovecot(): Promise<Unpacked> {
  prepared ??= unpackPackages({
    name: "dovecot",
    packages: ["dovecot-core", "dovecot-imapd"],
    need: [DOVECOT, IMAP_BINARY, "/usr/bin/doveconf"].map((p) => p.slice(1)),
  }).catch((e) => {
    prepared = null;
    throw e;
  });
  return prepared;
}

/** `dovecot --version` of the unpacked Dovecot, e.g. "2.3.19.1 (9b53102964)". */
export async function dovecotVersion(): Promise<string> {
  const { root } = await prepareDovecot();
  const [cmd, ...args] = overlayArgv(root, DOVECOT, ["--version"]);
  const r = await run(cmd, args);
  return r.code === 0 ? r.stdout.trim() : "";
}

// ---------------------------------------------------------------------------------------------
// Starting.

let seedCounter = 0;

/**
 * Starts a private Dovecot in a fresh temporary directory and waits until both ports greet.
 * Must run as root (the master binds and drops privileges; mail runs as nobody:nogroup).
 */
export async function startDovecot(
  options: StartOptions = {},
): Promise<DovecotFixture> {
  const users = (options.users ?? DEFAULT_USERS).map(({ user, password }) => ({
    user,
    password,
  }));
  for (const { user, password } of users) {
    if (!/^[A-Za-z0-9._-]+$/.test(user)) {
      throw new Error(`unsupported user name ${user}`);
    }
    if (/[:\r\n\0]/.test(password)) {
      throw new Error(`password of ${user} has ':', CR, LF or NUL`);
    }
  }
  if (Deno.uid() !== 0) throw new Error("startDovecot() must run as root");
  const { root } = await prepareDovecot();
  const t0 = performance.now();
  // Every Dovecot process that drops root runs as nobody:nogroup (see _dovecot_config.ts).
  const uid = await lookupId("/etc/passwd", "nobody");
  const gid = await lookupId("/etc/group", "nogroup");

  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "imaplib-dovecot-" }),
  );
  let child: Deno.ChildProcess | null = null;
  try {
    // The mail processes (nobody) must traverse dir to reach their homes.
    await Deno.chmod(dir, 0o755);
    for (const d of ["run", "state", "home"]) {
      await Deno.mkdir(`${dir}/${d}`, { mode: 0o755 });
    }
    for (const { user } of users) {
      const home = `${dir}/home/${user}`;
      await Deno.mkdir(home, { mode: 0o700 });
      await Deno.chown(home, uid, gid);
    }
    // The auth process (nobody:nogroup) reads the passwd-file.
    const passwd = `${dir}/passwd`;
    await Deno.writeTextFile(
      passwd,
      users.map(({ user, password }) => `${user}:{PLAIN}${password}::::::\n`)
        .join(""),
      { mode: 0o640 },
    );
    await Deno.chown(passwd, 0, gid);
    // The preauthenticated imap of streamCommand(), in its own overlay namespace.
    await Deno.writeTextFile(
      `${dir}/imap.sh`,
      overlayScript(root, IMAP_BINARY),
      { mode: 0o755 },
    );
    const made = await makeCertificates(dir);
    const { caPath } = made;
    let { cert, key } = made;
    if (options.certificate) {
      cert = `${dir}/tls/custom.pem`;
      key = `${dir}/tls/custom.key`;
      await Deno.writeTextFile(cert, options.certificate.certPem);
      await Deno.writeTextFile(key, options.certificate.keyPem, {
        mode: 0o600,
      });
    }
    const caCertPem = await Deno.readTextFile(caPath);
    const v6 = ipv6LoopbackUsable();
    const configPath = `${dir}/dovecot.conf`;
    const logPath = `${dir}/dovecot.log`;
    const instance = `imaplib-${dir.split("-").pop()}`;

    let imapPort = 0, imapsPort = 0;
    let stderrTail = "";
    let drained: Promise<void> = Promise.resolve();
    for (let attempt = 1;; attempt++) {
      [imapPort, imapsPort] = freePorts(2, v6);
      await Deno.writeTextFile(
        configPath,
        dovecotConf({
          dir,
          listen: v6 ? "127.0.0.1, ::1" : "127.0.0.1",
          imapPort,
          imapsPort,
          cert,
          key,
          passwd,
          instance,
        }) + (options.extraConfig ?? ""),
      );
      // unshare execs sh, which execs dovecot: the child's pid is the master's.
      const [cmd, ...args] = overlayArgv(root, DOVECOT, [
        "-F",
        "-c",
        configPath,
      ]);
      child = new Deno.Command(cmd, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      stderrTail = "";
      const proc = child;
      drained = Promise.all([proc.stdout, proc.stderr].map(async (s) => {
        const dec = new TextDecoder();
        for await (const chunk of s) {
          stderrTail = (stderrTail + dec.decode(chunk)).slice(-4000);
        }
      })).then(() => undefined, () => undefined);
      const state: { exited: Deno.CommandStatus | null } = { exited: null };
      proc.status.then((s) => state.exited = s);
      const up = await waitFor(async () => {
        if (state.exited) return true;
        // A custom certificate may be one no client accepts (that is its purpose): then only
        // check that the IMAPS port accepts connections.
        const [a, b] = await Promise.all([
          probe(imapPort, null),
          options.certificate ? probeTcp(imapsPort) : probe(imapsPort, { caCerts: [caCertPem] }),
        ]);
        return a !== null && b !== null;
      }, START_TIMEOUT_MS);
      const exited = state.exited;
      if (up && !exited) break;
      const logTail = await tail(logPath);
      child = null;
      await killChildTree(proc);
      await Promise.race([drained, sleep(1000)]);
      const why = `${logTail}\n${stderrTail}`;
      if (attempt < 3 && /Address already in use/.test(why)) {
        log(
          `port taken meanwhile (attempt ${attempt}); retrying with other ports`,
        );
        continue;
      }
      throw new Error(
        `Dovecot did not come up on 127.0.0.1:${imapPort}/${imapsPort} ` +
          `${exited ? `(exited with code ${exited.code})` : `within ${START_TIMEOUT_MS} ms`}.\n` +
          `--- tail of ${logPath} ---\n${logTail}\n--- dovecot stderr ---\n${stderrTail}`,
      );
    }
    const proc = child!;
    const pid = proc.pid;
    // The pid we track and stop must be the master itself, in its overlay namespace.
    const argv0 = (await readProc(pid, "cmdline"))?.split("\0")[0];
    const ns = await mountNamespace(pid);
    if (
      argv0 !== DOVECOT || ns === null || ns === await mountNamespace("self")
    ) {
      throw new Error(
        `pid ${pid} is not a Dovecot master in its own mount namespace (${argv0})`,
      );
    }
    const template = streamTemplate(dir, configPath);
    let stopping: Promise<void> | null = null;

    const fixture: DovecotFixture = {
      host: "localhost",
      address: "127.0.0.1",
      imapPort,
      imapsPort,
      caCertPem,
      caCertPath: caPath,
      users,
      dir,
      configPath,
      pid,
      streamCommand: (user) => streamCommandFor({ streamCommandTemplate: template }, user),
      info: () => JSON.parse(fixtureToEnv(fixture)),
      async seed(user, mailbox, messages) {
        if (!users.some((u) => u.user === user)) {
          throw new Error(`no such user ${user}`);
        }
        if (
          mailbox === "" || mailbox.startsWith(".") || /[/\r\n\0]/.test(mailbox)
        ) {
          throw new Error(
            `unsupported mailbox name for seed(): ${JSON.stringify(mailbox)}`,
          );
        }
        const home = `${dir}/home/${user}`;
        const maildir = `${home}/Maildir`;
        const folder = mailbox.toUpperCase() === "INBOX"
          ? maildir
          : `${maildir}/.${mutf7(mailbox)}`;
        const made: string[] = [];
        const mkdir = async (path: string) => {
          if (await exists(path)) return;
          await Deno.mkdir(path, { mode: 0o700 });
          made.push(path);
        };
        for (const sub of ["", "/cur", "/new", "/tmp"]) {
          await mkdir(`${maildir}${sub}`);
        }
        if (folder !== maildir) {
          await mkdir(folder);
          for (const sub of ["/cur", "/new", "/tmp"]) {
            await mkdir(`${folder}${sub}`);
          }
          if (!await exists(`${folder}/maildirfolder`)) {
            await Deno.writeFile(`${folder}/maildirfolder`, new Uint8Array(), {
              mode: 0o600,
            });
            made.push(`${folder}/maildirfolder`);
          }
        }
        for (const path of made) await Deno.chown(path, uid, gid);
        const host = Deno.hostname().replaceAll("/", "\\057").replaceAll(
          ":",
          "\\072",
        );
        for (const message of messages) {
          const now = Date.now();
          const name =
            `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${Deno.pid}Q${++seedCounter}` +
            `.${host},S=${message.byteLength}`;
          // Write in tmp/, then rename into new/: the maildir delivery protocol.
          const tmp = `${folder}/tmp/${name}`;
          await Deno.writeFile(tmp, message, { mode: 0o600 });
          await Deno.chown(tmp, uid, gid);
          await Deno.rename(tmp, `${folder}/new/${name}`);
        }
      },
      stop() {
        stopping ??= stopFixture(proc, ns, dir, drained);
        return stopping;
      },
    };
    log(
      `started pid ${pid} in ${dir}: imap 127.0.0.1:${imapPort}, imaps 127.0.0.1:${imapsPort} ` +
        `(${Math.round(performance.now() - t0)} ms)`,
    );
    return fixture;
  } catch (e) {
    if (child) await killChildTree(child);
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    throw e;
  }
}

/** The end of the Dovecot log: its distinct errors when it has any, else its last lines. */
async function tail(path: string): Promise<string> {
  let lines: string[];
  try {
    lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  } catch {
    return "(no log)";
  }
  const problems = lines.filter((l) => /: (Fatal|Panic|Error|Warning): /.test(l));
  if (problems.length === 0) return lines.slice(-20).join("\n");
  const seen = new Set<string>();
  const distinct = problems.reverse().filter((l) => {
    const key = l.replace(/^\S+ \S+ \S+ /, "").replace(/session=<[^>]*>/g, "");
    return seen.has(key) ? false : (seen.add(key), true);
  }).reverse();
  return `(${problems.length} problem lines, ${distinct.length} distinct)\n` +
    distinct.slice(-10).join("\n");
}

/** The mount namespace of a process ("mnt:[4026532173]"), or null when it is gone. */
function mountNamespace(pid: number | "self"): Promise<string | null> {
  return Deno.readLink(`/proc/${pid}/ns/mnt`).catch(() => null);
}

/**
 * Processes left in the master's namespace, and processes in another namespace than ours that
 * run from `dir` (a stream imap of imap.sh whose caller never closed its stdin).
 */
async function leftovers(masterNs: string, dir: string): Promise<number[]> {
  const ours = await mountNamespace("self");
  const out = [];
  for (const pid of await allPids()) {
    const ns = await mountNamespace(pid);
    if (ns === null || ns === ours) continue;
    const cmdline = (await readProc(pid, "cmdline")) ?? "";
    const cwd = await Deno.readLink(`/proc/${pid}/cwd`).catch(() => "");
    if (ns === masterNs || cmdline.includes(dir) || cwd.startsWith(dir)) {
      if (await alive(pid)) out.push(pid);
    }
  }
  return out;
}

/**
 * SIGTERM to the master, SIGKILL to whatever of its tree, its namespace or its directory remains;
 * then no process holds the namespace, so its overlay mount is gone too. Removes `dir`.
 */
async function stopFixture(
  proc: Deno.ChildProcess,
  masterNs: string,
  dir: string,
  drained: Promise<void>,
): Promise<void> {
  const tree = await processTree(proc.pid);
  let exited = false;
  proc.status.then(() => exited = true);
  signal(proc.pid, "SIGTERM");
  if (!await waitFor(() => Promise.resolve(exited), STOP_GRACE_MS)) {
    log(
      `pid ${proc.pid} ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL`,
    );
    signal(proc.pid, "SIGKILL");
  }
  await proc.status;
  // The children notice the master's death and exit on their own; give them a moment.
  const gone = async () => !(await Promise.all(tree.map(sameProcessAlive))).some(Boolean);
  if (!await waitFor(gone, 2000)) {
    for (const p of tree) {
      if (await sameProcessAlive(p)) signal(p.pid, "SIGKILL");
    }
    await waitFor(gone, 2000);
  }
  const left = [];
  for (const p of tree) if (await sameProcessAlive(p)) left.push(p.pid);
  for (const pid of await leftovers(masterNs, dir)) {
    signal(pid, "SIGKILL");
    if (!left.includes(pid)) left.push(pid);
  }
  if (
    !await waitFor(
      async () => (await leftovers(masterNs, dir)).length === 0,
      2000,
    )
  ) {
    log(
      `processes of ${dir} survive SIGKILL: ${await leftovers(masterNs, dir)}`,
    );
  }
  await Promise.race([drained, sleep(1000)]);
  await Deno.remove(dir, { recursive: true });
  if (left.length > 0) {
    throw new Error(
      `Dovecot processes of ${dir} outlived stop(): ${left.join(", ")} (killed)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// CLI.

if (import.meta.main) {
  // Listen first: a signal that arrives while Dovecot starts must still stop it.
  let done: () => void = () => {};
  let signalled = false;
  const finished = new Promise<void>((r) => done = r);
  const onSignal = () => {
    signalled = true;
    done();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let fixture: DovecotFixture;
  try {
    fixture = await startDovecot();
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    Deno.exit(1);
  }
  if (!signalled) console.log(fixtureToEnv(fixture));
  let died = false;
  const watcher = setInterval(async () => {
    if (!await alive(fixture.pid)) {
      died = true;
      done();
    }
  }, 1000);
  await finished;
  clearInterval(watcher);
  if (died) log(`Dovecot (pid ${fixture.pid}) exited on its own`);
  let code = died ? 1 : 0;
  try {
    await fixture.stop();
    log("stopped");
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    code = 1;
  }
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  Deno.exit(code);
}
