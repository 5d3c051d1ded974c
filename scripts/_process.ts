// Process helpers shared by the fixture (scripts/dovecot.ts and its parts), the runners
// (scripts/test.ts, scripts/demo.ts) and the benchmark harness (bench/harness.ts): running a
// command, waiting for a condition, and finding, signalling and killing process trees through
// /proc (Linux). Deno only.

/** Whether `path` exists (symlinks followed). Errors other than "not found" are thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The path of `name` in one of `$PATH`'s directories, or null. */
export async function which(name: string): Promise<string | null> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    if (dir && await exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/** A finished command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with stdin closed and waits for it. Its output is captured; with `inherit` it
 * goes to ours instead, and with `echo` both its streams go to our stderr (so that a CLI whose
 * stdout is data stays clean); `stdout` and `stderr` are empty then.
 */
export async function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; inherit?: boolean; echo?: boolean; cwd?: string } = {},
): Promise<RunResult> {
  const mode = opts.inherit ? "inherit" : "piped";
  const child = new Deno.Command(cmd, {
    args,
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    stdout: mode,
    stderr: mode,
  }).spawn();
  if (opts.echo) {
    const copy = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) await Deno.stderr.write(chunk);
    };
    const [status] = await Promise.all([child.status, copy(child.stdout), copy(child.stderr)]);
    return { code: status.code, stdout: "", stderr: "" };
  }
  if (opts.inherit) return { code: (await child.status).code, stdout: "", stderr: "" };
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** run(), throwing with the command's output when it exits non-zero; returns its stdout. */
export async function runOk(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** A command's trimmed stdout (its stderr when stdout is empty), or "" when it cannot run. */
export async function output(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return new TextDecoder().decode(out.stdout).trim() ||
      new TextDecoder().decode(out.stderr).trim();
  } catch {
    return "";
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 50 ms until it holds (true) or `ms` have passed (false). */
export async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (true) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// /proc.

/** A file of /proc/<pid>/, or null when the process is gone. */
export async function readProc(pid: number, file: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(`/proc/${pid}/${file}`);
  } catch {
    return null;
  }
}

/** What /proc/<pid>/stat says about a process; the start time tells a reused pid apart. */
export interface ProcStat {
  pid: number;
  ppid: number;
  startTime: string;
  state: string;
}

function parseStat(pid: number, s: string): ProcStat {
  const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
  // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
  return { pid, state: rest[0], ppid: Number(rest[1]), startTime: rest[19] };
}

export async function procStat(pid: number): Promise<ProcStat | null> {
  const s = await readProc(pid, "stat");
  return s === null ? null : parseStat(pid, s);
}

export async function allPids(): Promise<number[]> {
  const pids = [];
  for await (const e of Deno.readDir("/proc")) {
    if (/^\d+$/.test(e.name)) pids.push(Number(e.name));
  }
  return pids;
}

/** The process tree under `root` (root included), breadth first. */
export async function processTree(root: number): Promise<ProcStat[]> {
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

/** Whether `pid` runs (a zombie does not). */
export async function alive(pid: number): Promise<boolean> {
  const s = await procStat(pid);
  return s !== null && s.state !== "Z";
}

/** Whether the process `p` still runs: same pid, same start time, not a zombie. */
export async function sameProcessAlive(p: ProcStat): Promise<boolean> {
  const s = await procStat(p.pid);
  return s !== null && s.state !== "Z" && s.startTime === p.startTime;
}

/** Sends `sig`, ignoring a process that is already gone. */
export function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The direct children of `pid` (synchronous, for signal handlers and timers). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = parseStat(Number(e.name), Deno.readTextFileSync(`/proc/${e.name}/stat`));
      if (stat.ppid === pid) out.push(stat.pid);
    } catch {
      // gone
    }
  }
  return out;
}

/** SIGKILLs `pid` after, first, its children and theirs (synchronous). */
export function killTreeNow(pid: number): void {
  for (const child of childPids(pid)) killTreeNow(child);
  signal(pid, "SIGKILL");
}

/** SIGKILLs a child we spawned and everything under it, reaps it, waits for the rest to go. */
export async function killChildTree(proc: Deno.ChildProcess): Promise<void> {
  const tree = await processTree(proc.pid);
  for (const p of tree) signal(p.pid, "SIGKILL");
  await proc.status;
  await waitFor(async () => !(await Promise.all(tree.map(sameProcessAlive))).some(Boolean), 2000);
}
