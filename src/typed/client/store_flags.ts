/**
 * `addFlags()`, `removeFlags()`, `setFlags()`: STORE from a list of flags, with CONDSTORE's
 * UNCHANGEDSINCE.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4Error } from "../../errors.ts";
import { type FetchMessage, parseFetch } from "../fetch.ts";
import { expandSequenceSet } from "../sequence_set.ts";
import { latin1 } from "../text.ts";
import {
  atom,
  flagList,
  mailboxArg,
  type MessageSet,
  modseqArg,
  sequenceSet,
} from "./arguments.ts";
import { run } from "./errors.ts";
import { parseInParts, turnOf } from "./slices.ts";
import { colorFlags, type FlagColor } from "../flag_color.ts";

/**
 * Options of {@linkcode addFlags}, {@linkcode removeFlags} and {@linkcode setFlags}.
 *
 * @example Only if nobody changed the messages since mod-sequence 1042
 * ```ts
 * import type { StoreFlagsOptions } from "@imaplib/imaplib";
 * const options: StoreFlagsOptions = { uid: true, unchangedSince: 1042n };
 * console.assert(options.unchangedSince === 1042n);
 * ```
 */
export interface StoreFlagsOptions {
  /** The set holds UIDs: send `UID STORE`. @default {false} */
  uid?: boolean;
  /** `.SILENT`: the server does not answer with the new flags (`messages` is then `[]`). @default {false} */
  silent?: boolean;
  /**
   * Only change messages whose mod-sequence is not above this (RFC 7162 section 3.1.3,
   * `UNCHANGEDSINCE`; 0 changes none, reporting which exist). Needs CONDSTORE and enables it.
   * The others are left alone and listed in `modified`.
   */
  unchangedSince?: bigint | number;
  /**
   * Change Gmail labels instead of flags (`X-GM-LABELS`, Gmail's X-GM-EXT-1), as imapflow's
   * `useLabels`: system labels as atoms (`\\Important`, `\\Starred`), the others by their
   * Unicode name, encoded as mailbox names are. `silent` does not apply (Gmail answers with
   * the labels). The server must advertise `X-GM-EXT-1`. @default {false}
   */
  useLabels?: boolean;
  /** Cancels the method; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/**
 * What a flag change did.
 *
 * @example A conditional STORE that left message 7 alone
 * ```ts
 * import type { StoreFlagsResult } from "@imaplib/imaplib";
 * const result: StoreFlagsResult = { messages: [], modified: [7] };
 * console.assert(result.modified[0] === 7);
 * ```
 */
export interface StoreFlagsResult {
  /**
   * The FETCH responses the server sent: each changed message's `seq`, `flags` (all of them,
   * after the change), and `uid` / `modseq` when the server includes them. `[]` with `silent`.
   */
  messages: FetchMessage[];
  /**
   * With `unchangedSince`: the messages (UIDs with `uid`) left alone because they changed
   * since (the MODIFIED code, RFC 7162 section 3.1.3); `[]` otherwise.
   */
  modified: number[];
}

async function store(
  method: string,
  operation: "+FLAGS" | "-FLAGS" | "FLAGS",
  client: IMAP4,
  set: MessageSet,
  flags: Iterable<string>,
  options: StoreFlagsOptions,
): Promise<StoreFlagsResult> {
  const { uid = false, silent = false, unchangedSince, useLabels = false, signal } = options;
  const messages = sequenceSet(set);
  let list: string;
  let item: string;
  if (useLabels) {
    if (!client.capabilities.includes("X-GM-EXT-1")) {
      throw new IMAP4Error(`${method}: useLabels needs a server with X-GM-EXT-1 (Gmail)`);
    }
    // Gmail: a label is a mailbox name (an astring), or a system label `\Name`.
    const labels = Array.from(
      flags,
      (label) => label.startsWith("\\") ? atom(label, "label") : mailboxArg(client, label),
    );
    list = `(${labels.join(" ")})`;
    item = operation.replace("FLAGS", "X-GM-LABELS");
  } else {
    list = flagList(flags);
    item = silent ? `${operation}.SILENT` : operation;
  }
  if (unchangedSince !== undefined) {
    item = `(UNCHANGEDSINCE ${modseqArg(unchangedSince, true)}) ${item}`;
  }
  if (messages === "") return { messages: [], modified: [] };
  client.response("MODIFIED"); // one an earlier command left
  const [, data] = await run(
    signal,
    method,
    uid ? "UID STORE" : "STORE",
    (o) =>
      uid ? client.uid("STORE", messages, item, list, o) : client.store(messages, item, list, o),
  );
  const [, modified] = client.response("MODIFIED");
  const last = modified[modified.length - 1];
  return {
    // A FETCH per message stored (RFC 3501 section 6.4.6): read in parts (slices.ts).
    messages: await parseInParts(data, parseFetch, turnOf(client)),
    modified: last instanceof Uint8Array ? expandSequenceSet(latin1(last)) : [],
  };
}

/**
 * Adds flags to messages (`STORE set +FLAGS (flags)`, RFC 3501 section 6.4.6): imapflow's
 * `messageFlagsAdd()`.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages (sequence numbers, or UIDs with `uid`); `[]` changes nothing.
 * @param flags Flags (`\Seen`, `\Flagged`...) or keywords (`$Forwarded`, atoms).
 * @param options `uid`, `silent`, `unchangedSince`, `useLabels`, `signal`.
 * @returns The messages' new flags and, with `unchangedSince`, those left alone.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4ArgumentError} for a flag that is not `\Atom` or an atom.
 * @throws {IMAP4Error} for `useLabels` on a server without X-GM-EXT-1.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Marking messages read
 * ```ts ignore
 * import { addFlags } from "@imaplib/imaplib";
 * await addFlags(M, [12, 13], ["\\Seen"], { uid: true, silent: true });
 * await addFlags(M, 12, ["Rechnungen/2026", "\\Important"], { uid: true, useLabels: true }); // Gmail
 * ```
 */
export function addFlags(
  client: IMAP4,
  set: MessageSet,
  flags: Iterable<string>,
  options: StoreFlagsOptions = {},
): Promise<StoreFlagsResult> {
  return store("addFlags()", "+FLAGS", client, set, flags, options);
}

/**
 * Removes flags from messages (`STORE set -FLAGS (flags)`, RFC 3501 section 6.4.6): imapflow's
 * `messageFlagsRemove()`. Parameters, result and errors as {@linkcode addFlags}.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages; `[]` changes nothing.
 * @param flags The flags to remove.
 * @param options `uid`, `silent`, `unchangedSince`, `useLabels`, `signal`.
 * @returns As {@linkcode addFlags}.
 *
 * @example Marking messages unread
 * ```ts ignore
 * import { removeFlags } from "@imaplib/imaplib";
 * await removeFlags(M, "1:*", ["\\Seen"]);
 * ```
 */
export function removeFlags(
  client: IMAP4,
  set: MessageSet,
  flags: Iterable<string>,
  options: StoreFlagsOptions = {},
): Promise<StoreFlagsResult> {
  return store("removeFlags()", "-FLAGS", client, set, flags, options);
}

/**
 * Replaces the flags of messages (`STORE set FLAGS (flags)`, RFC 3501 section 6.4.6; no flags
 * clears them all, `\Recent` aside): imapflow's `messageFlagsSet()`. Parameters, result and
 * errors as {@linkcode addFlags}.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages; `[]` changes nothing.
 * @param flags The messages' flags from now on.
 * @param options `uid`, `silent`, `unchangedSince`, `useLabels`, `signal`.
 * @returns As {@linkcode addFlags}.
 *
 * @example Only flagged
 * ```ts ignore
 * import { setFlags } from "@imaplib/imaplib";
 * await setFlags(M, 7, ["\\Flagged"], { uid: true });
 * ```
 */
export function setFlags(
  client: IMAP4,
  set: MessageSet,
  flags: Iterable<string>,
  options: StoreFlagsOptions = {},
): Promise<StoreFlagsResult> {
  return store("setFlags()", "FLAGS", client, set, flags, options);
}

/**
 * Colours the flag of messages as Apple Mail does (imapflow's `setFlagColor()`): `\Flagged`
 * and the `$MailFlagBit` keywords of the colour added, the other bits removed (two STOREs,
 * RFC 3501 section 6.4.6). `null` removes the flag and every bit. Read a
 * colour back with `flagColor` on a fetched message (`{ flags: true }`).
 *
 * @param client A logged-in client with a mailbox selected; the server must allow keywords
 *   (`\*` in PERMANENTFLAGS).
 * @param set The messages; `[]` changes nothing.
 * @param color `"red"`, `"orange"`, `"yellow"`, `"green"`, `"blue"`, `"purple"` or `"grey"`
 *   (any case), or `null` for no flag.
 * @param options `uid`, `silent`, `signal`, as for {@linkcode addFlags}. (No `unchangedSince`:
 *   the first STORE would make the second skip every message it changed.)
 * @returns Each changed message's flags after both STOREs (`[]` with `silent`).
 * @throws {IMAP4ArgumentError} for a name that is not a colour.
 * @throws As {@linkcode addFlags} otherwise.
 *
 * @example A purple flag
 * ```ts ignore
 * import { fetchMessage, setFlagColor } from "@imaplib/imaplib";
 * await setFlagColor(M, [12], "purple", { uid: true });
 * console.log((await fetchMessage(M, 12, { flags: true }, { uid: true }))?.flagColor); // "purple"
 * ```
 */
export async function setFlagColor(
  client: IMAP4,
  set: MessageSet,
  color: FlagColor | null,
  options: Omit<StoreFlagsOptions, "unchangedSince" | "useLabels"> = {},
): Promise<StoreFlagsResult> {
  const { add, remove } = colorFlags(color);
  const method = "setFlagColor()";
  const { uid, silent = false, signal } = options; // nothing else, whatever a caller passes
  const messages = sequenceSet(set); // written once for both STOREs
  const added = add.length > 0
    ? await store(method, "+FLAGS", client, messages, add, { uid, silent, signal })
    : null;
  const removed = await store(method, "-FLAGS", client, messages, remove, { uid, silent, signal });
  if (added === null) return removed;
  // A server answers a STORE only for the messages whose flags it changed (RFC 3501 section
  // 6.4.6; Dovecot sends nothing for a -FLAGS that removed nothing): the second answer wins
  // where there is one, the first stands for the rest.
  const bySeq = new Map(added.messages.map((m) => [m.seq, m]));
  for (const message of removed.messages) bySeq.set(message.seq, message);
  return { messages: [...bySeq.values()], modified: [] };
}
