// BINARY, UNSELECT, UIDPLUS, NAMESPACE and QRESYNC SELECT against scripted servers, for what
// the fixture Dovecot cannot show: it advertises all of these, so a server without BINARY,
// UNSELECT or UIDPLUS is scripted here, as are the exact command lines where Dovecot's answer
// would not tell them apart. The same features against Dovecot: tests/binary_dovecot_test.ts,
// tests/modern_dovecot_test.ts.

import assert from "node:assert/strict";
import {
  appendMessage,
  deleteMessages,
  expungeMessages,
  fetchMessages,
  getNamespaces,
  IMAP4ArgumentError,
  IMAP4CommandError,
  IMAP4Error,
  selectMailbox,
  unselectMailbox,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, replies } from "./_scripted.ts";

/** The command lines the client sent after logging in, tags dropped. */
function commands(received: string): string[] {
  return received.split("\r\n").filter(Boolean).map((line) => line.replace(/^\S+ /, ""))
    .filter((line) => !/^(?:LOGIN|CAPABILITY|LOGOUT)\b/.test(line));
}

function scripted(handlers: Record<string, CommandHandler>, capabilities: string) {
  return connectScripted({ handlers, capabilities, state: "SELECTED" });
}

const NUL_MESSAGE = "Subject: x\r\n\r\na\0b\r\n";

test("appendMessage: NUL without BINARY is refused before anything is sent", async () => {
  const { M, server, done } = await scripted({}, "UIDPLUS");
  await assert.rejects(
    appendMessage(M, "INBOX", NUL_MESSAGE),
    (e: Error) => e instanceof IMAP4ArgumentError && /NUL at byte 15.*BINARY/.test(e.message),
  );
  await assert.rejects(appendMessage(M, "INBOX", "x", { binary: true }), IMAP4ArgumentError);
  await assert.rejects(
    fetchMessages(M, 1, { binaryParts: ["1"] }).next(),
    (e: Error) => e instanceof IMAP4ArgumentError && /BINARY/.test(e.message),
  );
  await done();
  assert.deepEqual(commands(server.receivedText).filter((c) => !/^SELECT/.test(c)), []);
});

test("appendMessage: with BINARY, literal8 waits for + (no LITERAL+); binary: false refuses NUL", async () => {
  const { M, server, done } = await scripted({
    APPEND: async (s, c) => {
      s.line("+ go ahead");
      // Sent as is: the NUL, no MapCRLF.
      assert.deepEqual(await s.readBytes(19), new TextEncoder().encode(NUL_MESSAGE));
      assert.equal(await s.readLine(), "");
      s.line(`${c.tag} OK [APPENDUID 9 4] APPEND completed`);
    },
  }, "BINARY");
  assert.deepEqual(await appendMessage(M, "Entwürfe", NUL_MESSAGE), { uidValidity: 9, uid: 4 });
  await assert.rejects(
    appendMessage(M, "INBOX", NUL_MESSAGE, { binary: false }),
    (e: Error) => e instanceof IMAP4ArgumentError && /binary is false/.test(e.message),
  );
  await done();
  assert.ok(server.receivedText.includes('APPEND "Entw&APw-rfe" ~{19}\r\n'), server.receivedText);
});

test("unselectMailbox without UNSELECT: CLOSE only when read-only, else a failed EXAMINE", async () => {
  const { M, server, done } = await scripted({
    EXAMINE: (s, c) => {
      if (c.args.startsWith('"imaplib-unselect-')) {
        s.line(`${c.tag} NO [NONEXISTENT] Mailbox doesn't exist`);
      } else s.line(`${c.tag} OK [READ-ONLY] EXAMINE completed`);
    },
    CLOSE: replies("{tag} OK Close completed"),
  }, "");
  // Selected read-write (by connectScripted): CLOSE would expunge, so EXAMINE of no mailbox.
  assert.equal(await unselectMailbox(M), "EXAMINE");
  assert.equal(M.state, "AUTH");
  assert.equal(await unselectMailbox(M), null);
  // Read-only: CLOSE removes nothing (RFC 3501 section 6.4.2).
  await M.select("INBOX", true);
  assert.equal(await unselectMailbox(M), "CLOSE");
  assert.equal(M.state, "AUTH");
  await done();
  const sent = commands(server.receivedText);
  assert.equal(sent.length, 4, sent.join("\n"));
  assert.match(sent[1], /^EXAMINE "imaplib-unselect-[0-9a-f-]{36}"$/);
  assert.deepEqual([sent[0], sent[2], sent[3]], ["SELECT INBOX", "EXAMINE INBOX", "CLOSE"]);
});

