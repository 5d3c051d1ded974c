// A private, self-contained Dovecot for the real-server tests.
//
// As a module: ensureDovecot() installs Debian's dovecot-imapd when it is missing, startDovecot()
// runs a Dovecot of our own in a fresh temporary directory (loopback only, random free ports,
// throwaway CA, users with known passwords, ACL and QUOTA plugins) and returns a DovecotFixture.
// The test runner hands the fixture to the test processes as JSON in the IMAPLIB_FIXTURE
// environment variable (fixtureToEnv / fixtureFromEnv).
//
// As a CLI (`deno run -A scripts/dovecot.ts`): ensures Dovecot, starts the fixture, prints the
// FixtureInfo JSON on one stdout line and stays up until SIGINT or SIGTERM.
//
// Only fixtureFromEnv, streamCommandFor and shellQuote are runtime-neutral (tests may run under
// Bun); everything else uses Deno APIs and must run as root (Dovecot's master needs it).

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
}

/** The environment variable that carries the FixtureInfo JSON to the tests. */
export const FIXTURE_ENV = "IMAPLIB_FIXTURE";

/** The accounts created when startDovecot() is given none. */
export const DEFAULT_USERS: readonly TestUser[] = Object.freeze([
  Object.freeze({ user: "alice", password: "alice-pass" }),
  // A space, a double quote and a backslash: LOGIN must quote it (RFC 3501 quoted string).
  Object.freeze({ user: "bob", password: 'bob "quoted" back\\slash pass' }),
]);

const DOVECOT = "/usr/sbin/dovecot";
const IMAP_BINARY = "/usr/lib/dovecot/imap";
const POLICY_RC_D = "/usr/sbin/policy-rc.d";
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
    streamCommandTemplate: f.streamCommandTemplate ?? streamTemplate(f.configPath),
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
  if (typeof v !== "object" || v === null) throw new Error(`${FIXTURE_ENV} is not an object`);
  for (const field of ["host", "address", "caCertPem", "caCertPath", "dir", "configPath"]) {
    if (typeof v[field] !== "string") throw bad(field);
  }
  for (const field of ["imapPort", "imapsPort"]) {
    if (!Number.isInteger(v[field])) throw bad(field);
  }
  if (typeof v.streamCommandTemplate !== "string") throw bad("streamCommandTemplate");
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

function streamTemplate(configPath: string): string {
  return `${IMAP_BINARY} -c ${shellQuote(configPath)} -u {user}`;
}

// ---------------------------------------------------------------------------------------------
// Installing.

