// The typed methods against the real Dovecot: Unicode mailbox names end to end, fetchMessages
// over a seeded mailbox, search queries, APPENDUID, COPYUID, flags, SELECT's answer, and
// cancellation, each checked against what the imaplib surface shows of the same server.

import assert from "node:assert/strict";
import {
  addFlags,
  appendMessage,
  copyMessages,
  createMailbox,
  deleteMailbox,
  encodeMailbox,
  fetchAll,
  type FetchMessage,
  fetchMessage,
  fetchMessages,
  FLAG_COLORS,
  getQuota,
  type IMAP4,
  IMAP4ArgumentError,
  IMAP4CancelledError,
  IMAP4CommandError,
  listMailboxes,
  listMailboxTree,
  type MailboxEvent,
  type MailboxTreeNode,
  moveMessages,
  removeFlags,
  renameMailbox,
  searchMessages,
  selectMailbox,
  setFlagColor,
  setFlags,
  statusMailbox,
  subscribeMailbox,
  unsubscribeMailbox,
  watchMailbox,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { login, uniqueMailbox } from "./_dovecot.ts";
import { showData, text, utf8 } from "./_bytes.ts";

const id = () => crypto.randomUUID().slice(0, 8);

// Three messages with CRLF line ends (stored byte for byte), known dates, flags and sizes.
const MESSAGES = [
  {
    source: "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\n" +
      'Subject: He said "yes" \\ no\r\nDate: Wed, 01 Jan 2020 09:00:00 +0000\r\n' +
      "Message-ID: <a@example.org>\r\nX-Test: alpha\r\n" +
      "Content-Type: text/plain; charset=us-ascii\r\n\r\nFirst.\r\n",
    flags: ["\\Seen"],
    internalDate: new Date("2020-01-02T10:00:00Z"),
  },
  {
    source: "From: Carol <carol@example.org>\r\nTo: alice@example.org\r\n" +
      "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n" +
      "Date: Tue, 15 Jun 2021 12:00:00 +0000\r\nMessage-ID: <b@example.org>\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\n\r\n" + "Lang.\r\n".repeat(800),
    flags: [],
    internalDate: new Date("2021-06-15T12:00:00Z"),
  },
  {
    source: "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Report\r\n" +
      "Date: Thu, 03 Mar 2022 08:00:00 +0000\r\nMessage-ID: <c@example.org>\r\nX-Test: beta\r\n" +
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n' +
      "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n" +
      "--b1\r\nContent-Type: application/octet-stream\r\n" +
      'Content-Disposition: attachment; filename="report.bin"\r\n' +
      "Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n",
    flags: ["\\Flagged", "$Label"],
    internalDate: new Date("2022-03-03T08:00:00Z"),
  },
];

/** A fresh mailbox holding MESSAGES, selected; the UIDs APPENDUID reported, in order. */
async function seeded(M: IMAP4): Promise<{ box: string; uids: number[] }> {
  const box = uniqueMailbox("Typed ü");
  await createMailbox(M, box);
  const uids = [];
  for (const { source, flags, internalDate } of MESSAGES) {
    const { uid } = await appendMessage(M, box, source, { flags, internalDate });
    uids.push(uid!);
  }
  await selectMailbox(M, box);
  return { box, uids };
}

async function collect(iterable: AsyncIterable<FetchMessage>): Promise<FetchMessage[]> {
  const out = [];
  for await (const message of iterable) out.push(message);
  return out;
}

test("typed dovecot: Unicode names created, listed, selected, renamed, deleted", async () => {
  await using M = await login();
  const n = id();
  const [inbox] = await listMailboxes(M, { pattern: "INBOX" });
  assert.equal(inbox.path, "INBOX");
  assert.equal(inbox.specialUse, "\\Inbox");
  assert.equal(inbox.delimiter, ".");
  const drafts = `Entwürfe ${n}`;
  const parent = `日本語 ${n}`;
  const child = `${parent}.子`;
  const amp = `Tom & Jerry ${n}`;
  for (const name of [drafts, parent, child, amp]) await createMailbox(M, name);

  // What the server stores, seen through imaplib: modified UTF-7 (RFC 3501 section 5.1.3).
  const raw = showData((await M.list('""', `*${n}*`))[1]).sort();
  assert.deepEqual(raw, [
    `(\\HasChildren) "." "&ZeVnLIqe- ${n}"`,
    `(\\HasNoChildren) "." "&ZeVnLIqe- ${n}.&W1A-"`,
    `(\\HasNoChildren) "." "Entw&APw-rfe ${n}"`,
    `(\\HasNoChildren) "." "Tom &- Jerry ${n}"`,
  ]);

  // Unicode patterns and names; the child's levels.
  const listed = await listMailboxes(M, { pattern: `*${n}*` });
  assert.deepEqual(listed.map((e) => e.path).sort(), [amp, drafts, parent, child].sort());
  const childEntry = listed.find((e) => e.path === child)!;
  assert.equal(childEntry.name, "子");
  assert.equal(childEntry.parentPath, parent);
  assert.deepEqual([...childEntry.flags], ["\\HasNoChildren"]);
  assert.deepEqual(
    (await listMailboxes(M, { reference: `${parent}.`, pattern: "%" })).map((e) => e.path),
    [child],
  );

  // Selected by Unicode name, STATUS by Unicode name; appended into.
  await appendMessage(M, child, "Subject: x\r\n\r\ny\r\n");
  const box = await selectMailbox(M, child);
  assert.equal(box.path, child);
  assert.equal(box.exists, 1);
  const status = await statusMailbox(M, amp, { messages: true, uidNext: true });
  assert.deepEqual([status.path, status.messages, status.uidNext], [amp, 0, 1]);
  const withStatus = await listMailboxes(M, { pattern: `*${n}*`, statusItems: { messages: true } });
  assert.deepEqual(
    withStatus.map((e) => [e.path, e.status?.messages]).sort(),
    [[amp, 0], [child, 1], [drafts, 0], [parent, 0]].sort(),
  );
  await M.unselect();

  // Renamed: the old name is gone, the new one stored encoded.
  const renamed = `Brouillons ü ${n}`;
  await renameMailbox(M, drafts, renamed);
  assert.deepEqual(showData((await M.list('""', `Brouillons*${n}`))[1]), [
    `(\\HasNoChildren) "." "Brouillons &APw- ${n}"`,
  ]);
  assert.deepEqual(showData((await M.list('""', `Entw*${n}`))[1]), [null]);

  for (const name of [renamed, child, parent, amp]) await deleteMailbox(M, name);
  assert.deepEqual(await listMailboxes(M, { pattern: `*${n}*` }), []);
  await assert.rejects(deleteMailbox(M, amp), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.command, "DELETE");
    assert.equal(e.status, "NO");
    assert.equal(e.code?.code, "NONEXISTENT");
    return true;
  });
});

