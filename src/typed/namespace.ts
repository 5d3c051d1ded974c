/**
 * NAMESPACE responses (RFC 2342, RFC 9051 section 7.2.2).
 *
 * @module
 */

import { eachResponse, mailboxName, type MailboxNameOptions } from "./mailbox.ts";
import { utf8Text } from "./text.ts";
import type { DataItem } from "./data.ts";
import type { ImapTokenizer } from "./tokenizer.ts";

/**
 * One namespace: a prefix and its hierarchy delimiter.
 *
 * @example A personal namespace
 * ```ts
 * import { parseNamespace } from "@imaplib/imaplib";
 * const data = [new TextEncoder().encode('(("INBOX." ".")) NIL NIL')];
 * const { personal: [ns] } = parseNamespace(data);
 * console.assert(ns.prefix === "INBOX." && ns.delimiter === ".");
 * ```
 */
export interface Namespace {
  /** The prefix as Unicode (modified UTF-7 decoded, or UTF-8), e.g. `""`, `"INBOX."`, `"~"`. */
  prefix: string;
  /** The prefix as the server sent it. */
  prefixAsListed: string;
  /** The hierarchy delimiter, or `null` (NIL) for a flat namespace. */
  delimiter: string | null;
  /**
   * Namespace response extensions (RFC 2342 section 5, e.g. RFC 5255's
   * `"TRANSLATION" ("Entwürfe")`) by upper-case name: the strings as text.
   */
  extensions?: Map<string, string[]>;
}

/**
 * The three kinds of namespace (RFC 2342 section 3); each empty when the server sent NIL.
 *
 * @example No shared folders
 * ```ts
 * import { parseNamespace } from "@imaplib/imaplib";
 * const namespaces = parseNamespace([new TextEncoder().encode('(("" "/")) NIL NIL')]);
 * console.assert(namespaces.shared.length === 0 && namespaces.personal.length === 1);
 * ```
 */
export interface Namespaces {
  /** The user's own mailboxes. */
  personal: Namespace[];
  /** Other users' mailboxes. */
  other: Namespace[];
  /** Shared mailboxes. */
  shared: Namespace[];
}

const OPEN = 0x28;

function readNamespaces(tok: ImapTokenizer, utf8: boolean): Namespace[] {
  const out: Namespace[] = [];
  if (!tok.listStart()) {
    if (!tok.nil()) tok.fail('expected "(" or NIL');
    return out;
  }
  while (!tok.listEnd()) {
    if (tok.peek() === -1) tok.fail('expected ")"');
    tok.expect(OPEN);
    const { path: prefix, pathAsListed: prefixAsListed } = mailboxName(
      tok.nstring() ?? new Uint8Array(0),
      utf8,
    );
    const delimiter = tok.nstringText();
    const entry: Namespace = {
      prefix,
      prefixAsListed,
      delimiter: delimiter === "" ? null : delimiter,
    };
    while (!tok.listEnd()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      const name = (tok.nstringText() ?? "").toUpperCase();
      const values: string[] = [];
      if (tok.listStart()) {
        while (!tok.listEnd()) {
          if (tok.peek() === -1) tok.fail('expected ")"');
          const value = tok.nstring();
          if (value !== null) values.push(utf8Text(value));
        }
      } else {
        tok.skipValue();
      }
      (entry.extensions ??= new Map()).set(name, values);
    }
    out.push(entry);
  }
  return out;
}

/**
 * Parses the data of a NAMESPACE result: the personal, other users' and shared namespaces.
 *
 * Pure and synchronous. Prefixes are decoded as {@linkcode parseList} decodes names. With
 * several NAMESPACE responses in the data the first is read; with none, all three are empty.
 *
 * @param data The `data` of `M.namespace()`.
 * @param options `utf8` for UTF-8 names.
 * @returns The namespaces.
 * @throws {TypedParseError} for a response that is not a NAMESPACE response.
 *
 * @example Dovecot's default and Cyrus' INBOX. prefix
 * ```ts
 * import { parseNamespace } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const dovecot = parseNamespace([b('(("" "/")) NIL NIL')]);
 * console.assert(dovecot.personal[0].prefix === "" && dovecot.personal[0].delimiter === "/");
 * const cyrus = parseNamespace([b('(("INBOX." ".")) (("user." ".")) (("" "."))')]);
 * console.assert(cyrus.other[0].prefix === "user." && cyrus.shared.length === 1);
 * ```
 */
export function parseNamespace(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): Namespaces {
  const utf8 = options.utf8 ?? false;
  const [first] = eachResponse(data, (tok) => {
    const personal = readNamespaces(tok, utf8);
    const other = readNamespaces(tok, utf8);
    const shared = readNamespaces(tok, utf8);
    while (!tok.atEnd()) tok.skipValue();
    return { personal, other, shared };
  });
  return first ?? { personal: [], other: [], shared: [] };
}
