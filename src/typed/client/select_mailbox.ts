/**
 * `selectMailbox()`: SELECT or EXAMINE by Unicode name, the untagged store read into an object.
 *
 * @module
 */

import { IMAP4Error } from "../../errors.ts";
import type { Argument } from "../../wire/encoder.ts";
import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { type FetchMessage, parseFetch } from "../fetch.ts";
import { numberText, sortedUnique } from "../sequence_set.ts";
import { latin1 } from "../text.ts";
import { parseVanished } from "../vanished.ts";
import { mailboxArg, type MessageSet, modseqArg, sequenceSet } from "./arguments.ts";
import { enableOnce } from "./enable.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";
import { parseInParts, turnOf } from "./slices.ts";

/**
 * Options of {@linkcode selectMailbox}.
 *
 * @example Read-only, with mod-sequences
 * ```ts
 * import type { SelectMailboxOptions } from "@imaplib/imaplib";
 * const options: SelectMailboxOptions = { readOnly: true, condstore: true };
 * console.assert(options.readOnly);
 * ```
 */
export interface SelectMailboxOptions extends SignalOptions {
  /** EXAMINE instead of SELECT: nothing can change, `\Recent` stays (RFC 3501 section 6.3.2). */
  readOnly?: boolean;
  /**
   * Enable CONDSTORE (RFC 7162) so that the answer carries `highestModseq` and later FETCHes
   * can ask `modseq` / `changedSince`.
   *
   * `true`: `ENABLE CONDSTORE` (RFC 5161) first, once per client. ENABLE is only valid outside
   * a selected mailbox: with one selected, the client leaves it with UNSELECT (RFC 3691; never
   * CLOSE, which would expunge) before, and throws `IMAP4Error` if the server lacks UNSELECT.
   * Ignored when the server advertises no `CONDSTORE` or no `ENABLE`.
   *
   * `"parameter"`: the CONDSTORE select parameter instead, `SELECT path (CONDSTORE)` (RFC 7162
   * section 3.1.8), which enables it with no ENABLE and no UNSELECT. Needs `CONDSTORE`
   * (`IMAP4Error` otherwise, nothing sent).
   * @default {false}
   */
  condstore?: boolean | "parameter";
  /**
   * Quick resynchronization (RFC 7162 section 3.2.5): what the client knew of the mailbox
   * when it last had it open. Sends `ENABLE QRESYNC` once per client (leaving a selected
   * mailbox with UNSELECT first, as `condstore: true` does), then
   * `SELECT path (QRESYNC (uidValidity highestModseq [knownUids]))`. The answer then carries
   * `vanished` (UIDs expunged since) and `changed` (flag changes since). If `uidValidity`
   * no longer matches, the server ignores the rest: the answer's `uidValidity` differs, and
   * `vanished` and `changed` are empty. Needs `QRESYNC` and `ENABLE` (`IMAP4Error`
   * otherwise, nothing sent).
   */
  qresync?: QresyncParameters;
}

/**
 * What a client knew of a mailbox, for {@linkcode SelectMailboxOptions.qresync}.
 *
 * @example From a saved state
 * ```ts
 * import type { QresyncParameters } from "@imaplib/imaplib";
 * const known: QresyncParameters = { uidValidity: 67890007, highestModseq: 90060115194045000n };
 * console.assert(known.knownUids === undefined);
 * ```
 */
export interface QresyncParameters {
  /** The mailbox's UIDVALIDITY then. */
  uidValidity: number;
  /** Its HIGHESTMODSEQ then (a `bigint`, a safe integer, or decimal text). */
  highestModseq: bigint | number | string;
  /**
   * The UIDs the client has (RFC 7162 `known-uids`), so that the server reports only those
   * of them expunged since; all UIDs below UIDNEXT when absent (or empty).
   */
  knownUids?: MessageSet;
}