test("typed dovecot: fetchMessages over a seeded mailbox, every field checked", async () => {
  await using M = await login();
  const { uids } = await seeded(M);
  const messages = await collect(fetchMessages(M, "1:*", {
    flags: true,
    envelope: true,
    bodyStructure: true,
    size: true,
    internalDate: true,
    source: true,
    headers: ["Subject", "X-Test"],
    bodyParts: ["1"],
  }));
  assert.deepEqual(messages.map((m) => [m.seq, m.uid]), [[1, uids[0]], [2, uids[1]], [3, uids[2]]]);
  messages.forEach((m, i) => {
    assert.deepEqual(m.source, utf8.encode(MESSAGES[i].source), `source ${i}`);
    assert.equal(m.size, utf8.encode(MESSAGES[i].source).length);
    assert.equal(m.internalDate?.getTime(), MESSAGES[i].internalDate.getTime());
    for (const flag of MESSAGES[i].flags) assert.ok(m.flags?.has(flag), flag);
  });
  const [a, b, c] = messages;
  assert.ok(!b.flags?.has("\\Seen"));
  assert.equal(a.envelope?.subject, 'He said "yes" \\ no');
  assert.deepEqual(a.envelope?.from, [{ name: "Bob", address: "bob@example.org" }]);
  assert.equal(a.envelope?.messageId, "<a@example.org>");
  assert.equal(a.envelope?.date?.toISOString(), "2020-01-01T09:00:00.000Z");
  assert.equal(b.envelope?.subject, "Grüße aus Köln");
  assert.equal(text.decode(a.headers), 'Subject: He said "yes" \\ no\r\nX-Test: alpha\r\n\r\n');
  assert.equal(
    text.decode(b.headers),
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n\r\n",
  );
  assert.equal(a.bodyStructure?.type, "text/plain");
  assert.equal(a.bodyStructure?.parameters?.charset, "us-ascii");
  assert.equal(text.decode(a.bodyParts?.get("1")), "First.\r\n");
  assert.equal(c.bodyStructure?.type, "multipart/mixed");
  const [part1, part2] = c.bodyStructure?.childNodes ?? [];
  assert.equal(part1.type, "text/plain");
  assert.equal(part2.type, "application/octet-stream");
  assert.equal(part2.disposition, "attachment");
  assert.equal(part2.dispositionParameters?.filename, "report.bin");
  assert.equal(part2.encoding, "base64");
  assert.equal(text.decode(c.bodyParts?.get("1")), "See attached.");

  // BODY.PEEK: reading the sources set no \Seen.
  assert.deepEqual(await searchMessages(M, { seen: false }), [2, 3]);

  // By UID; and only the fields asked.
  const [byUid] = await collect(fetchMessages(M, [uids[2]], { flags: true }, { uid: true }));
  // (Message 3 is \Flagged: FLAGS brings its colour, red.)
  assert.deepEqual(Object.keys(byUid).sort(), ["flagColor", "flags", "seq", "uid"]);
  assert.equal(byUid.flagColor, "red");
  assert.equal(byUid.uid, uids[2]);
  assert.ok(byUid.flags?.has("$Label"));
  const headersOnly = await collect(fetchMessages(M, 2, { headers: true }));
  assert.ok(text.decode(headersOnly[0].headers).startsWith("From: Carol"));
  assert.ok(text.decode(headersOnly[0].headers).endsWith("\r\n\r\n"));
});

