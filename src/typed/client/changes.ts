/**
 * What changed in a mailbox since the last run, for scheduled tasks that hold no connection
 * between runs: given the small state the previous run saved, one call returns the new
 * messages, the flag changes and the expunged UIDs, or says that UIDVALIDITY changed, and the
 * state to save for next time. It uses QRESYNC where the server offers it (RFC 7162 section
 * 3.2: `UID FETCH ... (CHANGEDSINCE m VANISHED)`), CONDSTORE next (RFC 7162 section 3.1), and
 * UID ranges with FLAGS otherwise.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4Error } from "../../errors.ts";
import { type FetchMessage, parseFetch } from "../fetch.ts";
import { compressSequenceSet, expandSequenceSet, sortedUnique } from "../sequence_set.ts";
import { parseVanished } from "../vanished.ts";
import { enableOnce } from "./enable.ts";
import { run } from "./errors.ts";
import { searchUids } from "./search_messages.ts";
import type { SignalOptions } from "./mailboxes.ts";
import { selectMailbox } from "./select_mailbox.ts";
import { parseInParts, turnOf } from "./slices.ts";

/**
 * The state one run saves for the next: small and JSON-serialisable (bigints as decimal text).
 */
export interface MailboxSyncState {
  /** UIDVALIDITY when it was saved: another value means the UIDs were reassigned. */
  uidValidity: number;
  /** UIDNEXT when it was saved: UIDs from here on are new messages. */
  uidNext: number;
  /** HIGHESTMODSEQ when it was saved (decimal), on the QRESYNC and CONDSTORE paths. */
  highestModseq?: string;
  /**
   * The UIDs present when it was saved, as a compact sequence set (`"1:40,42"`), on the paths
   * that cannot ask the server what was expunged (CONDSTORE, UIDs).
   */
  uids?: string;
}

/** How {@linkcode mailboxChanges} asks the server. */
export type SyncMethod = "qresync" | "condstore" | "uids";

/** What changed since the previous state. */
export interface MailboxChanges {
  /** The path used (see {@linkcode SyncMethod}). */
  method: SyncMethod;
  /**
   * No previous state, or UIDVALIDITY changed: start over. Every message present is then in
   * `newUids`, and `changed` and `vanished` are empty.
   */
  reset: boolean;
  /** UIDs of the messages that arrived since (ascending). */
  newUids: number[];
  /**
   * The messages present before whose flags changed since (`uid`, `flags`, and `modseq` on
   * the QRESYNC and CONDSTORE paths). On the `uids` path the server cannot tell what changed:
   * every message present before is here, with its flags, for the caller to compare.
   */
  changed: FetchMessage[];
  /** UIDs of the messages present before and expunged since (ascending). */
  vanished: number[];
  /** The state to save for the next call. */
  state: MailboxSyncState;
}

/** Options of {@linkcode mailboxChanges}. */
export interface MailboxChangesOptions extends SignalOptions {
  /**
   * Force a path (tests, or a server whose QRESYNC misbehaves); by default the best the server
   * offers: QRESYNC, then CONDSTORE, then UIDs.
   */
  method?: SyncMethod;
}

/**
 * Selects `path` read-only (EXAMINE) and returns what changed since `previous`, with the state
 * to save. Leaves the mailbox selected.
 *
 * The QRESYNC path needs `ENABLE QRESYNC`, which is sent once per client (outside a selected
 * mailbox: with one selected, the client leaves it with UNSELECT first); CONDSTORE likewise.
 * Paths, by what the server offers (or `options.method`):
 * - `qresync`: `UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE m VANISHED)`: the changes and the
 *   expunged UIDs, from the server.
 * - `condstore`: `UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE m)` for the changes, `UID SEARCH ALL`
 *   against the saved `uids` for the expunged.
 * - `uids`: `UID SEARCH ALL` against the saved `uids`, and the flags of every message present.
 *
 * @param client A logged-in client.
 * @param path The mailbox, Unicode (encoded for the caller).
 * @param previous What the previous call returned as `state`; `null` for a first run.
 * @param options `method`, `signal`.
 * @returns The changes and the new state. A previous state saved by another path is used as
 *   far as it goes (a missing `highestModseq` or `uids` makes it a reset).
 * @throws {IMAP4CommandError} when the server refuses a command (e.g. no such mailbox).
 * @throws {IMAP4Error} when `options.method` names a path the server does not offer.
 *
 * @example A scheduled task that keeps its state between runs
 * ```ts ignore
 * import { IMAP4, mailboxChanges, type MailboxSyncState } from "@imaplib/imaplib";
 * const kv = await Deno.openKv();
 * const saved = (await kv.get<MailboxSyncState>(["inbox-state"])).value;
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const changes = await mailboxChanges(M, "INBOX", saved);
 * console.log(changes.newUids, changes.vanished, changes.changed.length);
 * await kv.set(["inbox-state"], changes.state);
 * ```
 */
