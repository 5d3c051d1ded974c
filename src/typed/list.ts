/**
 * LIST and LSUB responses (RFC 3501 sections 7.2.2-7.2.3, RFC 5258 LIST-EXTENDED, RFC 6154
 * SPECIAL-USE) to typed mailbox entries, with imapflow's `ListResponse` field names.
 *
 * @module
 */

import { eachResponse, mailboxName, type MailboxNameOptions, readMailbox } from "./mailbox.ts";
import { emptyList, plainObjects } from "./plain_objects.ts";
import { utf8Bytes, utf8Text } from "./text.ts";
import type { DataItem } from "./data.ts";
import type { ImapValue } from "./tokens.ts";

/**
 * One mailbox of a LIST or LSUB result, imapflow's `ListResponse` with Web types.
 *
 * @example A nested folder
 * ```ts
 * import { parseList } from "@imaplib/imaplib";
 * const [entry] = parseList([new TextEncoder().encode('(\\HasNoChildren) "." "Archive.2024"')]);
 * console.assert(entry.name === "2024" && entry.parentPath === "Archive");
 * console.assert(entry.delimiter === ".");
 * ```
 */
export interface ListEntry {
  /** The Unicode name (modified UTF-7 decoded, or UTF-8). `INBOX` in any case is `"INBOX"`. */
  path: string;
  /** The name as the server sent it: pass this to the imaplib methods (SELECT, STATUS...). */
  pathAsListed: string;
  /** The last level of `path` (after the last delimiter); `path` itself when flat. */
  name: string;
  /** `path` without its last level; `""` at the top. */
  parentPath: string;
  /** The levels above this one (`"a/b/c"` has `["a", "b"]`). */
  parent: string[];
  /** The hierarchy delimiter (`"/"`, `"."`), or `null` for a flat name (NIL). */
  delimiter: string | null;
  /** The name attributes as sent (`\\HasNoChildren`, `\\Noselect`, `\\Sent`...). */
  flags: Set<string>;
  /**
   * The special use (RFC 6154): `\\All`, `\\Archive`, `\\Drafts`, `\\Flagged`, `\\Junk`,
   * `\\Sent`, `\\Trash`, or `\\Important` (RFC 8457), in that spelling whatever the server's
   * case; `\\Inbox` for INBOX (imapflow's addition). Gmail's obsolete XLIST attributes map to
   * them (`\\Spam` is `\\Junk`, `\\AllMail` `\\All`, `\\Starred` `\\Flagged`).
   */
  specialUse?: string;
  /** RFC 5258 CHILDINFO: why a non-matching parent is listed (`["SUBSCRIBED"]`). */
  childInfo?: string[];
  /** RFC 5465 OLDNAME: the Unicode name before a rename. */
  oldName?: string;
  /**
   * All LIST-EXTENDED data (RFC 5258 `mbox-list-extended`) by upper-case tag, values as read
   * (see `ImapValue`: quoted strings are bytes), the two above included.
   */
  extended?: Map<string, ImapValue>;
}

const SPECIAL_USE = new Map<string, string>(
  [
    "\\All",
    "\\Archive",
    "\\Drafts",
    "\\Flagged",
    "\\Junk",
    "\\Sent",
    "\\Trash",
    "\\Important",
    "\\Inbox",
  ].map((flag) => [flag.toLowerCase(), flag]),
);
// Gmail's XLIST (before it supported RFC 6154).
SPECIAL_USE.set("\\spam", "\\Junk");
SPECIAL_USE.set("\\allmail", "\\All");
SPECIAL_USE.set("\\starred", "\\Flagged");

const OPEN = 0x28;

/**
 * @internal Whether the entry has the name attribute `lower` (given in lower case, e.g.
 * `"\\noselect"`): servers vary the case (RFC 3501 section 9: attributes are case-insensitive).
 */
export function hasAttribute(entry: Pick<ListEntry, "flags">, lower: string): boolean {
  for (const flag of entry.flags) if (flag.toLowerCase() === lower) return true;
  return false;
}

/** @internal Whether the mailbox can be selected: neither `\Noselect` nor `\NonExistent`. */
export function isSelectable(entry: Pick<ListEntry, "flags">): boolean {
  return !hasAttribute(entry, "\\noselect") && !hasAttribute(entry, "\\nonexistent");
}

const ListEntryObject = /* @__PURE__ */ plainObjects<ListEntry>();

