/**
 * Mailboxes by Unicode name: STATUS, CREATE, RENAME, DELETE as typed methods (LIST is in
 * `list_mailboxes.ts`).
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { IMAP4ArgumentError } from "../../errors.ts";
import type { Result } from "../../session/session.ts";
import type { CommandOptions } from "../../session/options.ts";
import type { Argument } from "../../wire/encoder.ts";
import { type MailboxStatus, parseStatus } from "../status.ts";
import { atom, mailboxArg, utf8Names } from "./arguments.ts";
import { run } from "./errors.ts";
import { isImap4rev2 } from "./imap4rev2.ts";

/**
 * The STATUS items {@linkcode statusMailbox} asks for (RFC 3501 section 6.3.10): imapflow's
 * status query. Each `true` field is answered in the field of the same name of
 * `MailboxStatus`.
 *
 * @example Counting unread mail
 * ```ts
 * import type { StatusQuery } from "@imaplib/imaplib";
 * const query: StatusQuery = { messages: true, unseen: true };
 * console.assert(query.unseen);
 * ```
 */
export interface StatusQuery {
  /** MESSAGES: the number of messages. */
  messages?: boolean;
  /** RECENT: messages with `\Recent`; not asked once IMAP4rev2 is enabled (it has none). */
  recent?: boolean;
  /** UIDNEXT: the UID the next message will get. */
  uidNext?: boolean;
  /** UIDVALIDITY. */
  uidValidity?: boolean;
  /** UNSEEN: messages without `\Seen`. */
  unseen?: boolean;
  /** HIGHESTMODSEQ (RFC 7162); asked only if the server advertises `CONDSTORE`. */
  highestModseq?: boolean;
  /** SIZE (RFC 8438), in bytes; asked only with `STATUS=SIZE` advertised, or in IMAP4rev2. */
  size?: boolean;
  /** DELETED: messages with `\Deleted`; asked only in IMAP4rev2 (RFC 9051 section 6.3.11). */
  deleted?: boolean;
}

// Each item, and when the connection may ask it: RECENT is gone from IMAP4rev2 (RFC 9051
// Appendix E), which has SIZE and DELETED built in.
const STATUS_ITEMS: [keyof StatusQuery, string, (client: IMAP4) => boolean][] = [
  ["messages", "MESSAGES", () => true],
  ["recent", "RECENT", (client) => !isImap4rev2(client)],
  ["uidNext", "UIDNEXT", () => true],
  ["uidValidity", "UIDVALIDITY", () => true],
  ["unseen", "UNSEEN", () => true],
  ["highestModseq", "HIGHESTMODSEQ", (client) => client.capabilities.includes("CONDSTORE")],
  ["size", "SIZE", (client) => client.capabilities.includes("STATUS=SIZE") || isImap4rev2(client)],
  ["deleted", "DELETED", isImap4rev2],
];

/** @internal The STATUS items of `query` this connection may ask, e.g. `["MESSAGES"]`. */
export function statusItems(client: IMAP4, query: StatusQuery): string[] {
  return STATUS_ITEMS.filter(([key, , available]) => query[key] && available(client))
    .map(([, item]) => item);
}

const ALL_STATUS: StatusQuery = {
  messages: true,
  recent: true,
  uidNext: true,
  uidValidity: true,
  unseen: true,
  highestModseq: true,
};

/**
 * Options of the typed methods that send one command: only the signal.
 *
 * @example A ten-second budget
 * ```ts
 * import type { SignalOptions } from "@imaplib/imaplib";
 * const options: SignalOptions = { signal: AbortSignal.timeout(10_000) };
 * console.assert(options.signal instanceof AbortSignal);
 * ```
 */
