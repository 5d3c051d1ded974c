/**
 * Reports what changed in a mailbox every 5 minutes with `Deno.cron` (locally, or on Deno
 * Deploy, which runs the schedule for you): new messages, flag changes and expunged messages
 * since the previous run. No connection is held between runs: each run connects, asks
 * `mailboxChanges()` with the small state the previous run saved, prints the changes, saves the
 * new state and logs out. The server's QRESYNC is used where offered, CONDSTORE next, UIDs and
 * FLAGS otherwise. A failed run is logged, keeps the old state, and the next one tries again.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... \
 *     deno run -A --unstable-cron examples/deno_cron.ts
 *   ... deno run -A examples/deno_cron.ts --once     # one run, then exit (no cron)
 *
 * `Deno.cron` is unstable: it needs `--unstable-cron` (or `"unstable": ["cron"]` in deno.json).
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), `MAILBOX` (default `INBOX`),
 * `STATE_FILE` (where the state is kept between runs, default `mailbox-state.json`; on Deno
 * Deploy use Deno KV instead: `kv.set(["state", mailbox], changes.state)`) and `SYNC_METHOD`
 * (`qresync`, `condstore` or `uids` to force a path).
 *
 * @module
 */

import {
  type MailboxChanges,
  mailboxChanges,
  type MailboxSyncState,
  type SyncMethod,
} from "../mod.ts";
import { connectFromEnv, env } from "./_connect.ts";

const mailbox = env("MAILBOX", "INBOX");
const stateFile = env("STATE_FILE", "mailbox-state.json");
const method = (Deno.env.get("SYNC_METHOD") || undefined) as SyncMethod | undefined;

async function loadState(): Promise<MailboxSyncState | null> {
  try {
    return JSON.parse(await Deno.readTextFile(stateFile));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null; // the first run
    throw error;
  }
}

// Written to a temporary file and renamed: a run killed half-way never leaves a torn state.
async function saveState(state: MailboxSyncState): Promise<void> {
  await Deno.writeTextFile(`${stateFile}.tmp`, JSON.stringify(state));
  await Deno.rename(`${stateFile}.tmp`, stateFile);
}

/** One run: what changed in `mailbox` since the previous run; the new state is saved. */
export async function checkChanges(): Promise<MailboxChanges> {
  const previous = await loadState();
  await using M = await connectFromEnv("deno_cron"); // LOGOUT when this scope ends
  const changes = await mailboxChanges(M, mailbox, previous, { method });
  await saveState(changes.state); // only once the changes are in hand
  return changes;
}

/** The line a run prints, e.g. `INBOX via qresync: 1 new (4), 1 changed (1), 1 expunged (2)`. */
export function describe(changes: MailboxChanges): string {
  const list = (uids: number[]) => `${uids.length}${uids.length ? ` (${uids.join(",")})` : ""}`;
  const head = `${mailbox} via ${changes.method}`;
  if (changes.reset) {
    return `${head}: first run or UIDVALIDITY changed, ${list(changes.newUids)} present`;
  }
  const changed = changes.changed.map((m) => m.uid!).sort((a, b) => a - b);
  return `${head}: ${list(changes.newUids)} new, ${list(changed)} changed, ` +
    `${list(changes.vanished)} expunged`;
}

async function runOnce(): Promise<void> {
  try {
    console.log(`${new Date().toISOString()} ${describe(await checkChanges())}`);
  } catch (error) {
    console.error(`${new Date().toISOString()} check failed: ${error}`);
    if (Deno.args.includes("--once")) Deno.exitCode = 1;
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--once")) {
    await runOnce();
  } else {
    // Minute 0, 5, 10, ... of every hour (UTC). Runs never overlap: a slow run delays the next.
    Deno.cron("check mail", "*/5 * * * *", runOnce);
  }
}
