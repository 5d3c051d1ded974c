/**
 * Mailboxes by Unicode name: LIST, STATUS, CREATE, RENAME, DELETE as typed methods.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import type { Result } from "../../session/session.ts";
import { type ListEntry, parseList } from "../list.ts";
import { type MailboxStatus, parseStatus } from "../status.ts";
import { mailboxArg, quoted } from "./arguments.ts";
import { run } from "./errors.ts";

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
  /** RECENT: messages with `\Recent` (IMAP4rev1 servers only). */
  recent?: boolean;
  /** UIDNEXT: the UID the next message will get. */
  uidNext?: boolean;
  /** UIDVALIDITY. */
  uidValidity?: boolean;
  /** UNSEEN: messages without `\Seen`. */
  unseen?: boolean;
  /** HIGHESTMODSEQ (RFC 7162); asked only if the server advertises `CONDSTORE`. */
  highestModseq?: boolean;
  /** SIZE (RFC 8438), in bytes; asked only if the server advertises `STATUS=SIZE`. */
  size?: boolean;
}

const STATUS_ITEMS: [keyof StatusQuery, string, string?][] = [
  ["messages", "MESSAGES"],
  ["recent", "RECENT"],
  ["uidNext", "UIDNEXT"],
  ["uidValidity", "UIDVALIDITY"],
  ["unseen", "UNSEEN"],
  ["highestModseq", "HIGHESTMODSEQ", "CONDSTORE"],
  ["size", "SIZE", "STATUS=SIZE"],
];

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

async function status(
  client: IMAP4,
  name: string,
  query: StatusQuery,
  signal: AbortSignal | undefined,
): Promise<MailboxStatus> {
  const items = STATUS_ITEMS
    .filter(([key, , cap]) => query[key] && (!cap || client.capabilities.includes(cap)))
    .map(([, item]) => item);
  const [, data] = await run(
    signal,
    "statusMailbox()",
    "STATUS",
    () => client.status(name, `(${items.join(" ")})`),
  );
  const all = parseStatus(data, { utf8: client.utf8_enabled });
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

/**
 * Options of {@linkcode listMailboxes}.
 *
 * @example Folders under Archive, with their counts
 * ```ts
 * import type { ListMailboxesOptions } from "@imaplib/imaplib";
 * const options: ListMailboxesOptions = { pattern: "Archive.*", statusItems: { messages: true } };
 * console.assert(options.pattern === "Archive.*");
 * ```
 */
export interface ListMailboxesOptions extends SignalOptions {
  /** LIST's pattern, Unicode, with `*` (any levels) and `%` (one level) wildcards. @default {"*"} */
  pattern?: string;
  /** LIST's reference name, Unicode (RFC 3501 section 6.3.8). @default {""} */
  reference?: string;
  /**
   * Also asks STATUS with these items for each selectable mailbox listed (one STATUS command
   * each, after the LIST; mailboxes flagged `\Noselect` or `\NonExistent` get none).
   */
  statusItems?: StatusQuery;
}

/**
 * A mailbox as {@linkcode listMailboxes} returns it: the LIST entry (imapflow's
 * `ListResponse` names: `path`, `name`, `delimiter`, `flags`, `specialUse`, ...) and, when
 * asked, its STATUS.
 *
 * @example A line per mailbox
 * ```ts
 * import type { MailboxListEntry } from "@imaplib/imaplib";
 * const show = (e: MailboxListEntry) => `${e.path} ${e.specialUse ?? ""} ${e.status?.messages}`;
 * console.assert(typeof show === "function");
 * ```
 */
export interface MailboxListEntry extends ListEntry {
  /** The STATUS answer, with `statusItems`. */
  status?: MailboxStatus;
}

/**
 * Lists mailboxes (LIST, RFC 3501 section 6.3.8) with Unicode names, hierarchy delimiter,
 * attributes and special use (RFC 6154): imapflow's `list()`. The pattern and reference are
 * encoded for the caller (modified UTF-7, or UTF-8 once `UTF8=ACCEPT` is enabled), the names
 * decoded.
 *
 * @param client A logged-in client.
 * @param options `pattern`, `reference`, `statusItems`, `signal`.
 * @returns The mailboxes in the server's order; `[]` when none matched.
 * @throws {IMAP4CommandError} on NO or BAD (of the LIST or of a STATUS).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Every folder with its special use
 * ```ts ignore
 * import { IMAP4, listMailboxes } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * for (const box of await listMailboxes(M, { statusItems: { unseen: true } })) {
 *   console.log(box.path, box.specialUse, box.status?.unseen);
 * }
 * ```
 */
export async function listMailboxes(
  client: IMAP4,
  options: ListMailboxesOptions = {},
): Promise<MailboxListEntry[]> {
  const { pattern = "*", reference = "", statusItems, signal } = options;
  const [, data] = await run(
    signal,
    "listMailboxes()",
    "LIST",
    () => client.list(mailboxArg(client, reference), mailboxArg(client, pattern)),
  );
  const entries: MailboxListEntry[] = parseList(data, { utf8: client.utf8_enabled });
  if (statusItems) {
    for (const entry of entries) {
      const flags = [...entry.flags].map((flag) => flag.toLowerCase());
      if (flags.includes("\\noselect") || flags.includes("\\nonexistent")) continue;
      entry.status = await status(client, quoted(entry.pathAsListed), statusItems, signal);
    }
  }
  return entries;
}

function simple(
  method: string,
  command: string,
  call: () => Promise<Result>,
  signal: AbortSignal | undefined,
): Promise<void> {
  return run(signal, method, command, call).then(() => {});
}

/**
 * Creates a mailbox by its Unicode name (CREATE, RFC 3501 section 6.3.3): imapflow's
 * `mailboxCreate()`. Use the server's delimiter (see `listMailboxes()`) for levels.
 *
 * @param client A logged-in client.
 * @param path The new mailbox's Unicode name, e.g. `"Archiv.Entwürfe"`.
 * @param options `signal`.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "ALREADYEXISTS"`).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example A folder with a German name
 * ```ts ignore
 * await createMailbox(M, "Entwürfe");
 * ```
 */
export function createMailbox(
  client: IMAP4,
  path: string,
  options: SignalOptions = {},
): Promise<void> {
  const name = mailboxArg(client, path);
  return simple("createMailbox()", "CREATE", () => client.create(name), options.signal);
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
  return simple("renameMailbox()", "RENAME", () => client.rename(from, to), options.signal);
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
  const name = mailboxArg(client, path);
  return simple("deleteMailbox()", "DELETE", () => client.delete(name), options.signal);
}