test("typed dovecot: fetchMessage() by number, by UID and '*'; null without the message", async () => {
  await using M = await login();
  const { uids } = await seeded(M);
  assert.equal((await fetchMessage(M, 2, { envelope: true }))?.envelope?.subject, "Grüße aus Köln");
  const byUid = await fetchMessage(M, uids[0], { flags: true }, { uid: true });
  assert.deepEqual([byUid?.seq, byUid?.uid, byUid?.flags?.has("\\Seen")], [1, uids[0], true]);
  const last = await fetchMessage(M, "*", { envelope: true });
  assert.deepEqual([last?.seq, last?.envelope?.subject], [3, "Report"]);
  assert.equal(await fetchMessage(M, uids[2] + 100, { flags: true }, { uid: true }), null);
  await assert.rejects(
    fetchMessage(M, 1, { flags: true }, { signal: AbortSignal.abort() }),
    (e) => e instanceof IMAP4CancelledError && /fetchMessage\(\)/.test(e.message),
  );
  await assert.rejects(fetchMessage(M, 0, { flags: true }), IMAP4ArgumentError);
  await assert.rejects(fetchMessage(M, "1:3" as "*", { flags: true }), IMAP4ArgumentError);
});

test("typed dovecot: fetchMessages changedSince after selectMailbox with condstore", async () => {
  await using M = await login();
  const { box, uids } = await seeded(M);
  const selected = await selectMailbox(M, box, { condstore: true });
  const before = selected.highestModseq!;
  assert.equal(typeof before, "bigint");
  await addFlags(M, [uids[1]], ["\\Answered"], { uid: true, silent: true });
  const changed = await collect(
    fetchMessages(M, "1:*", { flags: true, modseq: true }, { changedSince: before }),
  );
  assert.deepEqual(changed.map((m) => m.uid), [uids[1]]);
  assert.ok(changed[0].modseq! > before);
  assert.ok(changed[0].flags?.has("\\Answered"));
});

test("typed dovecot: leaving fetchMessages early or aborting it keeps the connection in step", async () => {
  await using M = await login();
  await seeded(M);
  for await (const _ of fetchMessages(M, "1:*", { source: true })) break;
  assert.equal((await M.noop())[0], "OK");

  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (
        const m of fetchMessages(M, "1:*", { source: true }, { signal: controller.signal })
      ) {
        seen.push(m.seq);
        controller.abort(new Error("enough"));
      }
    })(),
    (e: unknown) => {
      assert.ok(e instanceof IMAP4CancelledError);
      assert.equal((e.cause as Error).message, "enough");
      return true;
    },
  );
  assert.deepEqual(seen, [1]);
  assert.equal((await collect(fetchMessages(M, "1:*", { size: true }))).length, 3);

  // Aborted while SEARCH is in flight: it completes, its result is dropped, then the throw.
  const inFlight = new AbortController();
  const search = searchMessages(M, { all: true }, { signal: inFlight.signal });
  inFlight.abort();
  await assert.rejects(search, IMAP4CancelledError);
  assert.deepEqual(await searchMessages(M, { seen: true }), [1]);
});