/**
 * A selected mailbox (RFC 3501 section 6.3.1), imapflow's `MailboxObject` names: what the
 * server said in answer to SELECT or EXAMINE. A field is absent when the server did not send
 * it.
 *
 * @example An empty mailbox
 * ```ts
 * import type { SelectedMailbox } from "@imaplib/imaplib";
 * const box: SelectedMailbox = { path: "INBOX", exists: 0, flags: new Set(), readOnly: false };
 * console.assert(box.exists === 0);
 * ```
 */
export interface SelectedMailbox {
  /** The Unicode name, as given. */
  path: string;
  /** EXISTS: the number of messages. */
  exists: number;
  /** RECENT: messages with `\Recent` (IMAP4rev1). */
  recent?: number;
  /** FLAGS: the flags defined in the mailbox. */
  flags: Set<string>;
  /** PERMANENTFLAGS: the flags that can be stored; `\*` if new keywords can be. */
  permanentFlags?: Set<string>;
  /** UIDVALIDITY. */
  uidValidity?: number;
  /** UIDNEXT: the UID the next message will get. */
  uidNext?: number;
  /** UNSEEN (RFC 3501): the sequence number of the first message without `\Seen`. */
  unseen?: number;
  /** HIGHESTMODSEQ (RFC 7162), once CONDSTORE is enabled. */
  highestModseq?: bigint;
  /** NOMODSEQ (RFC 7162): the mailbox keeps no mod-sequences. */
  noModseq?: boolean;
  /** READ-ONLY (EXAMINE, or a mailbox the server opens only for reading). */
  readOnly: boolean;
  /**
   * With `qresync`: the UIDs expunged since the given mod-sequence, ascending, from
   * `* VANISHED (EARLIER)` (RFC 7162 section 3.2.10). A server may include UIDs the client
   * never had. Bounded: a response naming more than 1,000,000 UIDs throws `RangeError`.
   */
  vanished?: number[];
  /**
   * With `qresync`: the messages whose flags changed since, from the FETCH responses sent
   * during SELECT (`uid`, `flags`, `modseq`), as `mailboxChanges()`'s `changed`.
   */
  changed?: FetchMessage[];
}

/**
 * Selects a mailbox by its Unicode name (SELECT, or EXAMINE with `readOnly`; RFC 3501 sections
 * 6.3.1-6.3.2) and returns what the server told about it: imapflow's `mailboxOpen()`. Runs
 * `IMAP4.select()` and reads EXISTS, RECENT, FLAGS and the response codes PERMANENTFLAGS,
 * UIDVALIDITY, UIDNEXT, UNSEEN, HIGHESTMODSEQ, NOMODSEQ and READ-ONLY / READ-WRITE from the
 * untagged store (`IMAP4.untagged_responses`), where they stay for imaplib's `response()`.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name, e.g. `"INBOX"`, `"Entwürfe"`.
 * @param options `readOnly`, `condstore`, `qresync`, `signal`.
 * @returns The mailbox's state; see {@linkcode SelectedMailbox}.
 * @throws {IMAP4CommandError} on NO or BAD (the client is then in state AUTH, no mailbox
 *   selected, as imaplib leaves it).
 * @throws {IMAP4Readonly} as imaplib's `select()`, when the server opened the mailbox
 *   read-only although `readOnly` was false.
 * @throws {IMAP4CancelledError} when `signal` fires.
 * @throws {IMAP4Error} for `qresync` or `condstore: "parameter"` on a server without the
 *   extension, or ENABLE needed from a selected mailbox on a server without UNSELECT.
 * @throws {RangeError} for a `qresync` UIDVALIDITY or mod-sequence out of range.
 *
 * @example Opening INBOX and reading its counters
 * ```ts ignore
 * import { IMAP4, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const box = await selectMailbox(M, "INBOX", { condstore: true });
 * console.log(box.exists, box.uidValidity, box.highestModseq);
 * ```
 *
 * @example Reopening with QRESYNC: what was expunged and what changed since last time
 * ```ts ignore
 * import { IMAP4, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const saved = { uidValidity: 3857529045, highestModseq: 20010715194045319n };
 * const box = await selectMailbox(M, "INBOX", { qresync: saved });
 * if (box.uidValidity === saved.uidValidity) console.log(box.vanished, box.changed);
 * ```
 */
