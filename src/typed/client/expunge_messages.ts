/**
 * `expungeMessages()`: remove only the given `\Deleted` messages (UID EXPUNGE, RFC 4315), or,
 * asked explicitly, every `\Deleted` message (EXPUNGE), with what the server reported removed.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { IMAP4Error } from "../../errors.ts";
import { compressSequenceSet, numberText } from "../sequence_set.ts";
import { latin1 } from "../text.ts";
import { parseVanished } from "../vanished.ts";
import { type MessageSet, sequenceSet } from "./arguments.ts";
import { run } from "./errors.ts";
import { searchUids } from "./search_messages.ts";
import type { SignalOptions } from "./mailboxes.ts";

/**
 * Options of {@linkcode expungeMessages}.
 *
 * @example By UID
 * ```ts
 * import type { ExpungeMessagesOptions } from "@imaplib/imaplib";
 * const options: ExpungeMessagesOptions = { uid: true };
 * console.assert(options.uid);
 * ```
 */
export interface ExpungeMessagesOptions extends SignalOptions {
  /** The set holds UIDs (else sequence numbers, turned into UIDs first). @default {false} */
  uid?: boolean;
}

/**
 * What the server reported removed.
 *
 * @example Two messages expunged, reported as EXPUNGE
 * ```ts
 * import type { ExpungeResult } from "@imaplib/imaplib";
 * const result: ExpungeResult = { expunged: [3, 3], vanished: [] };
 * console.assert(result.expunged.length === 2);
 * ```
 */
export interface ExpungeResult {
  /**
   * The sequence numbers of `* n EXPUNGE` responses, in the order sent: each counts in the
   * mailbox as it was after the previous one (RFC 3501 section 7.4.1), so removing messages 3
   * and 4 reads `[3, 3]`, or `[4, 3]` from a server that starts at the end (Dovecot).
   */
  expunged: number[];
  /**
   * The UIDs of `* VANISHED` responses, ascending: a server with QRESYNC enabled reports
   * expunges this way instead (RFC 7162 section 3.2.10).
   */
  vanished: number[];
}

/**
 * @internal `UID EXPUNGE uids` (RFC 4315 section 2.1), the server's EXPUNGE and VANISHED
 * responses read from the untagged store. Shared with `moveMessages()`'s fallback.
 */
export async function uidExpunge(
  client: IMAP4,
  uids: string,
  signal: AbortSignal | undefined,
  method: string,
): Promise<ExpungeResult> {
  dropReports(client);
  await run(signal, method, "UID EXPUNGE", (o) => client.uid("EXPUNGE", uids, o));
  return reports(client, []);
}

/**
 * Expunges messages flagged `\Deleted`: only those of `set` (`UID EXPUNGE`, RFC 4315 section
 * 2.1), so that `\Deleted` messages of other clients or other tasks stay; with `set` `null`,
 * every `\Deleted` message of the mailbox (EXPUNGE, RFC 3501 section 6.4.3), which must be
 * asked for that way. Messages of `set` without `\Deleted` are not removed.
 *
 * `UID EXPUNGE` needs `UIDPLUS` (or IMAP4rev2); without it this throws rather than fall back
 * to a plain EXPUNGE. Sequence numbers (without `uid`) are turned into UIDs first with
 * `UID SEARCH`, so expunges reported meanwhile cannot shift the set. The responses are read
 * from the untagged store: do not run imaplib's EXPUNGE concurrently with this method.
 *
 * @param client A logged-in client with a mailbox selected (not read-only).
 * @param set The messages (UIDs with `uid`, else sequence numbers); `[]` expunges nothing;
 *   `null` expunges every `\Deleted` message.
 * @param options `uid`, `signal`.
 * @returns The sequence numbers and UIDs the server reported removed.
 * @throws {IMAP4Error} when `set` is given and the server advertises neither `UIDPLUS` nor
 *   `IMAP4rev2` (nothing is sent).
 * @throws {IMAP4CommandError} on NO or BAD (e.g. a mailbox selected read-only).
 * @throws {IMAP4ArgumentError} for a set that is not a sequence set.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Deleting two messages by UID, leaving other `\Deleted` ones alone
 * ```ts ignore
 * import { addFlags, expungeMessages } from "@imaplib/imaplib";
 * await addFlags(M, [4021, 4022], ["\\Deleted"], { uid: true });
 * const { expunged, vanished } = await expungeMessages(M, [4021, 4022], { uid: true });
 * ```
 */
export async function expungeMessages(
  client: IMAP4,
  set: MessageSet | null,
  options: ExpungeMessagesOptions = {},
): Promise<ExpungeResult> {
  const { uid = false, signal } = options;
  const method = "expungeMessages()";
  if (set === null) return await expungeAll(client, signal, method);
  const given = sequenceSet(set);
  if (given === "") return { expunged: [], vanished: [] };
  if (!hasUidExpunge(client)) {
    throw new IMAP4Error(
      `${method}: UID EXPUNGE needs UIDPLUS (RFC 4315), which the server does not advertise; ` +
        "pass null to expunge every \\Deleted message with EXPUNGE",
    );
  }
  const uids = uid ? given : await uidsOf(client, given, signal, method);
  if (uids === "") return { expunged: [], vanished: [] };
  return await uidExpunge(client, uids, signal, method);
}