test("typed dovecot: search queries against known messages", async () => {
  await using M = await login();
  const { uids } = await seeded(M);
  const rows: [string, Parameters<typeof searchMessages>[1], number[]][] = [
    ["all", {}, [1, 2, 3]],
    ["seen", { seen: true }, [1]],
    ["unseen", { seen: false }, [2, 3]],
    ["flagged and keyword", { flagged: true, keyword: "$Label" }, [3]],
    ["from", { from: "carol" }, [2]],
    ["subject with a double quote and a backslash", { subject: 'said "yes" \\ no' }, [1]],
    ["subject with a double quote only", { subject: '"yes"' }, [1]],
    ["non-ASCII subject (CHARSET UTF-8, a literal)", { subject: "Grüße" }, [2]],
    ["non-ASCII inside or/not", { not: { subject: "Köln", seen: false } }, [1, 3]],
    ["since", { since: "2021-01-01" }, [2, 3]],
    ["before", { before: new Date("2021-01-01T00:00:00Z") }, [1]],
    ["on", { on: "2021-06-15" }, [2]],
    ["sentBefore", { sentBefore: "2020-06-01" }, [1]],
    ["header", { header: { "X-Test": "beta" } }, [3]],
    ["header exists", { header: { "X-Test": true } }, [1, 3]],
    ["or", { or: [{ from: "carol" }, { flagged: true }] }, [2, 3]],
    ["or of three", { or: [{ on: "2020-01-02" }, { from: "nobody" }, { larger: 4000 }] }, [1, 2]],
    ["not", { not: { from: "bob" } }, [2]],
    ["larger", { larger: 4000 }, [2]],
    ["smaller", { smaller: utf8.encode(MESSAGES[0].source).length + 1 }, [1]],
    ["seq", { seq: "2:3", seen: false }, [2, 3]],
    ["no match is an empty array", { subject: "no such subject" }, []],
  ];
  for (const [name, query, expected] of rows) {
    assert.deepEqual(await searchMessages(M, query), expected, name);
  }
  assert.deepEqual(await searchMessages(M, { seen: false }, { uid: true }), [uids[1], uids[2]]);
  assert.deepEqual(await searchMessages(M, { uid: [uids[0]], seen: true }, { uid: true }), [
    uids[0],
  ]);
});

test("typed dovecot: appendMessage returns APPENDUID; TRYCREATE as a typed error", async () => {
  await using M = await login();
  const box = uniqueMailbox("Append ü");
  await createMailbox(M, box);
  const first = await appendMessage(M, box, "Message-ID: <one@x>\r\n\r\n1\r\n");
  const second = await appendMessage(M, box, utf8.encode("Message-ID: <two@x>\r\n\r\n2\r\n"));
  const status = await statusMailbox(M, box);
  assert.equal(first.uidValidity, status.uidValidity);
  assert.equal(second.uidValidity, status.uidValidity);
  assert.equal(second.uid, first.uid! + 1);
  assert.equal(status.uidNext, second.uid! + 1);
  await selectMailbox(M, box);
  // The same UID through the imaplib surface.
  const [, [found]] = await M.uid("SEARCH", "HEADER", "Message-ID", '"<two@x>"');
  assert.equal(text.decode(found as Uint8Array), String(second.uid));

  await assert.rejects(appendMessage(M, `${box} missing`, "x"), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.command, "APPEND");
    assert.equal(e.status, "NO");
    assert.equal(e.code?.code, "TRYCREATE");
    return true;
  });
});

