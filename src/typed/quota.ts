/**
 * QUOTA and QUOTAROOT responses (RFC 2087, RFC 9208 section 5).
 *
 * @module
 */

import { eachResponse, type MailboxNameOptions, readMailbox } from "./mailbox.ts";
import type { DataItem } from "./data.ts";

/**
 * A resource's usage and limit, in the resource's own units.
 *
 * @example A message-count limit
 * ```ts
 * import { parseQuota } from "@imaplib/imaplib";
 * const [quota] = parseQuota([new TextEncoder().encode('"" (MESSAGE 5 100)')]);
 * console.assert(quota.resources.get("MESSAGE")?.limit === 100);
 * ```
 */
export interface QuotaResource {
  /** Current usage. */
  usage: number;
  /** The limit. */
  limit: number;
}

/**
 * One QUOTA response: a quota root and its resources (imapflow's `QuotaResponse` names too).
 *
 * @example Storage in bytes
 * ```ts
 * import { parseQuota } from "@imaplib/imaplib";
 * const [quota] = parseQuota([new TextEncoder().encode('"" (STORAGE 1 2)')]);
 * console.assert(quota.storage?.used === 1024 && quota.resources.get("STORAGE")?.limit === 2);
 * ```
 */
export interface Quota {
  /** The quota root's name, as sent (an opaque string, e.g. Dovecot's `"User quota"`). */
  root: string;
  /**
   * Every resource by upper-case name (RFC 9208 section 5: `STORAGE` in units of 1024 octets,
   * `MESSAGE` in messages, `MAILBOX`, `ANNOTATION-STORAGE`...), values as sent.
   */
  resources: Map<string, QuotaResource>;
  /** STORAGE in bytes (the KiB the server sent times 1024), as imapflow reports it. */
  storage?: { used: number; limit: number };
  /** MESSAGE, as imapflow reports it. */
  messages?: { used: number; limit: number };
}

/**
 * One QUOTAROOT response: a mailbox and its quota roots.
 *
 * @example Dovecot's quota root
 * ```ts
 * import { parseQuotaRoot } from "@imaplib/imaplib";
 * const [root] = parseQuotaRoot([new TextEncoder().encode('INBOX "User quota"')]);
 * console.assert(root.path === "INBOX" && root.roots[0] === "User quota");
 * ```
 */
export interface QuotaRoot {
  /** The mailbox's Unicode name. */
  path: string;
  /** The mailbox name as the server sent it. */
  pathAsListed: string;
  /** The quota roots' names (possibly none). */
  roots: string[];
}

const OPEN = 0x28;

/**
 * Parses QUOTA responses (RFC 9208 section 5.1): the data of `M.getquota(root)`, or the second
 * list of `M.getquotaroot(mailbox)`'s data.
 *
 * Pure and synchronous.
 *
 * @param data QUOTA response data.
 * @returns One quota per response.
 * @throws {TypedParseError} for a response that is not a QUOTA response.
 *
 * @example Dovecot's quota plugin
 * ```ts
 * import { parseQuota } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [quota] = parseQuota([b('"User quota" (STORAGE 10 1024 MESSAGE 3 1000)')]);
 * console.assert(quota.root === "User quota" && quota.storage?.limit === 1024 * 1024);
 * console.assert(quota.resources.get("MESSAGE")?.usage === 3);
 * ```
 */
export function parseQuota(data: readonly DataItem[]): Quota[] {
  return eachResponse(data, (tok) => {
    const quota: Quota = { root: tok.nstringText() ?? "", resources: new Map() };
    tok.expect(OPEN);
    while (!tok.listEnd()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      const name = tok.atom().toUpperCase();
      const usage = tok.number();
      const limit = tok.number();
      quota.resources.set(name, { usage, limit });
      if (name === "STORAGE") quota.storage = { used: usage * 1024, limit: limit * 1024 };
      else if (name === "MESSAGE") quota.messages = { used: usage, limit };
    }
    return quota;
  });
}

/**
 * Parses QUOTAROOT responses (RFC 9208 section 5.2): the first list of
 * `M.getquotaroot(mailbox)`'s data.
 *
 * Pure and synchronous. The mailbox name is decoded as {@linkcode parseList} decodes names.
 *
 * @param data QUOTAROOT response data.
 * @param options `utf8` for UTF-8 names.
 * @returns One entry per response.
 * @throws {TypedParseError} for a response that is not a QUOTAROOT response.
 *
 * @example With getquotaroot()
 * ```ts ignore
 * import { parseQuota, parseQuotaRoot } from "@imaplib/imaplib";
 * const [, [roots, quotas]] = await M.getquotaroot("INBOX");
 * const [{ roots: [root] }] = parseQuotaRoot(roots);
 * const quota = parseQuota(quotas).find((q) => q.root === root);
 * ```
 */
export function parseQuotaRoot(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): QuotaRoot[] {
  const utf8 = options.utf8 ?? false;
  return eachResponse(data, (tok) => {
    const { path, pathAsListed } = readMailbox(tok, utf8);
    const roots: string[] = [];
    while (!tok.atEnd()) roots.push(tok.nstringText() ?? "");
    return { path, pathAsListed, roots };
  });
}