const hasUidExpunge = (client: IMAP4) =>
  client.capabilities.includes("UIDPLUS") || client.capabilities.includes("IMAP4REV2");

// The UIDs of messages by sequence number (`* SEARCH`, or `* ESEARCH` in IMAP4rev2), so that
// expunges reported meanwhile cannot shift the set; `""` for none.
async function uidsOf(
  client: IMAP4,
  numbers: string,
  signal: AbortSignal | undefined,
  method: string,
): Promise<string> {
  return compressSequenceSet(await searchUids(client, method, numbers, signal));
}

/**
 * Options of {@linkcode deleteMessages}.
 *
 * @example On a server without UIDPLUS, accepting that other `\Deleted` messages go too
 * ```ts
 * import type { DeleteMessagesOptions } from "@imaplib/imaplib";
 * const options: DeleteMessagesOptions = { uid: true, plainExpunge: true };
 * console.assert(options.plainExpunge);
 * ```
 */
export interface DeleteMessagesOptions extends ExpungeMessagesOptions {
  /**
   * Without UIDPLUS, allow a plain EXPUNGE, which also removes every other message flagged
   * `\Deleted` in the mailbox (imapflow's `messageDelete()` always does). @default {false}
   */
  plainExpunge?: boolean;
}

/**
 * Deletes messages for good: flags them `\Deleted` (`UID STORE ... +FLAGS.SILENT (\Deleted)`)
 * and expunges those only (`UID EXPUNGE`, RFC 4315 section 2.1), so `\Deleted` messages of
 * other clients stay. imapflow's `messageDelete()`. Sequence numbers (without `uid`) are turned
 * into UIDs first (`UID SEARCH`), so expunges reported meanwhile cannot shift the set.
 *
 * Without `UIDPLUS` (or IMAP4rev2) this throws before sending anything, unless `plainExpunge`
 * allows a plain EXPUNGE. To move messages to the trash instead, use `moveMessages()` with the
 * `\Trash` mailbox that `listMailboxes()` reports.
 *
 * @param client A logged-in client with a mailbox selected (not read-only).
 * @param set The messages (UIDs with `uid`, else sequence numbers); `[]` deletes nothing.
 * @param options `uid`, `plainExpunge`, `signal`.
 * @returns The sequence numbers and UIDs the server reported removed.
 * @throws {IMAP4Error} without UIDPLUS and IMAP4rev2 when `plainExpunge` is not set (nothing
 *   is sent).
 * @throws {IMAP4CommandError} on NO or BAD (e.g. a mailbox selected read-only).
 * @throws {IMAP4ArgumentError} for a set that is not a sequence set.
 * @throws {IMAP4CancelledError} when `signal` fires: the messages may be flagged and not yet
 *   expunged.
 *
 * @example Deleting two messages by UID
 * ```ts ignore
 * import { deleteMessages } from "@imaplib/imaplib";
 * const { expunged, vanished } = await deleteMessages(M, [4021, 4022], { uid: true });
 * ```
 */
export async function deleteMessages(
  client: IMAP4,
  set: MessageSet,
  options: DeleteMessagesOptions = {},
): Promise<ExpungeResult> {
  const { uid = false, plainExpunge = false, signal } = options;
  const method = "deleteMessages()";
  const given = sequenceSet(set);
  if (given === "") return { expunged: [], vanished: [] };
  const uidplus = hasUidExpunge(client);
  if (!uidplus && !plainExpunge) {
    throw new IMAP4Error(
      `${method}: UID EXPUNGE needs UIDPLUS (RFC 4315), which the server does not advertise; ` +
        "{ plainExpunge: true } allows EXPUNGE, which removes every \\Deleted message",
    );
  }
  const uids = uid ? given : await uidsOf(client, given, signal, method);
  if (uids === "") return { expunged: [], vanished: [] };
  await run(
    signal,
    method,
    "UID STORE",
    (o) => client.uid("STORE", uids, "+FLAGS.SILENT", "(\\Deleted)", o),
  );
  if (uidplus) return await uidExpunge(client, uids, signal, method);
  return await expungeAll(client, signal, method);
}

// EXPUNGE (RFC 3501 section 6.4.3): every `\Deleted` message, with what the server reported.
async function expungeAll(
  client: IMAP4,
  signal: AbortSignal | undefined,
  method: string,
): Promise<ExpungeResult> {
  dropReports(client); // those an earlier command left
  const [, data] = await run(signal, method, "EXPUNGE", (o) => client.expunge(o));
  return reports(client, data);
}

function dropReports(client: IMAP4): void {
  client.response("EXPUNGE");
  client.response("VANISHED");
}

// EXPUNGE data (given, or left in the store) and VANISHED from the store.
function reports(client: IMAP4, data: readonly unknown[]): ExpungeResult {
  const expunges = data.length > 0 ? data : client.response("EXPUNGE")[1];
  const expunged = expunges.flatMap((d) => {
    const n = numberText(d instanceof Uint8Array ? latin1(d).trim() : "");
    return n === undefined ? [] : [n];
  });
  const { earlier, now } = parseVanished(client.response("VANISHED")[1]);
  return { expunged, vanished: [...new Set([...now, ...earlier])].sort((a, b) => a - b) };
}
