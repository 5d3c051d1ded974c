// mailboxTree(): flat listings (as parseList() reads them) to folder trees. Known answers.

import assert from "node:assert/strict";
import { type MailboxListEntry, mailboxTree, type MailboxTreeNode, parseList } from "../../mod.ts";
import { test } from "../_harness.ts";

const b = (s: string) => new TextEncoder().encode(s);

// A tree as nested [name, listed, disabled, children] for comparison.
type Shape = [string, string, boolean, boolean, Shape[]];
const shape = (nodes: MailboxTreeNode[]): Shape[] =>
  nodes.map((n) => [n.name, n.path, n.listed, n.disabled, shape(n.folders)]);

test("mailboxTree: parents before or after children, missing levels as unlisted folders", () => {
  const tree = mailboxTree(parseList([
    b('(\\HasNoChildren) "/" "Archiv/2025/Q1"'),
    b('(\\HasChildren) "/" "Archiv"'),
    b('(\\HasNoChildren \\Sent) "/" "Gesendet"'),
    b('(\\HasChildren \\Noselect) "/" "Projekte"'),
    b('(\\HasNoChildren) "/" "Projekte/Entw&APw-rfe"'),
    b('(\\HasNoChildren) "/" "Archiv/2024"'),
    b('(\\HasChildren) "/" "INBOX"'),
    b('(\\HasNoChildren) "/" "INBOX/Rechnungen"'),
  ]));
  assert.equal(tree.root, true);
  assert.deepEqual(shape(tree.folders), [
    ["Archiv", "Archiv", true, false, [
      ["2025", "Archiv/2025", false, true, [["Q1", "Archiv/2025/Q1", true, false, []]]],
      ["2024", "Archiv/2024", true, false, []],
    ]],
    ["Gesendet", "Gesendet", true, false, []],
    ["Projekte", "Projekte", true, true, [["Entwürfe", "Projekte/Entwürfe", true, false, []]]],
    ["INBOX", "INBOX", true, false, [["Rechnungen", "INBOX/Rechnungen", true, false, []]]],
  ]);
  const [, gesendet] = tree.folders;
  assert.equal(gesendet.specialUse, "\\Sent");
  assert.equal(gesendet.delimiter, "/");
  assert.deepEqual([...gesendet.flags], ["\\HasNoChildren", "\\Sent"]);
  assert.deepEqual([...tree.folders[0].folders[0].flags], []); // not listed: no attributes
});

test("mailboxTree: Cyrus-style INBOX. prefix, flat names, a repeated entry, status and subscription", () => {
  const entries: MailboxListEntry[] = parseList([
    b('(\\HasChildren) "." "INBOX"'),
    b('(\\HasNoChildren) "." "INBOX.Sent"'),
    b('(\\NonExistent \\HasChildren) "." "INBOX.Alt"'),
    b('(\\HasNoChildren) "." "INBOX.Alt.Neu"'),
    b('(\\Noinferiors) NIL "Flat"'),
    b('(\\HasChildren) "." "INBOX.Alt" ("CHILDINFO" ("SUBSCRIBED"))'),
  ]).map((e, i) => ({ ...e, subscribed: i !== 4 }));
  entries[1] = {
    ...entries[1],
    status: { path: "INBOX.Sent", pathAsListed: "INBOX.Sent", messages: 3 },
  };
  const tree = mailboxTree(entries);
  assert.deepEqual(shape(tree.folders), [
    ["INBOX", "INBOX", true, false, [
      ["Sent", "INBOX.Sent", true, false, []],
      ["Alt", "INBOX.Alt", true, false, [["Neu", "INBOX.Alt.Neu", true, false, []]]],
    ]],
    ["Flat", "Flat", true, false, []],
  ]);
  const [inbox, flat] = tree.folders;
  const [sent, alt] = inbox.folders;
  assert.deepEqual(sent.status, { path: "INBOX.Sent", pathAsListed: "INBOX.Sent", messages: 3 });
  assert.equal(sent.subscribed, true);
  assert.equal(flat.delimiter, null);
  assert.equal(flat.subscribed, false);
  // The later entry of INBOX.Alt (with CHILDINFO) is the one kept: no \NonExistent there.
  assert.deepEqual([...alt.flags], ["\\HasChildren"]);
  assert.equal(alt.disabled, false);
});

test("mailboxTree: an empty listing is an empty root; 20,000 siblings build at once", () => {
  assert.deepEqual(mailboxTree([]), { root: true, folders: [] });
  const many = parseList(
    Array.from({ length: 20_000 }, (_, i) => b(`(\\HasNoChildren) "/" "Big/m${i}"`)),
  );
  const tree = mailboxTree(many);
  assert.equal(tree.folders.length, 1);
  assert.equal(tree.folders[0].folders.length, 20_000);
  assert.equal(tree.folders[0].folders[19_999].path, "Big/m19999");
});
