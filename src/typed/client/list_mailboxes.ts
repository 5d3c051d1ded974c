/**
 * `listMailboxes()`: LIST with Unicode names, special use, subscriptions and STATUS, in one
 * round trip where the server has LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and
 * SPECIAL-USE (RFC 6154), with the IMAP4rev1 commands otherwise.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import type { Argument } from "../../wire/encoder.ts";
import { hasAttribute, isSelectable, type ListEntry, parseList } from "../list.ts";
import { type MailboxTree, MailboxTreeBuilder } from "../mailbox_tree.ts";
import { type MailboxStatus, parseStatus } from "../status.ts";
import { mailboxArg, quoted, utf8Names } from "./arguments.ts";
import { collect } from "./collect.ts";
import { forEachInParts, parseInParts, turnOf } from "./slices.ts";
import { isImap4rev2 } from "./imap4rev2.ts";
import {
  type SignalOptions,
  status,
  statusItems as statusItemsOf,
  type StatusQuery,
} from "./mailboxes.ts";

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
   * Also gets STATUS with these items for each selectable mailbox listed: in the LIST itself
   * where the server has LIST-STATUS (RFC 5819: `RETURN (STATUS (...))`, one round trip),
   * else one STATUS command per mailbox after the LIST. Mailboxes flagged `\Noselect` or
   * `\NonExistent` get none.
   */
  statusItems?: StatusQuery;
  /**
   * Only subscribed mailboxes: `LIST (SUBSCRIBED)` (RFC 5258 section 3.1), or LSUB on a
   * server without LIST-EXTENDED.
   * @default {false}
   */
  subscribedOnly?: boolean;
  /**
   * Only mailboxes with a special use: `LIST (SPECIAL-USE)` (RFC 6154 section 3) where the
   * server has it with LIST-EXTENDED, else the LIST filtered here (INBOX, whose `"\\Inbox"` is
   * this library's, not the server's, is left out either way unless the server marks it).
   * @default {false}
   */
  specialUseOnly?: boolean;
}

/**
 * A mailbox as {@linkcode listMailboxes} returns it: the LIST entry (imapflow's
 * `ListResponse` names: `path`, `name`, `delimiter`, `flags`, `specialUse`, ...), whether it
 * is subscribed, and, when asked, its STATUS.
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
  /**
   * Whether the mailbox is subscribed: from `\Subscribed` (RFC 5258 `RETURN (SUBSCRIBED)`)
   * where the server has LIST-EXTENDED, `true` for every entry of an LSUB; absent when the
   * server cannot tell in the same command (no LIST-EXTENDED, `subscribedOnly` not set).
   */
  subscribed?: boolean;
}

// What the server offers for one listing. IMAP4rev2 includes all three (RFC 9051 Appendix E).
interface Features {
  extended: boolean;
  listStatus: boolean;
  specialUse: boolean;
}

function featuresOf(client: IMAP4): Features {
  const rev2 = isImap4rev2(client);
  const has = (cap: string) => rev2 || client.capabilities.includes(cap);
  return {
    extended: has("LIST-EXTENDED"),
    listStatus: has("LIST-STATUS"),
    specialUse: has("SPECIAL-USE"),
  };
}

// LIST-EXTENDED options (RFC 5258 section 3, RFC 5819, RFC 6154 section 3), each sent when the
// server has what it needs and the caller asked for it.
type Wanted = { options: ListMailboxesOptions; status: string[] };
const SELECTION: [string, (f: Features, w: Wanted) => boolean][] = [
  ["SUBSCRIBED", (f, w) => f.extended && w.options.subscribedOnly === true],
  ["SPECIAL-USE", (f, w) => f.extended && f.specialUse && w.options.specialUseOnly === true],
];
const RETURN: [(w: Wanted) => string, (f: Features, w: Wanted) => boolean][] = [
  [() => "SUBSCRIBED", (f) => f.extended],
  [() => "CHILDREN", (f) => f.extended],
  [() => "SPECIAL-USE", (f) => f.extended && f.specialUse],
  [(w) => `STATUS (${w.status.join(" ")})`, (f, w) => f.listStatus && w.status.length > 0],
];