test("typed dovecot: copyMessages and moveMessages map UIDs (COPYUID)", async () => {
  await using M = await login();
  const { box, uids } = await seeded(M);
  const dest = uniqueMailbox("Ziel ü");
  await createMailbox(M, dest);
  const destStatus = await statusMailbox(M, dest, { uidValidity: true });

  const copied = await copyMessages(M, "1:2", dest);
  assert.equal(copied.uidValidity, destStatus.uidValidity);
  assert.deepEqual([...copied.uidMap!.keys()], [uids[0], uids[1]]);
  const moved = await moveMessages(M, [uids[2]], dest, { uid: true });
  assert.equal(moved.expunged, true);
  assert.deepEqual([...moved.uidMap!.keys()], [uids[2]]);
  assert.equal((await statusMailbox(M, box, { messages: true })).messages, 2);

  // In the destination, each mapped UID holds the message it was mapped from.
  await selectMailbox(M, dest, { readOnly: true });
  const ids = new Map<number, string | undefined>();
  for await (const m of fetchMessages(M, "1:*", { envelope: true })) {
    ids.set(m.uid!, m.envelope?.messageId);
  }
  assert.equal(ids.size, 3);
  assert.equal(ids.get(copied.uidMap!.get(uids[0])!), "<a@example.org>");
  assert.equal(ids.get(copied.uidMap!.get(uids[1])!), "<b@example.org>");
  assert.equal(ids.get(moved.uidMap!.get(uids[2])!), "<c@example.org>");
});

test("typed dovecot: addFlags, removeFlags, setFlags, silent and unchangedSince", async () => {
  await using M = await login();
  const { box, uids } = await seeded(M);
  const rawFlags = async (n: number) =>
    showData((await M.fetch(String(n), "(FLAGS)"))[1])[0] as string;

  const added = await addFlags(M, 2, ["\\Flagged", "$Work"]);
  assert.deepEqual(added.messages.map((m) => [m.seq, [...m.flags!].sort()]), [
    [2, ["$Work", "\\Flagged", "\\Recent"]],
  ]);
  assert.match(await rawFlags(2), /\$Work/);
  const removed = await removeFlags(M, [uids[1]], ["$Work"], { uid: true });
  assert.equal(removed.messages[0].uid, uids[1]);
  assert.ok(!removed.messages[0].flags!.has("$Work"));
  assert.doesNotMatch(await rawFlags(2), /\$Work/);
  const silent = await setFlags(M, "1:2", ["$Only"], { silent: true });
  assert.deepEqual(silent, { messages: [], modified: [] });
  assert.match(await rawFlags(1), /^1 \(FLAGS \((\$Only \\Recent|\\Recent \$Only)\)\)$/);

  const { highestModseq } = await selectMailbox(M, box, { condstore: true });
  await addFlags(M, 3, ["$New"], { silent: true });
  // Message 3 changed after highestModseq: the conditional STORE leaves it, reporting it.
  const conditional = await addFlags(M, "1:3", ["$Cond"], { unchangedSince: highestModseq! });
  assert.deepEqual(conditional.modified, [3]);
  assert.deepEqual(conditional.messages.map((m) => m.seq), [1, 2]);
  assert.doesNotMatch(await rawFlags(3), /\$Cond/);
});

test("typed dovecot: setFlagColor writes Apple Mail's keywords, flagColor and fetchAll read them", async () => {
  await using M = await login();
  const { uids } = await seeded(M);
  // The keywords as Dovecot stores them, read through imaplib's FETCH.
  const rawFlags = async (uid: number) => {
    const [, data] = await M.uid("FETCH", String(uid), "(FLAGS)");
    const flags = /FLAGS \(([^)]*)\)/.exec(showData(data)[0] as string)![1].split(" ");
    return flags.filter((f) => f === "\\Flagged" || f.startsWith("$MailFlagBit")).sort();
  };
  for (const [n, color] of FLAG_COLORS.entries()) {
    const result = await setFlagColor(M, [uids[0]], color, { uid: true });
    const bits = [0, 1, 2].filter((bit) => n & (1 << bit)).map((bit) => `$MailFlagBit${bit}`);
    assert.deepEqual(await rawFlags(uids[0]), ["\\Flagged", ...bits].sort(), color);
    assert.equal(result.messages[0].flagColor, color);
    const [message] = await fetchAll(M, [uids[0]], { flags: true }, { uid: true });
    assert.equal(message.flagColor, color);
  }
  await setFlagColor(M, [uids[0]], null, { uid: true, silent: true });
  assert.deepEqual(await rawFlags(uids[0]), []);
  assert.equal(
    (await fetchMessage(M, uids[0], { flags: true }, { uid: true }))?.flagColor,
    undefined,
  );
  // The seeded third message is \Flagged without bits: red, as Apple Mail shows it.
  const all = await fetchAll(M, "1:*", { flags: true, envelope: true });
  assert.deepEqual(all.map((m) => m.flagColor), [undefined, undefined, "red"]);
  assert.deepEqual(all, await collect(fetchMessages(M, "1:*", { flags: true, envelope: true })));
  await assert.rejects(
    setFlagColor(M, [uids[0]], "pink" as "red", { uid: true }),
    IMAP4ArgumentError,
  );
});