function log(message: string): void {
  console.error(`[dovecot] ${message}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function which(name: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    if (dir && await exists(`${dir}/${name}`)) return true;
  }
  return false;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; inherit?: boolean; cwd?: string } = {},
): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    args,
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    stdout: opts.inherit ? "inherit" : "piped",
    stderr: opts.inherit ? "inherit" : "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: opts.inherit ? "" : dec.decode(out.stdout),
    stderr: opts.inherit ? "" : dec.decode(out.stderr),
  };
}

async function runOk(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/**
 * Installs Debian's dovecot-imapd (and openssl) when missing, without letting the package start
 * the system service; stops a system Dovecot the install started anyway.
 */
export async function ensureDovecot(): Promise<void> {
  const haveDovecot = await exists(DOVECOT) && await exists(IMAP_BINARY);
  const haveOpenssl = await which("openssl");
  if (haveDovecot && haveOpenssl) return;
  const packages = [...(haveDovecot ? [] : ["dovecot-imapd"]), ...(haveOpenssl ? [] : ["openssl"])];
  if (Deno.uid() !== 0) {
    throw new Error(`${packages.join(" and ")} missing and not running as root to install them`);
  }
  const before = new Set(await dovecotPids());
  if (!await exists(POLICY_RC_D)) {
    log(`writing ${POLICY_RC_D} (exit 101) so the package does not start the system service`);
    await Deno.writeTextFile(POLICY_RC_D, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    await Deno.chmod(POLICY_RC_D, 0o755);
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  log("apt-get update");
  let r = await run("apt-get", ["update"], { env, inherit: true });
  if (r.code !== 0) throw new Error(`apt-get update failed (exit ${r.code})`);
  log(`apt-get install -y --no-install-recommends ${packages.join(" ")}`);
  r = await run("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
    env,
    inherit: true,
  });
  if (r.code !== 0) {
    throw new Error(`apt-get install ${packages.join(" ")} failed (exit ${r.code})`);
  }
  if (!await exists(DOVECOT) || !await exists(IMAP_BINARY)) {
    throw new Error(`installed dovecot-imapd but ${DOVECOT} or ${IMAP_BINARY} is still missing`);
  }
  // The package should not have started anything, but make sure: stop a system master (one
  // using the system config, not a private fixture that happened to start meanwhile).
  const masters: ProcStat[][] = [];
  for (const pid of await dovecotPids()) {
    if (before.has(pid)) continue;
    const argv = (await readProc(pid, "cmdline"))?.split("\0") ?? [];
    if (!argv[0]?.endsWith("/dovecot") && argv[0] !== "dovecot") continue;
    const c = argv.indexOf("-c");
    if (c >= 0 && !argv[c + 1]?.startsWith("/etc/dovecot/")) continue;
    masters.push(await processTree(pid));
  }
  if (masters.length > 0) {
    log(`the install started a system Dovecot (pid ${masters.map((t) => t[0].pid)}); stopping it`);
    await run("systemctl", ["stop", "dovecot"]).catch(() => undefined);
    for (const tree of masters) signal(tree[0].pid, "SIGTERM");
    const procs = masters.flat();
    const gone = async () => !(await Promise.all(procs.map(sameProcessAlive))).some(Boolean);
    if (!await waitFor(gone, STOP_GRACE_MS)) {
      for (const p of procs) if (await sameProcessAlive(p)) signal(p.pid, "SIGKILL");
    }
  }
  log("dovecot-imapd installed");
}

// ---------------------------------------------------------------------------------------------
// /proc helpers (Linux).

async function readProc(pid: number, file: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(`/proc/${pid}/${file}`);
  } catch {
    return null;
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  startTime: string;
  state: string;
}

async function procStat(pid: number): Promise<ProcStat | null> {
  const s = await readProc(pid, "stat");
  if (s === null) return null;
  const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
  // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
  return { pid, state: rest[0], ppid: Number(rest[1]), startTime: rest[19] };
}

async function allPids(): Promise<number[]> {
  const pids = [];
  for await (const e of Deno.readDir("/proc")) {
    if (/^\d+$/.test(e.name)) pids.push(Number(e.name));
  }
  return pids;
}

/** Pids of processes running a Dovecot executable. */
async function dovecotPids(): Promise<number[]> {
  const out = [];
  for (const pid of await allPids()) {
    let exe = "";
    try {
      exe = await Deno.readLink(`/proc/${pid}/exe`);
    } catch {
      continue;
    }
    if (exe === DOVECOT || exe.startsWith("/usr/lib/dovecot/")) out.push(pid);
  }
  return out;
}

/** The process tree under `root` (root included), with start times to detect pid reuse. */
async function processTree(root: number): Promise<ProcStat[]> {
  const stats = (await Promise.all((await allPids()).map(procStat))).filter((s) => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const out: ProcStat[] = [];
  const rootStat = stats.find((s) => s.pid === root);
  const queue = rootStat ? [rootStat] : [];
  while (queue.length > 0) {
    const s = queue.shift()!;
    out.push(s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

async function alive(pid: number): Promise<boolean> {
  const s = await procStat(pid);
  return s !== null && s.state !== "Z";
}

async function sameProcessAlive(p: ProcStat): Promise<boolean> {
  const s = await procStat(p.pid);
  return s !== null && s.state !== "Z" && s.startTime === p.startTime;
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** SIGKILLs a master and everything under it, and reaps the master. */
async function killTree(proc: Deno.ChildProcess): Promise<void> {
  const tree = await processTree(proc.pid);
  for (const p of tree) signal(p.pid, "SIGKILL");
  await proc.status;
  await waitFor(async () => !(await Promise.all(tree.map(sameProcessAlive))).some(Boolean), 2000);
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (true) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts of the system.

async function lookupId(file: "/etc/passwd" | "/etc/group", name: string): Promise<number> {
  const text = await Deno.readTextFile(file);
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f[0] === name) return Number(f[2]);
  }
  throw new Error(`${name} not found in ${file}`);
}

// ---------------------------------------------------------------------------------------------
// Certificates.

async function makeCertificates(
  dir: string,
): Promise<{ caPath: string; cert: string; key: string }> {
  const tls = `${dir}/tls`;
  await Deno.mkdir(tls, { mode: 0o700 });
  const caKey = `${tls}/ca.key`, caPath = `${tls}/ca.pem`;
  const key = `${tls}/server.key`, csr = `${tls}/server.csr`, cert = `${tls}/server.pem`;
  const ext = `${tls}/server.ext`;
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await runOk("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    caKey,
    "-out",
    caPath,
    "-days",
    "30",
    "-subj",
    "/CN=imaplib test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-addext",
    "subjectKeyIdentifier=hash",
  ]);
  await runOk("openssl", [
    "req",
    "-new",
    ...ec,
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    "/CN=localhost",
  ]);
  await Deno.writeTextFile(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid,issuer",
      "",
    ].join("\n"),
  );
  await runOk("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caPath,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    cert,
    "-days",
    "30",
    "-extfile",
    ext,
  ]);
  await Deno.chmod(caPath, 0o644);
  return { caPath, cert, key };
}

// ---------------------------------------------------------------------------------------------
// Ports and greetings.

function freePorts(n: number, v6: boolean): number[] {
  for (let attempt = 0; attempt < 20; attempt++) {
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        listeners.push(l);
        if (v6) {
          listeners.push(Deno.listen({ hostname: "::1", port: (l.addr as Deno.NetAddr).port }));
        }
      }
      return listeners
        .map((l) => (l.addr as Deno.NetAddr))
        .filter((a) => a.hostname === "127.0.0.1")
        .map((a) => a.port);
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error("could not find free ports");
}

function ipv6LoopbackUsable(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

async function readGreeting(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

async function probeTcp(port: number): Promise<string | null> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return "";
  } catch {
    return null;
  }
}

async function probe(port: number, tls: { caCerts: string[] } | null): Promise<string | null> {
  let conn: Deno.Conn | null = null;
  try {
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
    conn = tcp;
    if (tls) conn = await Deno.startTls(tcp, { hostname: "localhost", caCerts: tls.caCerts });
    const greeting = await readGreeting(conn);
    return greeting.startsWith("* OK") ? greeting : null;
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return null;
    if (tls && e instanceof Deno.errors.InvalidData) throw e; // certificate trouble: say so
    return null;
  } finally {
    try {
      conn?.close();
    } catch {
      // closed
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration.

interface ConfigParts {
  dir: string;
  listen: string;
  imapPort: number;
  imapsPort: number;
  cert: string;
  key: string;
  passwd: string;
  instance: string;
}

function dovecotConf(p: ConfigParts): string {
  return `# Generated by scripts/dovecot.ts: a private Dovecot for the imaplib tests.
instance_name = ${p.instance}
base_dir = ${p.dir}/run
state_dir = ${p.dir}/state
log_path = ${p.dir}/dovecot.log
info_log_path = ${p.dir}/dovecot.log
debug_log_path = ${p.dir}/dovecot.log
auth_verbose = yes

protocols = imap
listen = ${p.listen}
login_greeting = Dovecot ready.

ssl = yes
ssl_cert = <${p.cert}
ssl_key = <${p.key}

disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
# Tests try bad passwords on purpose: no 2 s failure delay (failures still wait for the auth
# process's 0.5 s timer tick) and no per-IP penalty (which grows to 15 s per further failure).
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p.passwd}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${p.dir}/home/%u
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
}
mail_plugins = $mail_plugins acl quota

