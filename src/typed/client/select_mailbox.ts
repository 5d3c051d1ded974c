/**
 * `selectMailbox()`: SELECT or EXAMINE by Unicode name, the untagged store read into an object.
 *
 * @module
 */

import { IMAP4Error } from "../../errors.ts";
import type { IMAP4 } from "../../client/imap4.ts";
import { latin1 } from "../text.ts";
import { mailboxArg } from "./arguments.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

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
   * Enable CONDSTORE (RFC 7162) first, so that the answer carries `highestModseq` and later
   * FETCHes can ask `modseq` / `changedSince`: sends `ENABLE CONDSTORE` (RFC 5161) once per
   * client. ENABLE is only valid outside a selected mailbox: with one selected, the client
   * leaves it with UNSELECT (RFC 3691; never CLOSE, which would expunge) before, and throws
   * `IMAP4Error` if the server lacks UNSELECT. Ignored when the server advertises no
   * `CONDSTORE` or no `ENABLE`.
   * @default {false}
   */
  condstore?: boolean;
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
}

const condstoreEnabled = new WeakSet<IMAP4>();

/**
 * Selects a mailbox by its Unicode name (SELECT, or EXAMINE with `readOnly`; RFC 3501 sections
 * 6.3.1-6.3.2) and returns what the server told about it: imapflow's `mailboxOpen()`. Runs
 * `IMAP4.select()` and reads EXISTS, RECENT, FLAGS and the response codes PERMANENTFLAGS,
 * UIDVALIDITY, UIDNEXT, UNSEEN, HIGHESTMODSEQ, NOMODSEQ and READ-ONLY / READ-WRITE from the
 * untagged store (`IMAP4.untagged_responses`), where they stay for imaplib's `response()`.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name, e.g. `"INBOX"`, `"Entwürfe"`.
 * @param options `readOnly`, `condstore`, `signal`.
 * @returns The mailbox's state; see {@linkcode SelectedMailbox}.
 * @throws {IMAP4CommandError} on NO or BAD (the client is then in state AUTH, no mailbox
 *   selected, as imaplib leaves it).
 * @throws {IMAP4Readonly} as imaplib's `select()`, when the server opened the mailbox
 *   read-only although `readOnly` was false.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Opening INBOX and reading its counters
 * ```ts ignore
 * import { IMAP4, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const box = await selectMailbox(M, "INBOX", { condstore: true });
 * console.log(box.exists, box.uidValidity, box.highestModseq);
 * ```
 */
export async function selectMailbox(
  client: IMAP4,
  path: string,
  options: SelectMailboxOptions = {},
): Promise<SelectedMailbox> {
  const { readOnly = false, condstore = false, signal } = options;
  const method = "selectMailbox()";
  const name = mailboxArg(client, path);
  const caps = client.capabilities;
  if (
    condstore && caps.includes("CONDSTORE") && caps.includes("ENABLE") &&
    !condstoreEnabled.has(client)
  ) {
    if (client.state === "SELECTED") {
      if (!caps.includes("UNSELECT")) {
        throw new IMAP4Error(
          "selectMailbox(): condstore needs ENABLE, which a selected mailbox forbids, and the " +
            "server has no UNSELECT to leave it: select with condstore before any other",
        );
      }
      await run(signal, method, "UNSELECT", () => client.unselect());
    }
    await run(signal, method, "ENABLE", () => client.enable("CONDSTORE"));
    condstoreEnabled.add(client);
  }
  await run(signal, method, readOnly ? "EXAMINE" : "SELECT", () => client.select(name, readOnly));
  const store = client.untagged_responses;
  const text = (key: string): string | undefined => {
    const data = store[key];
    const last = data?.[data.length - 1];
    return last instanceof Uint8Array ? latin1(last) : undefined;
  };
  const number = (key: string): number | undefined => {
    const value = text(key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
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
  return box;
}
