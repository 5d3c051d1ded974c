// Issue 13 ("Modern IMAP") against the real Dovecot 2.3: LIST-EXTENDED, LIST-STATUS and
// SPECIAL-USE in listMailboxes() (one round trip, special use and subscriptions from the LIST),
// ESEARCH in searchSummary(), and what Dovecot 2.3 does not offer: IMAP4rev2 (enableImap4rev2()
// sends nothing and says false) and CREATE-SPECIAL-USE (createMailbox() refuses specialUse
// before sending). Both of those are exercised on scripted servers in
// tests/modern_imap_scripted_test.ts. The fixture configures special use for Sent, Drafts,
// Trash and Junk (scripts/_dovecot_config.ts), which makes Dovecot advertise SPECIAL-USE.

import assert from "node:assert/strict";
import {
  createMailbox,
  enableImap4rev2,
  type IMAP4,
  IMAP4ArgumentError,
  listMailboxes,
  searchMessages,
  searchSummary,
  selectMailbox,
  statusMailbox,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { login, message, uniqueMailbox } from "./_dovecot.ts";

/** The command lines `M` sends while `body` runs, tags dropped. */
async function sent(M: IMAP4, body: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const [debug, logger] = [M.debug, M.logger];
  M.debug = 4;
  M.logger = (line) => {
    const m = /> b'\S+ (.*)'$/.exec(line);
    if (m) lines.push(m[1].replaceAll("\\\\", "\\"));
  };
  try {
    await body();
  } finally {
    [M.debug, M.logger] = [debug, logger];
  }
  return lines;
}

test("modern dovecot: the capabilities this file relies on, and the two it lacks", async () => {
  await using M = await login();
  for (const cap of ["LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "ESEARCH", "ENABLE"]) {
    assert.ok(M.capabilities.includes(cap), cap);
  }
  // Why IMAP4rev2 and CREATE-SPECIAL-USE are tested on scripted servers only.
  assert.ok(!M.capabilities.includes("IMAP4REV2"));
  assert.ok(!M.capabilities.includes("CREATE-SPECIAL-USE"));
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV1");
  const lines = await sent(M, async () => assert.equal(await enableImap4rev2(M), false));
  assert.deepEqual(lines, []);
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV1");
  const box = uniqueMailbox("Gesendet");
  await assert.rejects(
    sent(M, () => createMailbox(M, box, { specialUse: "\\Sent" })).then(() => {}),
    (e: unknown) => e instanceof IMAP4ArgumentError && /CREATE-SPECIAL-USE/.test(e.message),
  );
  const [, [listed]] = await M.list('""', box);
  assert.equal(listed, null, "nothing was created");
});

test("modern dovecot: listMailboxes in one LIST: special use, subscribed, STATUS", async () => {
  await using M = await login();
  const parent = uniqueMailbox("Modern");
  const [a, b] = [`${parent}.Ä`, `${parent}.B`];
  await createMailbox(M, a);
  await createMailbox(M, b);
  await createMailbox(M, "Sent");
  try {
    await M.subscribe('"Sent"');
    await M.append(`"${parent}.B"`, null, null, message("one"));
    await M.append(`"${parent}.B"`, "(\\Seen)", null, message("two"));
    const statusItems = { messages: true, unseen: true, size: true };
    let boxes: Awaited<ReturnType<typeof listMailboxes>> = [];
    const lines = await sent(M, async () => {
      boxes = await listMailboxes(M, { pattern: "*", statusItems });
    });
    assert.deepEqual(lines, [
      'LIST "" "*" RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN SIZE))',
    ]);
    const byPath = new Map(boxes.map((box) => [box.path, box]));
    // Dovecot lists the parent, which only exists as a level, as \NonExistent: no STATUS.
    const top = byPath.get(parent)!;
    assert.ok(top.flags.has("\\NonExistent") && top.status === undefined);
    assert.equal(byPath.get("Sent")?.specialUse, "\\Sent");
    assert.equal(byPath.get("Sent")?.subscribed, true);
    assert.equal(byPath.get(a)?.subscribed, false);
    assert.equal(byPath.get(a)?.specialUse, undefined);
    // The same numbers as a STATUS command of its own.
    for (const path of [a, b, "Sent", "INBOX"]) {
      const own = await statusMailbox(M, path, statusItems);
      assert.deepEqual(byPath.get(path)?.status, own, path);
    }
    assert.equal(byPath.get(b)?.status?.messages, 2);
    assert.equal(byPath.get(b)?.status?.unseen, 1);
    assert.ok(byPath.get(b)!.status!.size! > 0);

    const special = await sent(M, async () => {
      boxes = await listMailboxes(M, { specialUseOnly: true });
    });
    assert.deepEqual(special, [
      'LIST (SPECIAL-USE) "" "*" RETURN (SUBSCRIBED CHILDREN SPECIAL-USE)',
    ]);
    assert.deepEqual(boxes.map((box) => [box.path, box.specialUse]), [["Sent", "\\Sent"]]);

    boxes = await listMailboxes(M, { subscribedOnly: true });
    assert.deepEqual(boxes.map((box) => [box.path, box.subscribed]), [["Sent", true]]);
  } finally {
    await M.unsubscribe('"Sent"');
    for (const name of ["Sent", b, a]) await M.delete(`"${name}"`);
  }
});

test("modern dovecot: searchSummary over ESEARCH against searchMessages", async () => {
  await using M = await login();
  const box = uniqueMailbox("Esearch");
  await createMailbox(M, box);
  try {
    for (let i = 0; i < 6; i++) {
      await M.append(`"${box}"`, i % 3 === 0 ? "(\\Flagged)" : null, null, message(`m${i}`));
    }
    await selectMailbox(M, box);
    const flagged = await searchMessages(M, { flagged: true });
    assert.deepEqual(flagged, [1, 4]);
    let summary = {};
    const lines = await sent(M, async () => {
      summary = await searchSummary(M, { flagged: false });
    });
    assert.deepEqual(lines, ["SEARCH RETURN (MIN MAX COUNT ALL) UNFLAGGED"]);
    assert.deepEqual(summary, { min: 2, max: 6, count: 4, all: [2, 3, 5, 6] });
    const uids = await searchMessages(M, {}, { uid: true });
    assert.deepEqual(await searchSummary(M, {}, { uid: true, returns: ["count", "max"] }), {
      count: 6,
      max: uids[5],
    });
    // No match: Dovecot sends `COUNT 0` and nothing else.
    assert.deepEqual(await searchSummary(M, { subject: "no such subject" }), {
      count: 0,
      all: [],
    });
    // A set a real mailbox cannot hold is refused by the limit, with the connection usable.
    await assert.rejects(searchSummary(M, {}, { limit: 3 }), RangeError);
    assert.deepEqual(await searchMessages(M, { flagged: true }), [1, 4]);
  } finally {
    await M.close();
    await M.delete(`"${box}"`);
  }
});
