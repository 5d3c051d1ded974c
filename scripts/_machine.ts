// A check that the fixture changed nothing on the machine (issue 12): the runners (scripts/test.ts,
// scripts/demo.ts) take a snapshot before they prepare and start Dovecot and compare after they
// stopped it, and fail when anything differs. The snapshot: every package dpkg knows (name,
// version, status), the files under /etc/systemd (an enabled service is a symlink there),
// /usr/sbin/policy-rc.d, the system's users and groups, the entries of /etc (a package's
// configuration folder), and apt's own lists and downloaded archives. Deno only.

import { run } from "./_process.ts";

/** One named part of a snapshot: sorted lines. */
export type Snapshot = Record<string, string[]>;

async function lines(cmd: string, args: string[]): Promise<string[]> {
  const r = await run(cmd, args);
  if (r.code !== 0) return [`(${cmd} failed with exit ${r.code}: ${r.stderr.trim()})`];
  return r.stdout.split("\n").filter((l) => l !== "").sort();
}

async function listing(dir: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(path));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of entries) {
      const full = `${path}/${e.name}`;
      let line = full;
      if (e.isSymlink) line += ` -> ${await Deno.readLink(full).catch(() => "?")}`;
      out.push(line);
      if (recursive && e.isDirectory) await walk(full);
    }
  };
  await walk(dir);
  return out.sort();
}

async function fileState(path: string): Promise<string[]> {
  try {
    const bytes = await Deno.readFile(path);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return [`${path} present, sha256 ${hex}`];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [`${path} absent`];
    throw e;
  }
}

async function names(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "")
      .map((l) => `${path}: ${l.split(":")[0]}`).sort();
  } catch {
    return [`${path} unreadable`];
  }
}

async function fileList(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const s = await Deno.lstat(`${dir}/${e.name}`).catch(() => null);
      out.push(`${dir}/${e.name}${e.isFile && s ? ` ${s.size} ${s.mtime?.toISOString()}` : ""}`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** What the fixture must leave as it found it. */
export async function snapshotMachine(): Promise<Snapshot> {
  return {
    "packages (dpkg-query)": await lines("dpkg-query", [
      "-W",
      "-f=${binary:Package} ${Version} ${db:Status-Abbrev}\n",
    ]),
    "files under /etc/systemd": await listing("/etc/systemd", true),
    "/usr/sbin/policy-rc.d": await fileState("/usr/sbin/policy-rc.d"),
    "users and groups": [...await names("/etc/passwd"), ...await names("/etc/group")],
    "entries of /etc": await listing("/etc", false),
    "apt's package lists": await fileList("/var/lib/apt/lists"),
    "apt's downloaded archives": await fileList("/var/cache/apt/archives"),
  };
}

/** The differences between two snapshots, one line each ("+" appeared, "-" disappeared). */
export function compareMachine(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const part of Object.keys(before)) {
    const a = new Set(before[part]), b = new Set(after[part] ?? []);
    for (const l of before[part]) if (!b.has(l)) out.push(`${part}: - ${l}`);
    for (const l of after[part] ?? []) if (!a.has(l)) out.push(`${part}: + ${l}`);
  }
  return out;
}

/**
 * Compares the machine with `before` and prints what changed. Returns whether nothing did.
 * `who` names the runner in the message.
 */
export async function checkMachineUnchanged(before: Snapshot, who: string): Promise<boolean> {
  const changes = compareMachine(before, await snapshotMachine());
  if (changes.length === 0) {
    console.error(`==> ${who}: the machine is unchanged (packages, services, policy-rc.d, /etc)`);
    return true;
  }
  console.error(
    `==> ${who}: FAILED: the machine changed while it ran (issue 12: the fixture must not change ` +
      `the machine). Differences (- before, + after):\n  ${changes.join("\n  ")}`,
  );
  return false;
}