export interface SignalOptions {
  /** Cancels the method; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/** @internal STATUS of `name` (as it goes on the wire) with the items of `query`. */
export async function status(
  client: IMAP4,
  name: string,
  query: StatusQuery,
  signal: AbortSignal | undefined,
): Promise<MailboxStatus> {
  const items = statusItems(client, query);
  const [, data] = await run(
    signal,
    "statusMailbox()",
    "STATUS",
    (o) => client.status(name, `(${items.join(" ")})`, o),
  );
  const all = parseStatus(data, { utf8: utf8Names(client) });
  return all[all.length - 1];
}

/**
 * STATUS of a mailbox by its Unicode name (RFC 3501 section 6.3.10), as an object: imapflow's
 * `status()`. Only the items asked for (and supported) are present.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name, e.g. `"Entwürfe"` (encoded for the caller).
 * @param query The items; all of RFC 3501's and HIGHESTMODSEQ by default.
 * @param options `signal`.
 * @returns `{ path, messages, recent, uidNext, uidValidity, unseen, highestModseq, ... }`
 *   (`MailboxStatus`): counts are numbers, HIGHESTMODSEQ a `bigint`, `path` decoded.
 * @throws {IMAP4CommandError} on NO or BAD, e.g. `code.code === "NONEXISTENT"`.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Unread count of a folder
 * ```ts ignore
 * import { IMAP4, statusMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const { unseen } = await statusMailbox(M, "Entwürfe", { unseen: true });
 * ```
 */
export function statusMailbox(
  client: IMAP4,
  path: string,
  query: StatusQuery = ALL_STATUS,
  options: SignalOptions = {},
): Promise<MailboxStatus> {
  return status(client, mailboxArg(client, path), query, options.signal);
}

function simple(
  method: string,
  command: string,
  call: (options: CommandOptions) => Promise<Result>,
  signal: AbortSignal | undefined,
): Promise<void> {
  return run(signal, method, command, call).then(() => {});
}

// `command` on the mailbox `path` (a Unicode name, encoded here).
function onMailbox(
  client: IMAP4,
  path: string,
  method: string,
  command: string,
  call: (name: string, options: CommandOptions) => Promise<Result>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const name = mailboxArg(client, path);
  return simple(method, command, (o) => call(name, o), signal);
}

/**
 * Options of {@linkcode createMailbox}.
 *
 * @example A folder for sent mail
 * ```ts
 * import type { CreateMailboxOptions } from "@imaplib/imaplib";
 * const options: CreateMailboxOptions = { specialUse: "\\Sent" };
 * console.assert(options.specialUse === "\\Sent");
 * ```
 */
export interface CreateMailboxOptions extends SignalOptions {
  /**
   * The special use of the new mailbox (RFC 6154 section 5.1, CREATE-SPECIAL-USE):
   * `"\\Sent"`, `"\\Drafts"`, `"\\Trash"`, `"\\Junk"`, `"\\Archive"`, `"\\All"`,
   * `"\\Flagged"`, `"\\Important"` (RFC 8457), or another flag-extension. Sent as
   * `CREATE name (USE (\\Sent))`; the server must advertise `CREATE-SPECIAL-USE`.
   */
  specialUse?: string;
}

/**
 * Creates a mailbox by its Unicode name (CREATE, RFC 3501 section 6.3.3): imapflow's
 * `mailboxCreate()`. Use the server's delimiter (see `listMailboxes()`) for levels. With
 * `specialUse`, marks it for that use as it is made (RFC 6154 section 5.1).
 *
 * @param client A logged-in client.
 * @param path The new mailbox's Unicode name, e.g. `"Archiv.Entwürfe"`.
 * @param options `specialUse`, `signal`.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "ALREADYEXISTS"`, or
 *   `"USEATTR"` for a special use the server does not allow there).
 * @throws {IMAP4ArgumentError} before anything is sent, for `specialUse` on a server that does
 *   not advertise `CREATE-SPECIAL-USE`, or a `specialUse` that is not a flag-extension
 *   (`\` and an atom).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example A folder with a German name, and a Sent folder
 * ```ts ignore
 * await createMailbox(M, "Entwürfe");
 * await createMailbox(M, "Gesendet", { specialUse: "\\Sent" });
 * ```
 */
export function createMailbox(
  client: IMAP4,
  path: string,
  options: CreateMailboxOptions = {},
): Promise<void> {
  const name = mailboxArg(client, path);
  const { specialUse } = options;
  if (specialUse === undefined) {
    return simple("createMailbox()", "CREATE", (o) => client.create(name, o), options.signal);
  }
  try {
    // RFC 6154 `use-attr`: a flag-extension, `\` and an atom.
    atom(specialUse, "special-use attribute");
    if (!specialUse.startsWith("\\")) {
      throw new IMAP4ArgumentError(
        `not a special-use attribute: ${JSON.stringify(specialUse)} (they start with "\\")`,
      );
    }
    if (!client.capabilities.includes("CREATE-SPECIAL-USE")) {
      throw new IMAP4ArgumentError(
        `createMailbox(): the server does not advertise CREATE-SPECIAL-USE (RFC 6154 section ` +
          `5.1), so specialUse ${specialUse} cannot be set; create the mailbox without it`,
      );
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const args: Argument[] = [
    { kind: "astring", value: name },
    { kind: "raw", value: `(USE (${specialUse}))` },
  ];
  return simple(
    "createMailbox()",
    "CREATE",
    (o) => coreOf(client).simple("CREATE", args, o),
    options.signal,
  );
}

/**
 * Renames a mailbox (RENAME, RFC 3501 section 6.3.5), both names Unicode: imapflow's
 * `mailboxRename()`.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name.
 * @param newPath Its new Unicode name.
 * @param options `signal`.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Renaming a draft folder
 * ```ts ignore
 * await renameMailbox(M, "Entwürfe", "Brouillons");
 * ```
 */
export function renameMailbox(
  client: IMAP4,
  path: string,
  newPath: string,
  options: SignalOptions = {},
): Promise<void> {
  const [from, to] = [mailboxArg(client, path), mailboxArg(client, newPath)];
  return simple("renameMailbox()", "RENAME", (o) => client.rename(from, to, o), options.signal);
}

/**
 * Deletes a mailbox by its Unicode name (DELETE, RFC 3501 section 6.3.4): imapflow's
 * `mailboxDelete()`.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name.
 * @param options `signal`.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "NONEXISTENT"`).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Deleting a folder
 * ```ts ignore
 * await deleteMailbox(M, "Brouillons");
 * ```
 */
export function deleteMailbox(
  client: IMAP4,
  path: string,
  options: SignalOptions = {},
): Promise<void> {
  const call = (name: string, o: CommandOptions) => client.delete(name, o);
  return onMailbox(client, path, "deleteMailbox()", "DELETE", call, options.signal);
}

/**
 * Subscribes to a mailbox by its Unicode name (SUBSCRIBE, RFC 3501 section 6.3.6): imapflow's
 * `mailboxSubscribe()`. `listMailboxes(M, { subscribedOnly: true })` then lists it.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name.
 * @param options `signal`.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Showing a new folder in other mail clients' folder lists
 * ```ts ignore
 * await createMailbox(M, "Rechnungen/2026");
 * await subscribeMailbox(M, "Rechnungen/2026");
 * ```
 */
export function subscribeMailbox(
  client: IMAP4,
  path: string,
  options: SignalOptions = {},
): Promise<void> {
  const call = (name: string, o: CommandOptions) => client.subscribe(name, o);
  return onMailbox(client, path, "subscribeMailbox()", "SUBSCRIBE", call, options.signal);
}

/**
 * Unsubscribes from a mailbox by its Unicode name (UNSUBSCRIBE, RFC 3501 section 6.3.7):
 * imapflow's `mailboxUnsubscribe()`. The mailbox itself stays.
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name.
 * @param options `signal`.
 * @throws {IMAP4CommandError} on NO or BAD (Dovecot 2.3 answers OK for a name that was not
 *   subscribed).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example
 * ```ts ignore
 * await unsubscribeMailbox(M, "Rechnungen/2026");
 * ```
 */
export function unsubscribeMailbox(
  client: IMAP4,
  path: string,
  options: SignalOptions = {},
): Promise<void> {
  const call = (name: string, o: CommandOptions) => client.unsubscribe(name, o);
  return onMailbox(client, path, "unsubscribeMailbox()", "UNSUBSCRIBE", call, options.signal);
}