test("unselectMailbox: UNSELECT refused is a typed error; the state is AUTH as imaplib leaves it", async () => {
  const { M, done } = await scripted(
    { UNSELECT: replies("{tag} NO [CANNOT] not now") },
    "UNSELECT",
  );
  await assert.rejects(
    unselectMailbox(M),
    (e: Error) => e instanceof IMAP4CommandError && e.code?.code === "CANNOT",
  );
  assert.equal(M.state, "AUTH");
  await done();
});

test("expungeMessages: without UIDPLUS a set is refused, nothing sent; null sends EXPUNGE", async () => {
  const { M, server, done } = await scripted({
    EXPUNGE: replies("* 3 EXPUNGE", "* 3 EXPUNGE", "{tag} OK Expunge completed"),
  }, "");
  await assert.rejects(
    expungeMessages(M, [7], { uid: true }),
    (e: Error) =>
      e instanceof IMAP4Error && !(e instanceof IMAP4CommandError) && /UIDPLUS/.test(e.message),
  );
  assert.deepEqual(await expungeMessages(M, null), { expunged: [3, 3], vanished: [] });
  await done();
  assert.deepEqual(commands(server.receivedText), ["SELECT INBOX", "EXPUNGE"]);
});

test("expungeMessages: sequence numbers become UIDs first; NO is typed; VANISHED is bounded", async () => {
  let expunge = 0;
  const { M, server, done } = await scripted({
    UID: (s, c) => {
      if (/^SEARCH/i.test(c.args)) s.line("* SEARCH 12 14");
      else if (expunge++ === 0) s.line("* VANISHED 12,14");
      else if (expunge === 2) return void s.line(`${c.tag} NO [EXPUNGEISSUED] busy`);
      else s.line("* VANISHED 1:4294967295");
      s.line(`${c.tag} OK done`);
    },
  }, "UIDPLUS");
  assert.deepEqual(await expungeMessages(M, "2,4"), { expunged: [], vanished: [12, 14] });
  await assert.rejects(
    expungeMessages(M, 12, { uid: true }),
    (e: Error) => e instanceof IMAP4CommandError && e.command === "UID EXPUNGE",
  );
  // A hostile range is not expanded into four billion numbers.
  await assert.rejects(expungeMessages(M, 12, { uid: true }), RangeError);
  await done();
  assert.deepEqual(commands(server.receivedText).slice(1), [
    "UID SEARCH 2,4",
    "UID EXPUNGE 12,14",
    "UID EXPUNGE 12",
    "UID EXPUNGE 12",
  ]);
});

test("deleteMessages: without UIDPLUS refused unless plainExpunge, then STORE and EXPUNGE", async () => {
  const { M, server, done } = await scripted({
    UID: (s, c) => {
      if (/^SEARCH/i.test(c.args)) s.line("* SEARCH 12 14");
      s.line(`${c.tag} OK done`);
    },
    EXPUNGE: replies("* 4 EXPUNGE", "* 2 EXPUNGE", "* 1 EXPUNGE", "{tag} OK Expunge completed"),
  }, "");
  await assert.rejects(
    deleteMessages(M, [12], { uid: true }),
    (e: Error) =>
      e instanceof IMAP4Error && !(e instanceof IMAP4CommandError) &&
      /plainExpunge/.test(e.message),
  );
  // A plain EXPUNGE: the server also removed message 1, another \Deleted one, as RFC 3501 says.
  assert.deepEqual(await deleteMessages(M, "2,4", { plainExpunge: true }), {
    expunged: [4, 2, 1],
    vanished: [],
  });
  await done();
  assert.deepEqual(commands(server.receivedText).slice(1), [
    "UID SEARCH 2,4",
    "UID STORE 12,14 +FLAGS.SILENT (\\Deleted)",
    "EXPUNGE",
  ]);
});

