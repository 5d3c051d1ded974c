/**
 * `copyMessages()` and `moveMessages()`: COPY and MOVE by Unicode mailbox name, the UID mapping
 * from COPYUID, and MOVE's fallback for servers without it.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { compressSequenceSet } from "../sequence_set.ts";
import { mailboxArg, type MessageSet, sequenceSet } from "./arguments.ts";
import { run } from "./errors.ts";
import { uidExpunge } from "./expunge_messages.ts";
import { searchUids } from "./search_messages.ts";
import { copyUidInParts, turnOf } from "./slices.ts";

/**
 * Options of {@linkcode copyMessages}.
 *
 * @example Copying by UID
 * ```ts
 * import type { CopyMessagesOptions } from "@imaplib/imaplib";
 * const options: CopyMessagesOptions = { uid: true };
 * console.assert(options.uid);
 * ```
 */
export interface CopyMessagesOptions {
  /** The set holds UIDs: send `UID COPY` / `UID MOVE`. @default {false} */
  uid?: boolean;
  /** Cancels the method; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/**
 * Options of {@linkcode moveMessages}.
 *
 * @example Allowing a plain EXPUNGE on a server without MOVE and UIDPLUS
 * ```ts
 * import type { MoveMessagesOptions } from "@imaplib/imaplib";
 * const options: MoveMessagesOptions = { uid: true, plainExpunge: true };
 * console.assert(options.plainExpunge);
 * ```
 */
export interface MoveMessagesOptions extends CopyMessagesOptions {
  /**
   * On a server with neither MOVE nor UIDPLUS, finish the fallback with a plain EXPUNGE,
   * which removes every message flagged `\Deleted` in the mailbox, not only the moved ones.
   * Without it such a server keeps the originals, flagged `\Deleted` (`expunged: false`).
   * @default {false}
   */
  plainExpunge?: boolean;
}

/**
 * Where copied messages went: COPYUID (RFC 4315 section 3), when the server sends it (it
 * advertises `UIDPLUS`); otherwise `{}`.
 *
 * @example Two messages copied
 * ```ts
 * import type { CopyResult } from "@imaplib/imaplib";
 * const result: CopyResult = { uidValidity: 7, uidMap: new Map([[3, 101], [4, 102]]) };
 * console.assert(result.uidMap?.get(4) === 102);
 * ```
 */
export interface CopyResult {
  /** The destination's UIDVALIDITY. */
  uidValidity?: number;
  /**
   * Source UID to destination UID, for each message copied. Keys are UIDs even when the set
   * held sequence numbers. Absent when the server named more than 1,000,000 UIDs. Built a part
   * at a time between turns of the event loop; V8 grows a `Map` by rehashing it whole, so past
   * ~100,000 UIDs that growth alone holds the loop (~120 ms for a million on the bench machine).
   */
  uidMap?: Map<number, number>;
}

/**
 * Where moved messages went (see {@linkcode CopyResult}), and whether the originals are gone.
 *
 * @example Originals left flagged on a server without UIDPLUS
 * ```ts
 * import type { MoveResult } from "@imaplib/imaplib";
 * const result: MoveResult = { expunged: false };
 * console.assert(!result.expunged);
 * ```
 */
export interface MoveResult extends CopyResult {
  /**
   * Whether the originals were removed: true after MOVE, UID EXPUNGE or (with `plainExpunge`)
   * EXPUNGE; false when they were left flagged `\Deleted`.
   */
  expunged: boolean;
}

// The COPYUID the last command left in the untagged store (a tagged OK's code for COPY, an
// untagged OK's for MOVE, RFC 6851 section 4.3), taken from it, read between turns of the event
// loop (slices.ts).
async function copyUid(client: IMAP4): Promise<CopyResult> {
  const [, data] = client.response("COPYUID");
  const last = data[data.length - 1];
  if (!(last instanceof Uint8Array)) return {};
  const code = await copyUidInParts(last, turnOf(client));
  return code ?? {};
}

/**
 * Copies messages to a mailbox by its Unicode name (COPY or `UID COPY`, RFC 3501 section
 * 6.4.7) and returns the UID mapping from COPYUID (RFC 4315): imapflow's `messageCopy()`.
 *
 * COPYUID is read from the untagged store (`response("COPYUID")`): do not run imaplib's COPY
 * or MOVE concurrently with this method.
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages (sequence numbers, or UIDs with `uid`); `[]` copies nothing.
 * @param destination The destination's Unicode name.
 * @param options `uid`, `signal`.
 * @returns `{ uidValidity, uidMap }`, or `{}` without COPYUID.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "TRYCREATE"`).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Archiving two messages by UID
 * ```ts ignore
 * import { copyMessages } from "@imaplib/imaplib";
 * const { uidMap } = await copyMessages(M, [3, 4], "Archiv", { uid: true });
 * ```
 */
export async function copyMessages(
  client: IMAP4,
  set: MessageSet,
  destination: string,
  options: CopyMessagesOptions = {},
): Promise<CopyResult> {
  const { uid = false, signal } = options;
  const messages = sequenceSet(set);
  const target = mailboxArg(client, destination);
  if (messages === "") return {};
  client.response("COPYUID"); // one an earlier command left
  await run(
    signal,
    "copyMessages()",
    uid ? "UID COPY" : "COPY",
    (o) => uid ? client.uid("COPY", messages, target, o) : client.copy(messages, target, o),
  );
  return await copyUid(client);
}

/**
 * Moves messages to a mailbox by its Unicode name: imapflow's `messageMove()`. With the MOVE
 * capability, one `MOVE` / `UID MOVE` (RFC 6851). Without it, RFC 6851's fallback, in UIDs so
 * that expunges reported between the steps cannot shift the set:
 *
 * 1. `UID SEARCH set` to learn the UIDs, when the set holds sequence numbers;
 * 2. `UID COPY uids destination` (COPYUID gives the mapping);
 * 3. `UID STORE uids +FLAGS.SILENT (\Deleted)`;
 * 4. `UID EXPUNGE uids` when the server advertises UIDPLUS (RFC 4315), which removes only
 *    these messages. Without UIDPLUS nothing is expunged (`expunged: false`, the originals
 *    stay flagged `\Deleted`) unless `plainExpunge` allows a plain EXPUNGE, which removes
 *    every `\Deleted` message of the mailbox.
 *
 * The fallback is not atomic: if a step fails or `signal` fires, the steps before it stay done
 * (e.g. the copies exist).
 *
 * @param client A logged-in client with a mailbox selected.
 * @param set The messages (sequence numbers, or UIDs with `uid`); `[]` moves nothing.
 * @param destination The destination's Unicode name.
 * @param options `uid`, `plainExpunge`, `signal`.
 * @returns `{ uidValidity, uidMap, expunged }`; the first two only with COPYUID.
 * @throws {IMAP4CommandError} on NO or BAD of any step.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Moving unread newsletters
 * ```ts ignore
 * import { moveMessages, searchMessages } from "@imaplib/imaplib";
 * const uids = await searchMessages(M, { seen: false, header: { "List-Id": "news" } }, {
 *   uid: true,
 * });
 * await moveMessages(M, uids, "Newsletters", { uid: true });
 * ```
 */
export async function moveMessages(
  client: IMAP4,
  set: MessageSet,
  destination: string,
  options: MoveMessagesOptions = {},
): Promise<MoveResult> {
  const { uid = false, plainExpunge = false, signal } = options;
  const method = "moveMessages()";
  let messages = sequenceSet(set);
  const target = mailboxArg(client, destination);
  if (messages === "") return { expunged: true };
  const caps = client.capabilities;
  client.response("COPYUID"); // one an earlier command left
  if (caps.includes("MOVE")) {
    await run(
      signal,
      method,
      uid ? "UID MOVE" : "MOVE",
      (o) =>
        uid ? client.uid("MOVE", messages, target, o) : client.xatom("MOVE", messages, target, o),
    );
    return { ...await copyUid(client), expunged: true };
  }
  if (!uid) {
    // `* SEARCH`, or `* ESEARCH` in IMAP4rev2.
    messages = compressSequenceSet(await searchUids(client, method, messages, signal));
    if (messages === "") return { expunged: true };
  }
  await run(signal, method, "UID COPY", (o) => client.uid("COPY", messages, target, o));
  const copied = await copyUid(client);
  await run(
    signal,
    method,
    "UID STORE",
    (o) => client.uid("STORE", messages, "+FLAGS.SILENT", "(\\Deleted)", o),
  );
  const uidplus = caps.includes("UIDPLUS");
  if (uidplus) await uidExpunge(client, messages, signal, method);
  else if (plainExpunge) await run(signal, method, "EXPUNGE", (o) => client.expunge(o));
  return { ...copied, expunged: uidplus || plainExpunge };
}
