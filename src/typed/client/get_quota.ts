/**
 * `getQuota()`: the quota of a mailbox by its Unicode name (GETQUOTAROOT, RFC 9208), imapflow's
 * `getQuota()`.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import type { Data } from "../../session/session.ts";
import { parseQuota, parseQuotaRoot, type Quota } from "../quota.ts";
import { mailboxArg, utf8Names } from "./arguments.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

/**
 * What {@linkcode getQuota} found for a mailbox: its quota roots and their limits.
 *
 * @example Dovecot's quota plugin with a 100 MiB limit
 * ```ts
 * import type { MailboxQuota } from "@imaplib/imaplib";
 * const quota: MailboxQuota = {
 *   path: "INBOX",
 *   quotaRoot: "User quota",
 *   quotas: [],
 *   storage: { used: 5 * 1024 * 1024, limit: 100 * 1024 * 1024 },
 * };
 * console.assert(quota.storage!.used / quota.storage!.limit === 0.05);
 * ```
 */
export interface MailboxQuota {
  /** The mailbox, as asked for. */
  path: string;
  /** The first quota root the server named for it (most servers name one), as sent. */
  quotaRoot?: string;
  /** Every quota the server reported, one per root, with all their resources. */
  quotas: Quota[];
  /** STORAGE of the first root that has it, in bytes (RFC 9208 counts it in KiB). */
  storage?: { used: number; limit: number };
  /** MESSAGE of the first root that has it, in messages. */
  messages?: { used: number; limit: number };
}

/**
 * The quota that applies to a mailbox (RFC 9208): `GETQUOTAROOT` with the Unicode name encoded
 * for the caller, then `GETQUOTA` for each root the server named without reporting its quota
 * (as imapflow does). imapflow's `getQuota(path)`, whose `storage` and `messages` this has
 * too (`used` and `limit`; storage in bytes).
 *
 * @param client A logged-in client.
 * @param path The mailbox's Unicode name; default `"INBOX"`.
 * @param options `signal`.
 * @returns The quota, or `null` when the server advertises neither `QUOTA` nor a
 *   `QUOTA=RES-*` capability (imapflow returns `false`).
 * @throws {IMAP4CommandError} on NO or BAD (e.g. a mailbox that does not exist).
 * @throws {TypedParseError} for an answer that cannot be read.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example How full the mailbox is
 * ```ts ignore
 * import { getQuota, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const quota = await getQuota(M);
 * if (quota?.storage) console.log(`${Math.round(100 * quota.storage.used / quota.storage.limit)}%`);
 * ```
 */
export async function getQuota(
  client: IMAP4,
  path = "INBOX",
  options: SignalOptions = {},
): Promise<MailboxQuota | null> {
  const { signal } = options;
  const method = "getQuota()";
  const caps = client.capabilities;
  if (!caps.includes("QUOTA") && !caps.some((c) => c.startsWith("QUOTA=RES-"))) return null;
  let quotaData: Data[] = [];
  // imaplib's getquotaroot() gives two lists, QUOTAROOT's and QUOTA's data; on NO the first
  // holds the reply's text, which run() reads.
  const [, rootData] = await run(signal, method, "GETQUOTAROOT", async (o) => {
    const [type, [roots, quotas]] = await client.getquotaroot(mailboxArg(client, path), o);
    quotaData = quotas;
    return [type, roots];
  });
  // The parsers skip imaplib's `[None]` for a kind of response that did not come.
  const roots = parseQuotaRoot(rootData, { utf8: utf8Names(client) }).flatMap((r) => r.roots);
  const quotas = parseQuota(quotaData);
  for (const root of roots) {
    if (quotas.some((q) => q.root === root)) continue;
    const [, data] = await run(signal, method, "GETQUOTA", (o) => client.getquota(root, o));
    quotas.push(...parseQuota(data));
  }
  const result: MailboxQuota = { path, quotas };
  if (roots.length > 0) result.quotaRoot = roots[0];
  const storage = quotas.find((q) => q.storage)?.storage;
  if (storage) result.storage = storage;
  const messages = quotas.find((q) => q.messages)?.messages;
  if (messages) result.messages = messages;
  return result;
}