test('getNamespaces: Unicode prefixes decoded; without NAMESPACE, LIST "" "" gives the delimiter', async () => {
  {
    const { M, done } = await scripted({
      NAMESPACE: replies(
        '* NAMESPACE (("" "/")("&AMQ-rger/" "/")) (("Andere Benutzer/" "/")) NIL',
        "{tag} OK Namespace completed",
      ),
    }, "NAMESPACE");
    assert.deepEqual(await getNamespaces(M), {
      personal: [
        { prefix: "", prefixAsListed: "", delimiter: "/" },
        { prefix: "Ärger/", prefixAsListed: "&AMQ-rger/", delimiter: "/" },
      ],
      other: [{ prefix: "Andere Benutzer/", prefixAsListed: "Andere Benutzer/", delimiter: "/" }],
      shared: [],
    });
    await done();
  }
  const { M, server, done } = await scripted({
    LIST: replies('* LIST (\\Noselect) "." ""', "{tag} OK List completed"),
  }, "");
  assert.deepEqual(await getNamespaces(M), {
    personal: [{ prefix: "", prefixAsListed: "", delimiter: "." }],
    other: [],
    shared: [],
  });
  await done();
  assert.deepEqual(commands(server.receivedText).slice(1), ['LIST "" ""']);
});

test("selectMailbox qresync: ENABLE, UNSELECT first when selected, the parameter as RFC 7162 writes it", async () => {
  const { M, server, done } = await scripted({
    ENABLE: replies("* ENABLED QRESYNC", "{tag} OK Enabled"),
    UNSELECT: replies("{tag} OK Unselect completed"),
    SELECT: (s, c) => {
      s.line("* 10 EXISTS");
      s.line("* OK [UIDVALIDITY 67890007] UIDs valid");
      s.line("* OK [HIGHESTMODSEQ 20010715194045319] Highest");
      s.line("* VANISHED (EARLIER) 41,43:45,214");
      s.line("* 2 FETCH (UID 42 FLAGS (\\Seen \\Answered) MODSEQ (20010715194032001))");
      s.line(`${c.tag} OK [READ-WRITE] mailbox selected`);
    },
  }, "ENABLE QRESYNC CONDSTORE UNSELECT");
  const box = await selectMailbox(M, "Entwürfe", {
    qresync: {
      uidValidity: 67890007,
      highestModseq: 20050715194045000n,
      knownUids: [41, 42, 43, 44, 45, 214],
    },
  });
  assert.equal(box.uidValidity, 67890007);
  assert.equal(box.highestModseq, 20010715194045319n);
  assert.deepEqual(box.vanished, [41, 43, 44, 45, 214]);
  assert.equal(box.changed?.length, 1);
  assert.deepEqual(box.changed?.[0].flags, new Set(["\\Seen", "\\Answered"]));
  assert.equal(box.changed?.[0].modseq, 20010715194032001n);
  // imaplib's response() sees nothing left over.
  assert.deepEqual(M.response("VANISHED"), ["VANISHED", [null]]);
  await done();
  assert.deepEqual(commands(server.receivedText).slice(1), [
    "UNSELECT",
    "ENABLE QRESYNC",
    'SELECT "Entw&APw-rfe" (QRESYNC (67890007 20050715194045000 41:45,214))',
  ]);
});

test("selectMailbox: qresync or the CONDSTORE parameter without the extension, nothing sent", async () => {
  const { M, server, done } = await scripted({}, "ENABLE CONDSTORE");
  const before = server.receivedText.length;
  await assert.rejects(
    selectMailbox(M, "INBOX", { qresync: { uidValidity: 1, highestModseq: 1 } }),
    (e: Error) => e instanceof IMAP4Error && /QRESYNC/.test(e.message),
  );
  assert.equal(server.receivedText.length, before);
  await done();
  const q = await scripted({}, "ENABLE QRESYNC UNSELECT");
  for (
    const qresync of [{ uidValidity: 0, highestModseq: 1 }, { uidValidity: 1, highestModseq: "x" }]
  ) {
    await assert.rejects(selectMailbox(q.M, "INBOX", { qresync }), RangeError);
  }
  await q.done();
  assert.deepEqual(commands(q.server.receivedText), ["SELECT INBOX"]);
  const plain = await scripted({}, "");
  await assert.rejects(
    selectMailbox(plain.M, "INBOX", { condstore: "parameter" }),
    (e: Error) => e instanceof IMAP4Error && /CONDSTORE/.test(e.message),
  );
  await plain.done();
});