export async function selectMailbox(
  client: IMAP4,
  path: string,
  options: SelectMailboxOptions = {},
): Promise<SelectedMailbox> {
  const { readOnly = false, condstore = false, qresync, signal } = options;
  const method = "selectMailbox()";
  const name = mailboxArg(client, path);
  const caps = client.capabilities;
  let parameter: string | null = null;
  if (qresync) {
    if (!caps.includes("QRESYNC") || !caps.includes("ENABLE")) {
      throw new IMAP4Error(`${method}: qresync needs a server with QRESYNC and ENABLE`);
    }
    const known = qresync.knownUids === undefined ? "" : sequenceSet(qresync.knownUids);
    parameter = `(QRESYNC (${uidValidityArg(qresync.uidValidity)} ` +
      `${modseqArg(bigintArg(qresync.highestModseq))}${known ? ` ${known}` : ""}))`;
    await enableOnce(client, "QRESYNC", signal, method);
  } else if (condstore === "parameter") {
    if (!caps.includes("CONDSTORE")) {
      throw new IMAP4Error(`${method}: the CONDSTORE parameter needs a server with CONDSTORE`);
    }
    parameter = "(CONDSTORE)";
  } else if (condstore) {
    await enableOnce(client, "CONDSTORE", signal, method);
  }
  const command = readOnly ? "EXAMINE" : "SELECT";
  const raw = (value: string): Argument => ({ kind: "raw", value });
  await run(
    signal,
    method,
    command,
    (o) =>
      parameter === null
        ? client.select(name, readOnly, o)
        : coreOf(client).select(raw(name), readOnly, [raw(parameter)], o),
  );
  const store = client.untagged_responses;
  const text = (key: string): string | undefined => {
    const data = store[key];
    const last = data?.[data.length - 1];
    return last instanceof Uint8Array ? latin1(last) : undefined;
  };
  const number = (key: string): number | undefined => {
    const value = text(key);
    return value === undefined ? undefined : numberText(value);
  };
  const flags = (key: string): Set<string> | undefined => {
    const value = text(key);
    return value === undefined
      ? undefined
      : new Set(value.replace(/^\(|\)$/g, "").split(" ").filter(Boolean));
  };
  const box: SelectedMailbox = {
    path,
    exists: number("EXISTS") ?? 0,
    flags: flags("FLAGS") ?? new Set(),
    readOnly: "READ-ONLY" in store || (readOnly && !("READ-WRITE" in store)),
  };
  const modseq = text("HIGHESTMODSEQ");
  const optional: Partial<SelectedMailbox> = {
    recent: number("RECENT"),
    permanentFlags: flags("PERMANENTFLAGS"),
    uidValidity: number("UIDVALIDITY"),
    uidNext: number("UIDNEXT"),
    unseen: number("UNSEEN"),
    highestModseq: modseq && /^\d+$/.test(modseq) ? BigInt(modseq) : undefined,
    noModseq: "NOMODSEQ" in store || undefined,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(box, { [key]: value });
  }
  if (qresync) {
    // `(EARLIER)` is due here (RFC 7162 section 3.2.10); one without it is taken too.
    const { earlier, now } = parseVanished(client.response("VANISHED")[1]);
    box.vanished = now.length === 0 ? earlier : sortedUnique([...earlier, ...now]);
    const changed = await parseInParts(client.response("FETCH")[1], parseFetch, turnOf(client));
    box.changed = changed.filter((m) => m.uid !== undefined);
  }
  return box;
}

function bigintArg(value: bigint | number | string): bigint {
  try {
    return BigInt(value);
  } catch {
    throw new RangeError(`not a mod-sequence: ${JSON.stringify(String(value))}`);
  }
}

function uidValidityArg(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new RangeError(`not a UIDVALIDITY: ${value}`);
  }
  return String(value);
}