test("typed dovecot: selectMailbox fields against the raw untagged store and STATUS", async () => {
  await using M = await login();
  const { box } = await seeded(M);
  const status = await statusMailbox(M, box);
  const selected = await selectMailbox(M, box, { condstore: true });
  const store = M.untagged_responses;
  const raw = (key: string) => showData(store[key] ?? []).at(-1);
  assert.equal(selected.exists, 3);
  assert.equal(raw("EXISTS"), "3");
  assert.equal(selected.recent, Number(raw("RECENT")));
  assert.equal(selected.uidValidity, status.uidValidity);
  assert.equal(raw("UIDVALIDITY"), String(status.uidValidity));
  assert.equal(selected.uidNext, 4);
  assert.equal(raw("UIDNEXT"), "4");
  assert.equal(selected.highestModseq, status.highestModseq);
  assert.equal(raw("HIGHESTMODSEQ"), String(status.highestModseq));
  assert.equal(selected.unseen, 2);
  assert.deepEqual(
    [...selected.flags],
    ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "$Label"],
  );
  assert.equal(raw("FLAGS"), `(${[...selected.flags].join(" ")})`);
  assert.ok(selected.permanentFlags?.has("\\*"));
  assert.equal(raw("PERMANENTFLAGS"), `(${[...selected.permanentFlags!].join(" ")})`);
  assert.equal(selected.readOnly, false);
  assert.ok("READ-WRITE" in store);
  assert.equal(M.state, "SELECTED");

  const examined = await selectMailbox(M, box, { readOnly: true });
  assert.equal(examined.readOnly, true);
  assert.ok("READ-ONLY" in M.untagged_responses);
  await assert.rejects(selectMailbox(M, `${box} missing`), IMAP4CommandError);
  assert.equal(M.state, "AUTH");
});

test("typed dovecot: getQuota() of a Unicode mailbox agrees with imaplib's getquotaroot()", async () => {
  const M = await login();
  const box = `Kontingent-${id()}-Größe`;
  try {
    await createMailbox(M, box);
    const quota = await getQuota(M, box);
    // The same question through the imaplib surface, its bytes read with a regular expression.
    const [, [, quotas]] = await M.getquotaroot(encodeMailbox(box));
    const [, used, limit] = /^"User quota" \(STORAGE (\d+) (\d+)\)$/.exec(
      text.decode(quotas[0] as Uint8Array),
    )!;
    assert.deepEqual(quota, {
      path: box,
      quotaRoot: "User quota",
      quotas: [{
        root: "User quota",
        resources: new Map([["STORAGE", { usage: Number(used), limit: Number(limit) }]]),
        storage: { used: Number(used) * 1024, limit: Number(limit) * 1024 },
      }],
      storage: { used: Number(used) * 1024, limit: Number(limit) * 1024 },
    });
    assert.equal(limit, "102400"); // the fixture's 100 MiB
    // A mailbox that does not exist: Dovecot 2.3.19 answers with the user's quota all the same
    // (measured), since its quota is per user.
    const missing = await getQuota(M, `Nirgends-${id()}`);
    assert.equal(missing?.quotaRoot, "User quota");
    assert.equal(missing?.storage?.limit, 102400 * 1024);
  } finally {
    await deleteMailbox(M, box).catch(() => {});
    await M.logout();
  }
});

test("typed dovecot: subscribeMailbox() and unsubscribeMailbox() by Unicode name", async () => {
  const M = await login();
  const box = `Abonniert-${id()}-Übersicht`;
  try {
    await createMailbox(M, box);
    const subscribed = async () =>
      (await listMailboxes(M, { pattern: `*${box.slice(10, 18)}*`, subscribedOnly: true }))
        .map((e) => e.path);
    assert.deepEqual(await subscribed(), []);
    await subscribeMailbox(M, box);
    assert.deepEqual(await subscribed(), [box]);
    // The imaplib surface sees the modified UTF-7 name in LSUB.
    const [, lsub] = await M.lsub('""', `"*${box.slice(10, 18)}*"`);
    assert.match(text.decode(lsub[0] as Uint8Array), / "?Abonniert-[0-9a-f]{8}-&ANw-bersicht"?$/);
    await unsubscribeMailbox(M, box);
    assert.deepEqual(await subscribed(), []);
  } finally {
    await deleteMailbox(M, box).catch(() => {});
    await M.logout();
  }
});