/**
 * Parses the data of a LIST, LSUB (or Gmail's XLIST) result into mailbox entries, in order.
 *
 * Pure and synchronous. Names are decoded from modified UTF-7 (RFC 3501 section 5.1.3), or
 * read as UTF-8 with `{ utf8: true }` (once UTF8=ACCEPT is enabled, RFC 6855). Quirks tolerated:
 * names as literals, atoms or quoted strings; raw 8-bit names without UTF8=ACCEPT (read as
 * UTF-8); mailbox names containing `[` and `]` unquoted (Gmail's `[Gmail]/Sent Mail` when
 * listed as an atom; imapflow issue 204); attribute case (`\\sent`).
 *
 * @param data The `data` of `M.list()` / `M.lsub()`: one bytes item per mailbox, or
 *   `[header, literal]` and the closing bytes for a name sent as a literal.
 * @param options `utf8` for UTF-8 names.
 * @returns The mailboxes.
 * @throws {TypedParseError} for a response that is not a LIST response.
 *
 * @example Gmail's folders
 * ```ts
 * import { parseList } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [sent, draft] = parseList([
 *   b('(\\HasNoChildren \\Sent) "/" "[Gmail]/Sent Mail"'),
 *   b('(\\HasNoChildren \\Drafts) "/" "[Gmail]/Entw&APw-rfe"'),
 * ]);
 * console.assert(sent.specialUse === "\\Sent" && sent.name === "Sent Mail");
 * console.assert(draft.path === "[Gmail]/Entwürfe" && draft.parentPath === "[Gmail]");
 * ```
 */
export function parseList(
  data: readonly DataItem[],
  options: MailboxNameOptions = {},
): ListEntry[] {
  const utf8 = options.utf8 ?? false;
  return eachResponse(data, (tok) => {
    const flags = new Set<string>();
    let specialUse: string | undefined;
    tok.expect(OPEN);
    while (!tok.listEnd()) {
      if (tok.peek() === -1) tok.fail('expected ")"');
      const flag = tok.astringText();
      flags.add(flag);
      // No special-use name is longer than 10 characters (\important): the common
      // \HasNoChildren and \HasChildren are not lower-cased into garbage to be looked up.
      if (flag.length <= 10) specialUse ??= SPECIAL_USE.get(flag.toLowerCase());
    }
    const delimiterText = tok.nstringText();
    const delimiter = delimiterText === null || delimiterText === "" ? null : delimiterText;
    const { path, pathAsListed } = readMailbox(tok, utf8);
    const last = delimiter === null ? -1 : path.lastIndexOf(delimiter);
    const parentPath = last === -1 ? "" : path.slice(0, last);
    // Not a literal (plain_objects.ts): a listing of many mailboxes is kept.
    const entry: ListEntry = new ListEntryObject();
    entry.path = path;
    entry.pathAsListed = pathAsListed;
    entry.name = last === -1 ? path : path.slice(last + delimiter!.length);
    entry.parentPath = parentPath;
    entry.parent = last === -1 ? emptyList() : parentPath.split(delimiter!);
    entry.delimiter = delimiter;
    entry.flags = flags;
    if (path === "INBOX") specialUse = "\\Inbox";
    if (specialUse !== undefined) entry.specialUse = specialUse;
    if (tok.listStart()) {
      // RFC 5258: ( tag value tag value ... )
      const extended = new Map<string, ImapValue>();
      while (!tok.listEnd()) {
        if (tok.peek() === -1) tok.fail('expected ")"');
        const tag = (tok.nstringText() ?? "NIL").toUpperCase();
        const value = tok.value();
        extended.set(tag, value);
        const items = Array.isArray(value) ? value : [value];
        if (tag === "CHILDINFO") {
          entry.childInfo = items.map(valueText).filter((v) => v !== undefined);
        } else if (tag === "OLDNAME" && items.length > 0) {
          const old = items[0];
          if (old instanceof Uint8Array) entry.oldName = mailboxName(old, utf8).path;
          else if (typeof old === "string") entry.oldName = mailboxName(utf8Bytes(old), utf8).path;
        }
      }
      entry.extended = extended;
    }
    return entry;
  });
}

// A string or atom value as text; undefined for NIL and lists.
function valueText(value: ImapValue): string | undefined {
  if (typeof value === "string") return value;
  return value instanceof Uint8Array ? utf8Text(value) : undefined;
}