export async function mailboxChanges(
  client: IMAP4,
  path: string,
  previous: MailboxSyncState | null | undefined,
  options: MailboxChangesOptions = {},
): Promise<MailboxChanges> {
  const { signal } = options;
  const name = "mailboxChanges()";
  const method = options.method ?? bestMethod(client);
  const caps = client.capabilities;
  if (method === "qresync" && !caps.includes("QRESYNC")) {
    throw new IMAP4Error(`${name}: the server offers no QRESYNC`);
  }
  if (method === "condstore" && !caps.includes("CONDSTORE")) {
    throw new IMAP4Error(`${name}: the server offers no CONDSTORE`);
  }
  if (method === "qresync") await enableOnce(client, "QRESYNC", signal, name);
  if (method === "condstore") await enableOnce(client, "CONDSTORE", signal, name);
  const box = await selectMailbox(client, path, { readOnly: true, signal });
  if (box.uidValidity === undefined || box.uidNext === undefined) {
    throw new IMAP4Error(`${name}: the server sent no UIDVALIDITY or UIDNEXT for ${path}`);
  }
  const state: MailboxSyncState = { uidValidity: box.uidValidity, uidNext: box.uidNext };
  if (method !== "uids") {
    if (box.highestModseq === undefined) {
      throw new IMAP4Error(`${name}: the server sent no HIGHESTMODSEQ for ${path}`);
    }
    state.highestModseq = String(box.highestModseq);
  }
  // `* SEARCH`, or `* ESEARCH` in IMAP4rev2 (no more UIDs than messages).
  const present = () => searchUids(client, name, "ALL", signal, Math.max(1_000_000, box.exists));
  const vanishedFrom = (uids: number[]): number[] => {
    const now = new Set(uids);
    return expandSequenceSet(previous!.uids!).filter((uid) => !now.has(uid));
  };
  const changes: MailboxChanges = {
    method,
    reset: false,
    newUids: [],
    changed: [],
    vanished: [],
    state,
  };

  const reset = !previous || previous.uidValidity !== box.uidValidity ||
    (method !== "uids" && previous.highestModseq === undefined) ||
    (method !== "qresync" && previous.uids === undefined);
  if (reset) {
    const uids = await present();
    if (method !== "qresync") state.uids = compressSequenceSet(uids);
    return { ...changes, reset: true, newUids: uids };
  }

  if (method === "uids") {
    const uids = await present();
    state.uids = compressSequenceSet(uids);
    changes.newUids = uids.filter((uid) => uid >= previous.uidNext);
    changes.vanished = vanishedFrom(uids);
    const old = uids.filter((uid) => uid < previous.uidNext);
    if (old.length > 0) {
      const [, data] = await run(
        signal,
        name,
        "UID FETCH",
        (o) => client.uid("FETCH", compressSequenceSet(old), "(UID FLAGS)", o),
      );
      changes.changed = await parseInParts(data, parseFetch, turnOf(client));
    }
    return changes;
  }

  // QRESYNC and CONDSTORE: the server says what changed since the saved modseq.
  if (previous.highestModseq !== state.highestModseq) {
    const modifier = method === "qresync"
      ? `(CHANGEDSINCE ${previous.highestModseq} VANISHED)`
      : `(CHANGEDSINCE ${previous.highestModseq})`;
    client.response("VANISHED"); // drop any left from before
    const [, data] = await run(
      signal,
      name,
      "UID FETCH",
      (o) => client.uid("FETCH", "1:*", "(UID FLAGS)", modifier, o),
    );
    // A sync after a long time away can bring a FETCH per message: read in parts (slices.ts).
    for (const message of await parseInParts(data, parseFetch, turnOf(client))) {
      if (message.uid === undefined) continue;
      if (message.uid >= previous.uidNext) changes.newUids.push(message.uid);
      else changes.changed.push(message);
    }
    changes.newUids.sort((a, b) => a - b);
    if (method === "qresync") {
      const [, vanished] = client.response("VANISHED");
      const { earlier, now } = parseVanished(vanished);
      changes.vanished = sortedUnique([...earlier, ...now]).filter((uid) => uid < previous.uidNext);
    }
  }
  if (method === "condstore") {
    const uids = await present();
    state.uids = compressSequenceSet(uids);
    changes.vanished = vanishedFrom(uids);
  }
  return changes;
}

function bestMethod(client: IMAP4): SyncMethod {
  const caps = client.capabilities;
  if (caps.includes("QRESYNC") && caps.includes("ENABLE")) return "qresync";
  if (caps.includes("CONDSTORE")) return "condstore";
  return "uids";
}