test("typed dovecot: listMailboxTree() nests Unicode names; levels a pattern leaves out are unlisted", async () => {
  const M = await login();
  const top = `Baum-${id()}`;
  const made = [`${top}.Äste.Blätter`, `${top}.Äste.Zweige`, `${top}.Wurzel`];
  try {
    for (const path of made) await createMailbox(M, path);
    const nested = (nodes: MailboxTreeNode[]): unknown[] =>
      nodes.map((n) => [n.name, n.listed, nested(n.folders)]).sort(); // the server's order varies
    const all = await listMailboxTree(M, { pattern: `${top}*` });
    assert.deepEqual(nested(all.folders), [
      [top, true, [["Wurzel", true, []], ["Äste", true, [["Blätter", true, []], [
        "Zweige",
        true,
        [],
      ]]]]],
    ]);
    // The imaplib surface lists the same names in modified UTF-7.
    const [, raw] = await M.list('""', `"${top}*"`);
    assert.equal(raw.length, 5);
    assert.ok(
      raw.some((d) =>
        / "?Baum-[0-9a-f]{8}\.&AMQ-ste\.Bl&AOQ-tter"?$/.test(text.decode(d as Uint8Array))
      ),
    );
    // Only the third level (the fixture's delimiter is "."): the levels above it come from the names, unlisted and unselectable.
    const leaves = await listMailboxTree(M, { pattern: `${top}.%.%` });
    const [root] = leaves.folders;
    assert.deepEqual([root.name, root.listed, root.disabled], [top, false, true]);
    assert.deepEqual([root.folders[0].path, root.folders[0].listed], [`${top}.Äste`, false]);
    assert.deepEqual(root.folders[0].folders.map((n) => [n.path, n.listed, n.disabled]).sort(), [
      [`${top}.Äste.Blätter`, true, false],
      [`${top}.Äste.Zweige`, true, false],
    ]);
  } finally {
    for (const path of [...made].reverse()) await deleteMailbox(M, path).catch(() => {});
    for (const path of [`${top}.Äste`, top]) await deleteMailbox(M, path).catch(() => {});
    await M.logout();
  }
});

test("typed dovecot: watchMailbox() reports another client's APPEND, flags and EXPUNGE", async () => {
  const M = await login();
  const other = await login();
  const box = `Beobachtet-${id()}`;
  try {
    await createMailbox(M, box);
    for (const n of [1, 2]) await appendMessage(M, box, `Subject: ${n}\r\n\r\nx\r\n`);
    await selectMailbox(M, box);
    await selectMailbox(other, box);
    const stop = new AbortController();
    const events: MailboxEvent[] = [];
    const watching = (async () => {
      for await (const event of watchMailbox(M, { signal: stop.signal })) {
        events.push(event);
        if (event.type === "expunge") stop.abort();
      }
    })();
    // Dovecot tells an idling client of changes ~0.5 s after they happen, one step at a time.
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 100 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(what(), JSON.stringify(events, (_, v) => v instanceof Set ? [...v] : v));
    };
    await appendMessage(other, box, "Subject: 3\r\n\r\nx\r\n");
    await until(() => events.some((e) => e.type === "exists"));
    await addFlags(other, 1, ["\\Flagged"]);
    await until(() => events.some((e) => e.type === "flags"));
    await addFlags(other, 2, ["\\Deleted"], { silent: true });
    await other.expunge();
    await watching;
    const seen = events.map((e) =>
      e.type === "exists"
        ? `exists ${e.count}`
        : e.type === "flags"
        ? `flags ${e.seq} ${[...e.flags].filter((f) => f !== "\\Recent").join(" ")}`
        : e.type === "expunge"
        ? `expunge ${e.seq}`
        : e.type
    );
    assert.deepEqual(seen.filter((s) => !s.startsWith("flags 2")), [
      "exists 3",
      "flags 1 \\Flagged",
      "expunge 2",
    ]);
    // The loop sent DONE: the client is back in SELECTED and answers commands.
    assert.equal(M.state, "SELECTED");
    assert.equal((await selectMailbox(M, box)).exists, 2);
  } finally {
    // Dovecot disconnects a client whose selected mailbox is deleted: both leave it first.
    await other.logout();
    if (M.state === "SELECTED") await M.close();
    await deleteMailbox(M, box).catch(() => {});
    await M.logout();
  }
});
