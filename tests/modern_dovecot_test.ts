// UNSELECT, UIDPLUS UID EXPUNGE, NAMESPACE and SELECT with CONDSTORE / QRESYNC parameters
// against the real Dovecot, which advertises them all (checked first). What Dovecot cannot show
// (servers without them) is in tests/modern_scripted_test.ts.

import assert from "node:assert/strict";
import {
  addFlags,
  deleteMessages,
  expungeMessages,
  getNamespaces,
  type IMAP4,
  selectMailbox,
  statusMailbox,
  unselectMailbox,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { login, message, uniqueMailbox } from "./_dovecot.ts";

const CAPABILITIES = ["UNSELECT", "UIDPLUS", "NAMESPACE", "CONDSTORE", "QRESYNC", "ENABLE"];

/** A new mailbox with `count` messages (UIDs 1..count), created by `M`. */
async function seeded(M: IMAP4, prefix: string, count: number): Promise<string> {
  const box = uniqueMailbox(prefix);
  await M.create(box);
  for (let n = 1; n <= count; n++) await M.append(box, null, null, message(`${prefix} ${n}`));
  return box;
}

async function cleanUp(M: IMAP4, box: string): Promise<void> {
  if (M.state === "SELECTED") await M.unselect();
  await M.delete(box).catch(() => {});
  await M.logout();
}

test("modern dovecot: the capabilities these tests rely on are advertised", async () => {
  const M = await login();
  try {
    for (const cap of CAPABILITIES) assert.ok(M.capabilities.includes(cap), cap);
  } finally {
    await M.logout();
  }
});

test("modern dovecot: unselectMailbox leaves without expunging; nothing sent when none selected", async () => {
  const M = await login();
  const box = await seeded(M, "Unselect", 2);
  try {
    assert.equal(await unselectMailbox(M), null);
    await selectMailbox(M, box);
    await addFlags(M, 1, ["\\Deleted"]);
    assert.equal(await unselectMailbox(M), "UNSELECT");
    assert.equal(M.state, "AUTH");
    assert.equal((await statusMailbox(M, box, { messages: true })).messages, 2);
  } finally {
    await cleanUp(M, box);
  }
});

test("modern dovecot: expungeMessages removes only the given \\Deleted messages", async () => {
  const M = await login();
  const box = await seeded(M, "Expunge", 6);
  try {
    await selectMailbox(M, box);
    await addFlags(M, [1, 2, 3, 5, 6], ["\\Deleted"], { uid: true });
    // UIDs 1 and 3 only. Dovecot reports the higher number first: 3, then 1.
    assert.deepEqual(await expungeMessages(M, [1, 3], { uid: true }), {
      expunged: [3, 1],
      vanished: [],
    });
    // By sequence number: 1 is UID 2 now (UID SEARCH first, then UID EXPUNGE 2).
    assert.deepEqual(await expungeMessages(M, 1), { expunged: [1], vanished: [] });
    // UID 4 is not \Deleted: UID EXPUNGE leaves it.
    assert.deepEqual(await expungeMessages(M, [4], { uid: true }), { expunged: [], vanished: [] });
    assert.deepEqual(await expungeMessages(M, []), { expunged: [], vanished: [] });
    // null: every \Deleted message (UIDs 5 and 6, numbers 2 and 3).
    assert.deepEqual(await expungeMessages(M, null), { expunged: [3, 2], vanished: [] });
    assert.equal((await selectMailbox(M, box)).exists, 1);
  } finally {
    await cleanUp(M, box);
  }
});

test("modern dovecot: deleteMessages flags and expunges only the given messages", async () => {
  const M = await login();
  const box = await seeded(M, "Delete", 5);
  try {
    await selectMailbox(M, box);
    // Another client's \Deleted message, not expunged yet: it must stay.
    await addFlags(M, [5], ["\\Deleted"], { uid: true });
    assert.deepEqual(await deleteMessages(M, [1, 3], { uid: true }), {
      expunged: [3, 1],
      vanished: [],
    });
    // By sequence number: 2 is UID 4 now.
    assert.deepEqual(await deleteMessages(M, 2), { expunged: [2], vanished: [] });
    assert.deepEqual(await deleteMessages(M, []), { expunged: [], vanished: [] });
    // Left: UID 2, and UID 5 still flagged \Deleted (seen through the imaplib surface).
    const [, data] = await M.uid("FETCH", "1:*", "(FLAGS)");
    const left = data.map((d) => new TextDecoder().decode(d as Uint8Array));
    assert.equal(left.length, 2);
    assert.match(left[0], /^1 \(UID 2 FLAGS \((?:\\Recent)?\)\)$/);
    assert.match(left[1], /^2 \(UID 5 FLAGS \((?:\\Recent )?\\Deleted(?: \\Recent)?\)\)$/);
  } finally {
    await cleanUp(M, box);
  }
});

test("modern dovecot: with QRESYNC enabled, expunges come back as VANISHED UIDs", async () => {
  const M = await login();
  const box = await seeded(M, "ExpungeQ", 3);
  try {
    await selectMailbox(M, box, { qresync: { uidValidity: 1, highestModseq: 1 } });
    await addFlags(M, [1, 3], ["\\Deleted"], { uid: true });
    assert.deepEqual(await expungeMessages(M, [1, 3], { uid: true }), {
      expunged: [],
      vanished: [1, 3],
    });
  } finally {
    await cleanUp(M, box);
  }
});

test("modern dovecot: getNamespaces reads the personal namespace", async () => {
  const M = await login();
  try {
    const [, raw] = await M.namespace();
    const namespaces = await getNamespaces(M);
    // The fixture's configuration: one personal namespace, prefix "", delimiter ".".
    assert.deepEqual(namespaces, {
      personal: [{ prefix: "", prefixAsListed: "", delimiter: "." }],
      other: [],
      shared: [],
    }, String(raw));
  } finally {
    await M.logout();
  }
});

test("modern dovecot: SELECT (CONDSTORE) gives HIGHESTMODSEQ without ENABLE", async () => {
  const M = await login();
  const box = await seeded(M, "CondstoreParam", 1);
  try {
    const lines: string[] = [];
    M.debug = 4;
    M.logger = (line) => lines.push(line);
    const selected = await selectMailbox(M, box, { condstore: "parameter" });
    M.debug = 0;
    assert.equal(typeof selected.highestModseq, "bigint");
    assert.ok(lines.some((l) => l.includes(`SELECT "${box}" (CONDSTORE)`)), lines.join("\n"));
    assert.ok(!lines.some((l) => / ENABLE /.test(l)), lines.join("\n"));
  } finally {
    M.debug = 0;
    await cleanUp(M, box);
  }
});

test("modern dovecot: SELECT (QRESYNC ...) after another client's changes: vanished and changed", async () => {
  const A = await login();
  const B = await login();
  const box = await seeded(A, "Qresync", 5);
  try {
    const first = await selectMailbox(A, box, { condstore: true });
    const saved = { uidValidity: first.uidValidity!, highestModseq: first.highestModseq! };
    await unselectMailbox(A);

    // The other client: \Flagged on 2, 3 and 5 expunged, 6 appended.
    await selectMailbox(B, box);
    await addFlags(B, [2], ["\\Flagged"], { uid: true });
    await addFlags(B, [3, 5], ["\\Deleted"], { uid: true });
    await expungeMessages(B, [3, 5], { uid: true });
    await B.append(box, null, null, message("Qresync 6"));

    const again = await selectMailbox(A, box, { qresync: saved });
    assert.equal(again.exists, 4);
    assert.deepEqual(again.vanished, [3, 5]);
    const flagged = again.changed?.find((m) => m.uid === 2);
    assert.ok(flagged?.flags?.has("\\Flagged"), `changed: ${again.changed?.map((m) => m.uid)}`);
    assert.equal(typeof flagged?.modseq, "bigint");
    assert.ok(again.highestModseq! > saved.highestModseq);

    // Only the known UIDs are reported: 5 is not among them.
    await unselectMailbox(A);
    const known = await selectMailbox(A, box, { qresync: { ...saved, knownUids: "1:4" } });
    assert.deepEqual(known.vanished, [3]);

    // Another UIDVALIDITY: the server ignores the rest.
    const stale = await selectMailbox(A, box, {
      qresync: { ...saved, uidValidity: saved.uidValidity + 1 },
    });
    assert.deepEqual([stale.vanished, stale.changed], [[], []]);
  } finally {
    await B.logout();
    await cleanUp(A, box);
  }
});