/**
 * Lists mailboxes (LIST, RFC 3501 section 6.3.8; RFC 9051 section 6.3.9) with Unicode names,
 * hierarchy delimiter, attributes, special use (RFC 6154) and subscription: imapflow's
 * `list()`. The pattern and reference are encoded for the caller (modified UTF-7, or UTF-8
 * once `UTF8=ACCEPT` or IMAP4rev2 is enabled), the names decoded.
 *
 * Where the server advertises LIST-EXTENDED (RFC 5258) it sends
 * `LIST [(SUBSCRIBED SPECIAL-USE)] "" pattern RETURN (SUBSCRIBED CHILDREN SPECIAL-USE
 * STATUS (...))`, each option only when the server has it and it is wanted: with LIST-STATUS
 * (RFC 5819) `statusItems` cost no extra round trip. Otherwise plain LIST (or LSUB for
 * `subscribedOnly`), then one STATUS per mailbox with `statusItems`.
 *
 * @param client A logged-in client.
 * @param options `pattern`, `reference`, `statusItems`, `subscribedOnly`, `specialUseOnly`,
 *   `signal`.
 * @returns The mailboxes in the server's order; `[]` when none matched.
 * @throws {IMAP4CommandError} on NO or BAD (of the LIST or of a STATUS).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Every folder with its special use and unread count
 * ```ts ignore
 * import { IMAP4, listMailboxes } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * for (const box of await listMailboxes(M, { statusItems: { unseen: true } })) {
 *   console.log(box.path, box.specialUse, box.subscribed, box.status?.unseen);
 * }
 * ```
 */
export async function listMailboxes(
  client: IMAP4,
  options: ListMailboxesOptions = {},
): Promise<MailboxListEntry[]> {
  const { pattern = "*", reference = "", statusItems, signal } = options;
  const features = featuresOf(client);
  const wanted: Wanted = { options, status: statusItems ? statusItemsOf(client, statusItems) : [] };
  const lsub = options.subscribedOnly === true && !features.extended;
  const name = lsub ? "LSUB" : "LIST";
  const args: Argument[] = [
    { kind: "astring", value: mailboxArg(client, reference) },
    { kind: "list-mailbox", value: mailboxArg(client, pattern) },
  ];
  const selection = SELECTION.filter(([, when]) => when(features, wanted)).map(([o]) => o);
  if (selection.length > 0) args.unshift({ kind: "raw", value: `(${selection.join(" ")})` });
  const returns = RETURN.filter(([, when]) => when(features, wanted)).map(([o]) => o(wanted));
  if (returns.length > 0) args.push({ kind: "raw", value: `RETURN (${returns.join(" ")})` });
  const { responses } = await collect(
    client,
    signal,
    "listMailboxes()",
    name,
    name,
    args,
    [name, "STATUS"],
  );
  const utf8 = utf8Names(client);
  // A listing of 100,000 mailboxes takes ~0.3 s to read: in parts, the event loop turning.
  const turn = turnOf(client);
  let entries: MailboxListEntry[] = await parseInParts(
    responses.get(name)!,
    (data) => parseList(data, { utf8 }),
    turn,
  );
  if (options.specialUseOnly && !selection.includes("SPECIAL-USE")) {
    entries = entries.filter((e) => e.specialUse !== undefined && e.specialUse !== "\\Inbox");
  }
  for (const entry of entries) {
    if (lsub) entry.subscribed = true;
    else if (features.extended) entry.subscribed = hasAttribute(entry, "\\subscribed");
  }
  if (!statusItems) return entries;
  const selectable = entries.filter(isSelectable);
  if (returns.some((r) => r.startsWith("STATUS"))) {
    // RFC 5819 section 2: a STATUS response follows each selectable mailbox's LIST response.
    const statuses = await parseInParts(
      responses.get("STATUS")!,
      (data) => parseStatus(data, { utf8 }),
      turn,
    );
    const byPath = new Map(statuses.map((s) => [s.path, s]));
    for (const entry of selectable) {
      const found = byPath.get(entry.path);
      if (found) entry.status = found;
    }
    return entries;
  }
  for (const entry of selectable) {
    entry.status = await status(client, quoted(entry.pathAsListed), statusItems, signal);
  }
  return entries;
}

/**
 * Lists mailboxes as a tree of folders: {@linkcode listMailboxes} with `options` (pattern `*` by
 * default), then `mailboxTree()`. imapflow's `listTree()`.
 *
 * @param client A logged-in client.
 * @param options As {@linkcode listMailboxes}.
 * @returns The root, its folders and theirs; see `MailboxTree`.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example A folder list with its nesting
 * ```ts ignore
 * import { IMAP4, listMailboxTree, type MailboxTreeNode } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const show = (nodes: MailboxTreeNode[], depth = 0): void =>
 *   nodes.forEach((n) => (console.log("  ".repeat(depth) + n.name), show(n.folders, depth + 1)));
 * show((await listMailboxTree(M)).folders);
 * ```
 */
export async function listMailboxTree(
  client: IMAP4,
  options: ListMailboxesOptions = {},
): Promise<MailboxTree> {
  const entries = await listMailboxes(client, options);
  const builder = new MailboxTreeBuilder();
  await forEachInParts(entries, (entry) => builder.add(entry), turnOf(client));
  return builder.tree;
}