service imap-login {
  inet_listener imap {
    port = ${p.imapPort}
  }
  inet_listener imaps {
    port = ${p.imapsPort}
    ssl = yes
  }
}

protocol imap {
  mail_plugins = $mail_plugins imap_acl imap_quota
  mail_max_userip_connections = 100
}

plugin {
  acl = vfile
  quota = maildir:User quota
  quota_rule = *:storage=100M
}
`;
}

// ---------------------------------------------------------------------------------------------
// Maildir seeding.

/** IMAP modified UTF-7 (RFC 3501 section 5.1.3), as Dovecot names maildir folders on disk. */
function mutf7(name: string): string {
  let out = "";
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes = new Uint8Array(pending.length * 2);
    pending.forEach((u, i) => {
      bytes[2 * i] = u >> 8;
      bytes[2 * i + 1] = u & 0xff;
    });
    out += "&" + btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replaceAll("/", ",") + "-";
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      flush();
      out += c === 0x26 ? "&-" : name[i];
    } else {
      pending.push(c);
    }
  }
  flush();
  return out;
}

let seedCounter = 0;

// ---------------------------------------------------------------------------------------------
// Starting.

/**
 * Starts a private Dovecot in a fresh temporary directory and waits until both ports greet.
 * Must run as root (the master binds and drops privileges; mail runs as nobody:nogroup).
 */
export async function startDovecot(options: StartOptions = {}): Promise<DovecotFixture> {
  const users = (options.users ?? DEFAULT_USERS).map(({ user, password }) => ({ user, password }));
  for (const { user, password } of users) {
    if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`unsupported user name ${user}`);
    if (/[:\r\n\0]/.test(password)) throw new Error(`password of ${user} has ':', CR, LF or NUL`);
  }
  if (Deno.uid() !== 0) throw new Error("startDovecot() must run as root");
  const t0 = performance.now();
  const uid = await lookupId("/etc/passwd", "nobody");
  const gid = await lookupId("/etc/group", "nogroup");
  const dovecotGid = await lookupId("/etc/group", "dovecot");

  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "imaplib-dovecot-" }));
  let child: Deno.ChildProcess | null = null;
  try {
    // The mail processes (nobody) must traverse dir to reach their homes.
    await Deno.chmod(dir, 0o755);
    for (const d of ["run", "state", "home"]) await Deno.mkdir(`${dir}/${d}`, { mode: 0o755 });
    for (const { user } of users) {
      const home = `${dir}/home/${user}`;
      await Deno.mkdir(home, { mode: 0o700 });
      await Deno.chown(home, uid, gid);
    }
    // The auth process runs as the dovecot user and reads the passwd-file.
    const passwd = `${dir}/passwd`;
    await Deno.writeTextFile(
      passwd,
      users.map(({ user, password }) => `${user}:{PLAIN}${password}::::::\n`).join(""),
      { mode: 0o640 },
    );
    await Deno.chown(passwd, 0, dovecotGid);
    const made = await makeCertificates(dir);
    const { caPath } = made;
    let { cert, key } = made;
    if (options.certificate) {
      cert = `${dir}/tls/custom.pem`;
      key = `${dir}/tls/custom.key`;
      await Deno.writeTextFile(cert, options.certificate.certPem);
      await Deno.writeTextFile(key, options.certificate.keyPem, { mode: 0o600 });
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
        }),
      );
      child = new Deno.Command(DOVECOT, {
        args: ["-F", "-c", configPath],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      stderrTail = "";
      const proc = child;
      drained = Promise.all([proc.stdout, proc.stderr].map(async (s) => {
        const dec = new TextDecoder();
        for await (const chunk of s) stderrTail = (stderrTail + dec.decode(chunk)).slice(-4000);
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
      await killTree(proc);
      await Promise.race([drained, sleep(1000)]);
      const why = `${logTail}\n${stderrTail}`;
      if (attempt < 3 && /Address already in use/.test(why)) {
        log(`port taken meanwhile (attempt ${attempt}); retrying with other ports`);
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
    const template = streamTemplate(configPath);
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
        if (!users.some((u) => u.user === user)) throw new Error(`no such user ${user}`);
        if (mailbox === "" || mailbox.startsWith(".") || /[/\r\n\0]/.test(mailbox)) {
          throw new Error(`unsupported mailbox name for seed(): ${JSON.stringify(mailbox)}`);
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
        for (const sub of ["", "/cur", "/new", "/tmp"]) await mkdir(`${maildir}${sub}`);
        if (folder !== maildir) {
          await mkdir(folder);
          for (const sub of ["/cur", "/new", "/tmp"]) await mkdir(`${folder}${sub}`);
          if (!await exists(`${folder}/maildirfolder`)) {
            await Deno.writeFile(`${folder}/maildirfolder`, new Uint8Array(), { mode: 0o600 });
            made.push(`${folder}/maildirfolder`);
          }
        }
        for (const path of made) await Deno.chown(path, uid, gid);
        const host = Deno.hostname().replaceAll("/", "\\057").replaceAll(":", "\\072");
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
        stopping ??= stopFixture(proc, dir, drained);
        return stopping;
      },
    };
    log(
      `started pid ${pid} in ${dir}: imap 127.0.0.1:${imapPort}, imaps 127.0.0.1:${imapsPort} ` +
        `(${Math.round(performance.now() - t0)} ms)`,
    );
    return fixture;
  } catch (e) {
    if (child) await killTree(child);
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

async function stopFixture(
  proc: Deno.ChildProcess,
  dir: string,
  drained: Promise<void>,
): Promise<void> {
  const tree = await processTree(proc.pid);
  let exited = false;
  proc.status.then(() => exited = true);
  signal(proc.pid, "SIGTERM");
  if (!await waitFor(() => Promise.resolve(exited), STOP_GRACE_MS)) {
    log(`pid ${proc.pid} ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL`);
    signal(proc.pid, "SIGKILL");
  }
  await proc.status;
  // The children notice the master's death and exit on their own; give them a moment.
  const gone = async () => !(await Promise.all(tree.map(sameProcessAlive))).some(Boolean);
  if (!await waitFor(gone, 2000)) {
    for (const p of tree) if (await sameProcessAlive(p)) signal(p.pid, "SIGKILL");
    await waitFor(gone, 2000);
  }
  const left = [];
  for (const p of tree) if (await sameProcessAlive(p)) left.push(p.pid);
  // Any other process (not a master's child) still running from our directory, e.g. a stream
  // imap started with streamCommand() whose caller never closed its stdin.
  for (const pid of await dovecotPids()) {
    const cmdline = (await readProc(pid, "cmdline")) ?? "";
    const cwd = await Deno.readLink(`/proc/${pid}/cwd`).catch(() => "");
    if (cmdline.includes(dir) || cwd.startsWith(dir)) {
      signal(pid, "SIGKILL");
      if (!left.includes(pid)) left.push(pid);
    }
  }
  await Promise.race([drained, sleep(1000)]);
  await Deno.remove(dir, { recursive: true });
  if (left.length > 0) {
    throw new Error(`Dovecot processes of ${dir} outlived stop(): ${left.join(", ")} (killed)`);
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
    await ensureDovecot();
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
