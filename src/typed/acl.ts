/**
 * ACL and MYRIGHTS responses (RFC 4314 section 3.6, 3.8).
 *
 * @module
 */

import { eachResponse, type MailboxNameOptions, readMailbox } from "./mailbox.ts";
import type { DataItem } from "./data.ts";

/**
 * One ACL response: a mailbox and the rights of each identifier.
 *
 * @example Rights by identifier
 * ```ts
 * import { parseAcl } from "@imaplib/imaplib";
 * const [acl] = parseAcl([new TextEncoder().encode("INBOX alice lrswipkxtecda")]);
 * console.assert(acl.rights.get("alice")?.includes("a"));
 * ```
 */
export interface Acl {
  /** The mailbox's Unicode name. */
  path: string;
  /** The mailbox name as the server sent it. */
  pathAsListed: string;
  /**
   * Rights by identifier, in the server's order (`"alice" -> "lrswipkxtecda"`; identifiers as
   * sent, `-` prefix of negative rights included).
   */
  rights: Map<string, string>;
}

/**
 * One MYRIGHTS response.
 *
 * @example Read-only access
 * ```ts
 * import { parseMyRights } from "@imaplib/imaplib";
 * const [mine] = parseMyRights([new TextEncoder().encode("Shared lr")]);
 * console.assert(mine.rights === "lr" && !mine.rights.includes("i"));
 * ```
 */
export interface MyRights {
  /** The mailbox's Unicode name. */
  path: string;
  /** The mailbox name as the server sent it. */
  pathAsListed: string;
  /** The rights (RFC 4314 section 2.1 letters, e.g. `"lrswipkxtecda"`). */
  rights: string;
}

/**
 * Parses ACL responses (RFC 4314 section 3.6): the data of `M.getacl(mailbox)`.
 *
 * Pure and synchronous. The mailbox name is decoded as {@linkcode parseList} decodes names.
 *
 * @param data ACL response data.
 * @param options `utf8` for UTF-8 names.
 * @returns One entry per response.
 * @throws {TypedParseError} for a response that is not an ACL response (an identifier without
 *   rights).
 *
 * @example Dovecot's ACL plugin
 * ```ts
 * import { parseAcl } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [acl] = parseAcl([b('INBOX owner lrwstipekxacd "bob smith" lr')]);
 * console.assert(acl.rights.get("bob smith") === "lr");
 * ```
 */
export function parseAcl(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): Acl[] {
  const utf8 = options.utf8 ?? false;
  return eachResponse(data, (tok) => {
    const { path, pathAsListed } = readMailbox(tok, utf8);
    const rights = new Map<string, string>();
    while (!tok.atEnd()) {
      const identifier = tok.nstringText() ?? "";
      if (tok.atEnd()) tok.fail("expected rights");
      rights.set(identifier, tok.nstringText() ?? "");
    }
    return { path, pathAsListed, rights };
  });
}

/**
 * Parses MYRIGHTS responses (RFC 4314 section 3.8): the data of `M.myrights(mailbox)`.
 *
 * Pure and synchronous.
 *
 * @param data MYRIGHTS response data.
 * @param options `utf8` for UTF-8 names.
 * @returns One entry per response.
 * @throws {TypedParseError} for a response that is not a MYRIGHTS response.
 *
 * @example Full rights on INBOX
 * ```ts
 * import { parseMyRights } from "@imaplib/imaplib";
 * const [mine] = parseMyRights([new TextEncoder().encode("INBOX lrswipkxtecda")]);
 * console.assert(mine.path === "INBOX" && mine.rights.includes("w"));
 * ```
 */
export function parseMyRights(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): MyRights[] {
  const utf8 = options.utf8 ?? false;
  return eachResponse(data, (tok) => {
    const { path, pathAsListed } = readMailbox(tok, utf8);
    const rights = tok.nstringText() ?? "";
    return { path, pathAsListed, rights };
  });
}
