// sortMessages() and threadMessages() against Dovecot (SORT, SORT=DISPLAY, THREAD=REFERENCES,
// THREAD=ORDEREDSUBJECT, RFC 5256 and 5957). The expected orders and trees are worked out here
// from the messages' headers by the RFCs' rules (dates, sizes, base subjects, mailboxes,
// display names, Message-ID references), not read back from the library.

import assert from "node:assert/strict";
import {
  appendMessage,
  createMailbox,
  deleteMailbox,
  IMAP4_stream,
  IMAP4ArgumentError,
  IMAP4Error,
  selectMailbox,
  sortMessages,
  threadMessages,
  type ThreadNode,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { dovecot, login, uniqueMailbox } from "./_dovecot.ts";
import { shellQuote } from "../scripts/dovecot.ts";

interface Mail {
  id: string;
  refs?: string[];
  subject: string;
  name: string;
  mailbox: string;
  day: number; // of January 2024: the Date header
  body: string;
}

// Message n (1-based) is MAILS[n - 1].
const MAILS: Mail[] = [
  { id: "a", subject: "Plan", name: "Yvonne", mailbox: "zoe", day: 3, body: "x" },
  {
    id: "b",
    refs: ["a"],
    subject: "Re: Plan",
    name: "Xaver",
    mailbox: "adam",
    day: 5,
    body: "xxxxxx",
  },
  {
    id: "c",
    refs: ["a", "b"],
    subject: "Re: Re: Plan",
    name: "Walter",
    mailbox: "mia",
    day: 6,
    body: "xxx",
  },
  {
    id: "d",
    refs: ["a"],
    subject: "Fwd: Plan",
    name: "Viktor",
    mailbox: "bob",
    day: 4,
    body: "xxxxxxxxxx",
  },
  { id: "e", subject: "Summary", name: "Ursula", mailbox: "carl", day: 1, body: "Grüße aus Köln" },
  {
    id: "f",
    refs: ["gone"],
    subject: "Orphan one",
    name: "Tom",
    mailbox: "dora",
    day: 7,
    body: "xx",
  },
  {
    id: "g",
    refs: ["gone"],
    subject: "Orphan two",
    name: "Sara",
    mailbox: "eve",
    day: 2,
    body: "xxxx",
  },
];

function source(m: Mail): string {
  const refs = m.refs
    ? `In-Reply-To: <${m.refs.at(-1)}@example.org>\r\nReferences: ${
      m.refs.map((r) => `<${r}@example.org>`).join(" ")
    }\r\n`
    : "";
  return `From: ${m.name} <${m.mailbox}@example.org>\r\nTo: team@example.org\r\n` +
    `Subject: ${m.subject}\r\nDate: ${m.day} Jan 2024 10:00:00 +0000\r\n` +
    `Message-ID: <${m.id}@example.org>\r\n${refs}MIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${m.body}\r\n`;
}

const numbers = MAILS.map((_, i) => i + 1);
const by = (key: (m: Mail) => string | number) =>
  [...numbers].sort((x, y) => {
    const a = key(MAILS[x - 1]);
    const b = key(MAILS[y - 1]);
    return a < b ? -1 : a > b ? 1 : x - y; // ties: by sequence number (RFC 5256 section 3)
  });
// RFC 5256 section 2.1's base subject, for these subjects: leading "Re:" / "Fwd:" dropped.
const baseSubject = (m: Mail) => m.subject.replace(/^(?:(?:re|fwd?):\s*)+/i, "").toLowerCase();
const size = (m: Mail) => new TextEncoder().encode(source(m)).length;

// Children in id order, so trees compare whatever order the server gives siblings.
function normal(nodes: ThreadNode[]): ThreadNode[] {
  return nodes.map((n) => ({ id: n.id, children: normal(n.children) }))
    .sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}
const node = (id: number | null, ...children: ThreadNode[]): ThreadNode => ({ id, children });

test("sort dovecot: dates, sizes, base subjects, mailboxes, display names; filters, UIDs", async () => {
  await using M = await login();
  const box = uniqueMailbox("Sort");
  await createMailbox(M, box);
  try {
    const uids: number[] = [];
    for (const m of MAILS) {
      const { uid } = await appendMessage(M, box, source(m), {
        internalDate: new Date(Date.UTC(2024, 0, m.day, 10)),
      });
      uids.push(uid!);
    }
    await selectMailbox(M, box);
    assert.ok(M.capabilities.includes("SORT") && M.capabilities.includes("SORT=DISPLAY"));

    assert.deepEqual(await sortMessages(M, ["date"], {}), by((m) => m.day));
    assert.deepEqual(await sortMessages(M, ["arrival"], {}), by((m) => m.day));
    assert.deepEqual(
      await sortMessages(M, [{ key: "date", reverse: true }], {}),
      by((m) => -m.day),
    );
    assert.deepEqual(await sortMessages(M, ["size"], {}), by(size));
    assert.deepEqual(await sortMessages(M, ["subject"], {}), by(baseSubject));
    assert.deepEqual(await sortMessages(M, ["from"], {}), by((m) => m.mailbox));
    assert.deepEqual(await sortMessages(M, ["displayFrom"], {}), by((m) => m.name.toLowerCase()));
    // Two keys: base subject, then newest first.
    assert.deepEqual(
      await sortMessages(M, ["subject", { key: "date", reverse: true }], {}),
      [...numbers].sort((x, y) => {
        const [a, b] = [baseSubject(MAILS[x - 1]), baseSubject(MAILS[y - 1])];
        return a < b ? -1 : a > b ? 1 : MAILS[y - 1].day - MAILS[x - 1].day;
      }),
    );
    // The query filters; a non-ASCII string goes as a literal after the UTF-8 charset.
    assert.deepEqual(await sortMessages(M, ["date"], { subject: "Plan" }), [1, 4, 2, 3]);
    assert.deepEqual(await sortMessages(M, ["date"], { body: "Grüße" }), [5]);
    assert.deepEqual(await sortMessages(M, ["date"], { subject: "nothing like it" }), []);
    // UID SORT: UIDs in the same order.
    assert.deepEqual(
      await sortMessages(M, ["date"], {}, { uid: true }),
      by((m) => m.day).map((n) => uids[n - 1]),
    );
    await assert.rejects(sortMessages(M, [], {}), IMAP4ArgumentError);
    await assert.rejects(sortMessages(M, ["weight" as "size"], {}), IMAP4ArgumentError);
    assert.equal((await M.noop())[0], "OK");
  } finally {
    await M.close().catch(() => {});
    await deleteMailbox(M, box).catch(() => {});
  }
});

test("thread dovecot: REFERENCES by Message-ID, ORDEREDSUBJECT by base subject and date", async () => {
  await using M = await login();
  const box = uniqueMailbox("Thread");
  await createMailbox(M, box);
  try {
    const uids: number[] = [];
    for (const m of MAILS) uids.push((await appendMessage(M, box, source(m))).uid!);
    await selectMailbox(M, box);

    // References: b and d answer a, c answers b; f and g answer a message that is not there.
    const references = await threadMessages(M, "references", {});
    assert.deepEqual(normal(references), [
      node(null, node(6), node(7)),
      node(1, node(2, node(3)), node(4)),
      node(5),
    ]);
    // Ordered subject (RFC 5256 section 2.2): per base subject, the earliest message is the
    // parent of the others in date order; threads by the date of their first message.
    assert.deepEqual(await threadMessages(M, "orderedsubject", {}), [
      node(5),
      node(7),
      node(1, node(4), node(2), node(3)),
      node(6),
    ]);
    // UID THREAD, with a query.
    const [plan] = await threadMessages(M, "orderedsubject", { subject: "Plan" }, { uid: true });
    assert.deepEqual(plan, node(uids[0], node(uids[3]), node(uids[1]), node(uids[2])));
    await assert.rejects(threadMessages(M, "bogus" as "refs", {}), IMAP4ArgumentError);
    assert.equal((await M.noop())[0], "OK");
  } finally {
    await M.close().catch(() => {});
    await deleteMailbox(M, box).catch(() => {});
  }
});

test("sort dovecot: without SORT=DISPLAY or THREAD= advertised, nothing is sent", async () => {
  const info = dovecot();
  // The same Dovecot, advertising SORT but neither SORT=DISPLAY nor any THREAD= algorithm.
  const command =
    `/bin/sh ${shellQuote(`${info.dir}/imap.sh`)} -c ${shellQuote(info.configPath)} ` +
    `-o ${shellQuote("imap_capability=IMAP4rev1 LITERAL+ UIDPLUS SORT")} ` +
    `-u ${shellQuote(info.users[0].user)}`;
  await using M = await IMAP4_stream.connect(command, { stderr: "null", timeout: 10 });
  await selectMailbox(M, "INBOX");
  const sent: string[] = [];
  const send = M.send.bind(M);
  M.send = (bytes) => (sent.push(new TextDecoder().decode(bytes)), send(bytes));
  await assert.rejects(sortMessages(M, ["displayFrom"], {}), IMAP4Error);
  await assert.rejects(threadMessages(M, "references", {}), IMAP4Error);
  assert.deepEqual(sent, []);
  assert.ok(Array.isArray(await sortMessages(M, ["date"], {})));
  assert.equal(sent.length, 1);
});
