/**
 * `mailboxTree()`: a flat mailbox listing as a tree of folders, imapflow's `listTree()` shape.
 *
 * @module
 */

import { isSelectable, type ListEntry } from "./list.ts";
import type { MailboxStatus } from "./status.ts";

/**
 * One folder of a {@linkcode MailboxTree}: imapflow's `ListTreeResponse` fields, with `folders`
 * always present.
 *
 * @example
 * ```ts
 * import type { MailboxTreeNode } from "@imaplib/imaplib";
 * const sent: MailboxTreeNode = {
 *   name: "Sent", path: "Sent", delimiter: "/", flags: new Set(["\\Sent"]), specialUse: "\\Sent",
 *   listed: true, disabled: false, folders: [],
 * };
 * console.assert(sent.folders.length === 0);
 * ```
 */
export interface MailboxTreeNode {
  /** The last level of the path (`"2026"` of `"Rechnungen/2026"`). */
  name: string;
  /** The Unicode path, as `ListEntry.path`. */
  path: string;
  /** The hierarchy delimiter, or `null` for a flat name. */
  delimiter: string | null;
  /** The name attributes as listed; empty for a folder the listing did not include. */
  flags: Set<string>;
  /** The special use (RFC 6154), as `ListEntry.specialUse`. */
  specialUse?: string;
  /** Whether the mailbox is subscribed, when the listing said. */
  subscribed?: boolean;
  /** Its STATUS, when the listing asked for it. */
  status?: MailboxStatus;
  /**
   * Whether the listing included it: `false` for a level above listed mailboxes that the server
   * did not list itself (a pattern that matched only the children, or a server that omits
   * parents that cannot hold mail).
   */
  listed: boolean;
  /** Whether it cannot be selected: `\Noselect` or `\NonExistent`, or not listed. */
  disabled: boolean;
  /** The folders below it, in listing order. */
  folders: MailboxTreeNode[];
}

/**
 * A mailbox listing as a tree: imapflow's `listTree()` result.
 *
 * @example
 * ```ts
 * import type { MailboxTree } from "@imaplib/imaplib";
 * const tree: MailboxTree = { root: true, folders: [] };
 * console.assert(tree.root);
 * ```
 */
export interface MailboxTree {
  /** Always `true`: the root, which is no mailbox. */
  root: true;
  /** The top-level folders, in listing order. */
  folders: MailboxTreeNode[];
}

/**
 * Builds the folder tree of a mailbox listing (`listMailboxes()` or `parseList()` entries): each
 * mailbox under the one its path names as parent (`ListEntry.parent`), in listing order, the
 * listing's order of parents and children not mattering. A level the listing names only as a
 * parent becomes a folder with `listed: false` and `disabled: true`, rather than its children
 * being moved up (imapflow attaches them to the nearest listed ancestor). A mailbox listed twice
 * (LIST-EXTENDED may repeat one with CHILDINFO) is one folder, with the later entry's data.
 *
 * Pure and synchronous, and linear in the number of entries (children are found by name in a
 * map, not by scanning their siblings: a server decides how many there are).
 *
 * @param entries The listing.
 * @returns The root and its folders.
 *
 * @example A listing whose parent came last
 * ```ts
 * import { mailboxTree, parseList } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const tree = mailboxTree(parseList([
 *   b('(\\HasNoChildren) "/" "Archiv/2025"'),
 *   b('(\\HasChildren) "/" "Archiv"'),
 *   b('(\\HasNoChildren) "/" "Projekte/Entw&APw-rfe"'),
 * ]));
 * const [archiv, projekte] = tree.folders;
 * console.assert(archiv.path === "Archiv" && archiv.folders[0].name === "2025");
 * console.assert(!projekte.listed && projekte.disabled && projekte.folders[0].name === "Entwürfe");
 * ```
 */
export function mailboxTree(
  entries: readonly (ListEntry & { subscribed?: boolean; status?: MailboxStatus })[],
): MailboxTree {
  const builder = new MailboxTreeBuilder();
  for (const entry of entries) builder.add(entry);
  return builder.tree;
}

/** What {@linkcode mailboxTree} takes: a listed mailbox, with what `listMailboxes()` adds. */
type TreeEntry = ListEntry & { subscribed?: boolean; status?: MailboxStatus };

/**
 * @internal {@linkcode mailboxTree} one entry at a time, for `listMailboxTree()`, which adds a
 * large listing between turns of the event loop.
 */
export class MailboxTreeBuilder {
  /** The tree so far. */
  readonly tree: MailboxTree = { root: true, folders: [] };
  // The children of each node (the root as null) by name.
  #children = new Map<MailboxTreeNode | null, Map<string, MailboxTreeNode>>();

  #child(
    parent: MailboxTreeNode | null,
    name: string,
    path: string,
    delimiter: string | null,
  ): MailboxTreeNode {
    let byName = this.#children.get(parent);
    if (!byName) this.#children.set(parent, byName = new Map());
    let node = byName.get(name);
    if (!node) {
      node = {
        name,
        path,
        delimiter,
        flags: new Set(),
        listed: false,
        disabled: true,
        folders: [],
      };
      byName.set(name, node);
      (parent ? parent.folders : this.tree.folders).push(node);
    }
    return node;
  }

  /** Adds one listed mailbox, and the levels above it that are not in the tree yet. */
  add(entry: TreeEntry): void {
    let parent: MailboxTreeNode | null = null;
    let path = "";
    for (const level of entry.parent) {
      path = path === "" ? level : `${path}${entry.delimiter}${level}`;
      parent = this.#child(parent, level, path, entry.delimiter);
    }
    const node = this.#child(parent, entry.name, entry.path, entry.delimiter);
    node.flags = entry.flags;
    node.listed = true;
    node.disabled = !isSelectable(entry);
    if (entry.specialUse !== undefined) node.specialUse = entry.specialUse;
    if (entry.subscribed !== undefined) node.subscribed = entry.subscribed;
    if (entry.status !== undefined) node.status = entry.status;
  }
}
