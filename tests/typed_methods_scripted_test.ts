// The typed methods against scripted servers, for what Dovecot cannot show: MOVE's fallback on
// servers without MOVE (with and without UIDPLUS), NO and BAD with response codes as typed
// errors, special-use attributes, capability-dependent FETCH items, CONDSTORE from a selected
// mailbox, and the exact command lines.

import assert from "node:assert/strict";
import {
  addFlags,
  appendMessage,
  copyMessages,
  fetchMessages,
  getQuota,
  IMAP4ArgumentError,
  IMAP4CancelledError,
  IMAP4CommandError,
  IMAP4Error,
  IMAP4Readonly,
  listMailboxes,
  moveMessages,
  removeFlags,
  searchMessages,
  selectMailbox,
  setFlags,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, replies } from "./_scripted.ts";

/** A client in state SELECTED on a scripted server with `handlers` and `capabilities`. */
function selected(handlers: Record<string, CommandHandler>, capabilities = "") {
  return connectScripted({ handlers, capabilities, state: "SELECTED" });
}

/** The command lines the client sent, tags dropped, from the first one matching `from`. */
function commands(received: string, from = /^(?!LOGIN|SELECT|CAPABILITY)/): string[] {
  return received.split("\r\n").filter(Boolean).map((line) => line.replace(/^\S+ /, ""))
    .filter((line) => from.test(line) && !/^LOGOUT$/.test(line));
}

/** A handler of UID commands by their sub-command (`COPY`, `STORE`...). */
function uid(by: Record<string, string[]>): CommandHandler {
  return (s, c) => {
    const sub = c.args.split(" ")[0].toUpperCase();
    const lines = by[sub] ?? ["{tag} BAD unexpected UID " + sub];
    for (const line of lines) s.line(line.replaceAll("{tag}", c.tag));
  };
}

const FALLBACK_UID = {
  SEARCH: ["* SEARCH 12 13", "{tag} OK Search completed"],
  COPY: ["{tag} OK [COPYUID 77 12:13 501:502] Copy completed"],
  STORE: ["{tag} OK Store completed"],
  EXPUNGE: ["* 2 EXPUNGE", "* 2 EXPUNGE", "{tag} OK Expunge completed"],
};

test("moveMessages: without MOVE, with UIDPLUS: UID SEARCH, UID COPY, UID STORE, UID EXPUNGE", async () => {
  const { M, server, done } = await selected({ UID: uid(FALLBACK_UID) }, "UIDPLUS");
  const result = await moveMessages(M, "2:3", "Archiv/Entwürfe");
  assert.deepEqual(result, {
    uidValidity: 77,
    uidMap: new Map([[12, 501], [13, 502]]),
    expunged: true,
  });
  assert.deepEqual(commands(server.receivedText), [
    "UID SEARCH 2:3",
    'UID COPY 12:13 "Archiv/Entw&APw-rfe"',
    "UID STORE 12:13 +FLAGS.SILENT (\\Deleted)",
    "UID EXPUNGE 12:13",
  ]);
  await done();
});

test("moveMessages: without MOVE, UIDs given: no UID SEARCH", async () => {
  const { M, server, done } = await selected({ UID: uid(FALLBACK_UID) }, "UIDPLUS");
  const result = await moveMessages(M, [13, 12], "Archiv", { uid: true });
  assert.equal(result.uidMap?.get(13), 502);
  assert.deepEqual(commands(server.receivedText), [
    'UID COPY 12:13 "Archiv"',
    "UID STORE 12:13 +FLAGS.SILENT (\\Deleted)",
    "UID EXPUNGE 12:13",
  ]);
  await done();
});

test("moveMessages: without MOVE and UIDPLUS, nothing is expunged unless plainExpunge", async () => {
  const noUidplus = {
    SEARCH: FALLBACK_UID.SEARCH,
    COPY: ["{tag} OK Copy completed"],
    STORE: FALLBACK_UID.STORE,
  };
  {
    const { M, server, done } = await selected({ UID: uid(noUidplus) });
    assert.deepEqual(await moveMessages(M, "2:3", "Archiv"), { expunged: false });
    const sent = commands(server.receivedText);
    assert.deepEqual(sent, [
      "UID SEARCH 2:3",
      'UID COPY 12:13 "Archiv"',
      "UID STORE 12:13 +FLAGS.SILENT (\\Deleted)",
    ]);
    await done();
  }
  const { M, server, done } = await selected({
    UID: uid(noUidplus),
    EXPUNGE: replies("* 2 EXPUNGE", "* 2 EXPUNGE", "* 5 EXPUNGE", "{tag} OK Expunge completed"),
  });
  const result = await moveMessages(M, [12, 13], "Archiv", { uid: true, plainExpunge: true });
  assert.deepEqual(result, { expunged: true });
  assert.deepEqual(commands(server.receivedText).slice(-1), ["EXPUNGE"]);
  await done();
});

test("moveMessages: with MOVE, one MOVE; COPYUID from the untagged OK (RFC 6851)", async () => {
  const move = ["* OK [COPYUID 9 4 40] Moved", "* 1 EXPUNGE", "{tag} OK Move completed"];
  const { M, server, done } = await selected({
    MOVE: replies(...move),
    UID: uid({ MOVE: move }),
  }, "MOVE UIDPLUS");
  assert.deepEqual(await moveMessages(M, 1, "Trash"), {
    uidValidity: 9,
    uidMap: new Map([[4, 40]]),
    expunged: true,
  });
  assert.deepEqual(await moveMessages(M, 4, "Trash", { uid: true }), {
    uidValidity: 9,
    uidMap: new Map([[4, 40]]),
    expunged: true,
  });
  assert.deepEqual(commands(server.receivedText, /MOVE/), ['MOVE 1 "Trash"', 'UID MOVE 4 "Trash"']);
  await done();
});

test("copyMessages: an earlier COPYUID is not reported for a COPY without one", async () => {
  const { M, server, done } = await selected({
    COPY: (s, c) => {
      s.line(c.args.startsWith("1 ") ? `${c.tag} OK [COPYUID 5 1 9] Done` : `${c.tag} OK Done`);
    },
  }, "UIDPLUS");
  await M.copy("1", "A"); // imaplib leaves the code in the store
  assert.deepEqual(await copyMessages(M, 2, "A"), {});
  assert.deepEqual(await copyMessages(M, [], "A"), {});
  // Control characters are not printable ASCII: modified UTF-7 encodes them, no injection.
  await copyMessages(M, 3, "a\r\nA2 LOGOUT");
  assert.deepEqual(commands(server.receivedText, /^COPY/), [
    "COPY 1 A",
    'COPY 2 "A"',
    'COPY 3 "a&AA0ACg-A2 LOGOUT"',
  ]);
  await done();
});

test("NO with a response code throws IMAP4CommandError with the code read", async () => {
  const { M, done } = await selected({
    APPEND: replies("{tag} NO [TRYCREATE] Mailbox doesn't exist: Entwürfe"),
    COPY: replies("{tag} NO [OVERQUOTA] Quota exceeded (mailbox for user is full)"),
  });
  await assert.rejects(appendMessage(M, "Entwürfe", "x"), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError && e instanceof IMAP4Error);
    assert.equal(e.command, "APPEND");
    assert.equal(e.status, "NO");
    assert.equal(e.code?.code, "TRYCREATE");
    assert.equal(e.responseText, "[TRYCREATE] Mailbox doesn't exist: Entwürfe");
    assert.equal(e.message, "APPEND failed: NO [TRYCREATE] Mailbox doesn't exist: Entwürfe");
    return true;
  });
  await assert.rejects(copyMessages(M, "1:2", "Archiv"), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.command, "COPY");
    assert.equal(e.code?.code, "OVERQUOTA");
    return true;
  });
  await done();
});

test("BAD throws IMAP4CommandError with status, code and text (quotes and 8-bit kept)", async () => {
  const { M, done } = await selected({
    SEARCH: replies(`{tag} BAD [BADCHARSET (US-ASCII)] Can't do "that" \\ Grüße`),
    UID: uid({ STORE: ["{tag} BAD Error in IMAP command UID STORE: Invalid flag"] }),
  });
  await assert.rejects(searchMessages(M, { subject: "x" }), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.status, "BAD");
    assert.equal(e.command, "SEARCH");
    assert.equal(e.responseText, `[BADCHARSET (US-ASCII)] Can't do "that" \\ Grüße`);
    assert.deepEqual(e.code?.charsets, ["US-ASCII"]);
    assert.ok(e.cause instanceof IMAP4Error); // imaplib's error, kept
    return true;
  });
  await assert.rejects(setFlags(M, 1, ["x"], { uid: true }), (e: unknown) => {
    assert.ok(e instanceof IMAP4CommandError);
    assert.equal(e.command, "UID STORE");
    assert.equal(e.status, "BAD");
    assert.equal(e.code, undefined);
    return true;
  });
  await done();
});

test("fetchMessages: NO from the FETCH throws from the iterator; other responses dropped", async () => {
  const { M, done } = await selected({
    FETCH: (s, c) => {
      s.line("* 3 EXISTS");
      s.line("* 1 FETCH (UID 7 FLAGS (\\Seen))");
      s.line("* 2 FETCH (FLAGS (\\Deleted))"); // unsolicited: no UID
      s.line(`${c.tag} NO [SERVERBUG] Some messages could not be read`);
    },
  });
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const msg of fetchMessages(M, "1:*", { flags: true })) seen.push(msg.uid!);
    })(),
    (e: unknown) => {
      assert.ok(e instanceof IMAP4CommandError);
      assert.equal(e.command, "FETCH");
      assert.equal(e.code?.code, "SERVERBUG");
      return true;
    },
  );
  assert.deepEqual(seen, [7]);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("fetchMessages: the query becomes FETCH items, by capability", async () => {
  const fetch: CommandHandler = (s, c) => s.line(`${c.tag} OK Fetch completed`);
  const query = {
    uid: true,
    flags: true,
    envelope: true,
    bodyStructure: true,
    size: true,
    internalDate: true,
    source: true,
    headers: ["Subject", "List-Id"],
    bodyParts: ["1.2", "TEXT", "2.MIME"],
    modseq: true,
    emailId: true,
    threadId: true,
    labels: true,
  };
  for (
    const [capabilities, items] of [
      ["", ""],
      ["CONDSTORE OBJECTID", " MODSEQ EMAILID THREADID"],
      ["X-GM-EXT-1", " X-GM-MSGID X-GM-THRID X-GM-LABELS"],
    ]
  ) {
    const { M, server, done } = await selected({ FETCH: fetch, UID: fetch }, capabilities);
    for await (const _ of fetchMessages(M, [5, 1, 2, 3], query, { changedSince: 9n })) {
      assert.fail("no messages");
    }
    for await (const _ of fetchMessages(M, "7:*", { headers: true }, { uid: true })) {
      assert.fail("no messages");
    }
    for await (const _ of fetchMessages(M, [], query)) assert.fail("nothing sent");
    assert.deepEqual(commands(server.receivedText, /FETCH/), [
      "FETCH 1:3,5 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE" + items +
      " BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (Subject List-Id)] BODY.PEEK[1.2] BODY.PEEK[TEXT]" +
      " BODY.PEEK[2.MIME]) (CHANGEDSINCE 9)",
      "UID FETCH 7:* (UID BODY.PEEK[HEADER])",
    ], capabilities);
    await done();
  }
});

test("typed methods refuse bad arguments before sending anything", async () => {
  const { M, server, done } = await selected({});
  const before = server.receivedText;
  const refused: [string, () => Promise<unknown>][] = [
    ["set with a space", () => addFlags(M, "1 2", ["\\Seen"])],
    ["set injection", () => addFlags(M, "1) (", ["\\Seen"])],
    ["flag with a space", () => addFlags(M, 1, ["\\Seen x"])],
    ["flag with a paren", () => addFlags(M, 1, ["a)"])],
    ["flag \\*", () => addFlags(M, 1, ["\\*"])],
    ["keyword with a backslash", () => searchMessages(M, { keyword: "\\Seen" })],
    ["unknown search key", () => searchMessages(M, { unseen: true } as never)],
    ["header name with a colon", () => searchMessages(M, { header: { "X:Y": "z" } })],
    ["field name with a space", () => fetchMessages(M, 1, { headers: ["A B"] }).next()],
    ["body part with a bracket", () => fetchMessages(M, 1, { bodyParts: ["1]"] }).next()],
  ];
  for (const [name, call] of refused) {
    await assert.rejects(call(), IMAP4ArgumentError, name);
  }
  await assert.rejects(searchMessages(M, { since: "2025-13-45" }), RangeError);
  await assert.rejects(searchMessages(M, { larger: -1 }), IMAP4ArgumentError);
  assert.equal(server.receivedText, before);
  await done();
});

test("listMailboxes: special use, decoded names, STATUS only for selectable mailboxes", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    capabilities: "SPECIAL-USE",
    handlers: {
      LIST: replies(
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Drafts) "/" "Entw&APw-rfe"',
        '* LIST (\\Noselect \\HasChildren) "/" "&ZeVnLIqe-"',
        '* LIST (\\HasNoChildren \\Sent) "/" "&ZeVnLIqe-/&W1A-"',
        "{tag} OK List completed",
      ),
      STATUS: (s, c) => {
        s.line(`* STATUS ${c.args.split(" (")[0]} (MESSAGES 4)`);
        s.line(`${c.tag} OK Status completed`);
      },
    },
  });
  const boxes = await listMailboxes(M, { pattern: "*", statusItems: { messages: true } });
  assert.deepEqual(
    boxes.map((b) => [b.path, b.name, b.delimiter, b.specialUse, b.status?.messages]),
    [
      ["INBOX", "INBOX", "/", "\\Inbox", 4],
      ["Entwürfe", "Entwürfe", "/", "\\Drafts", 4],
      ["日本語", "日本語", "/", undefined, undefined],
      ["日本語/子", "子", "/", "\\Sent", 4],
    ],
  );
  assert.deepEqual(commands(server.receivedText, /^(LIST|STATUS)/), [
    'LIST "" "*"',
    'STATUS "INBOX" (MESSAGES)',
    'STATUS "Entw&APw-rfe" (MESSAGES)',
    'STATUS "&ZeVnLIqe-/&W1A-" (MESSAGES)',
  ]);
  await done();
});

test("selectMailbox: condstore from a selected mailbox leaves it with UNSELECT, never CLOSE", async () => {
  const select: CommandHandler = (s, c) => {
    s.line("* 4 EXISTS");
    s.line("* OK [HIGHESTMODSEQ 715194045007] Highest");
    s.line(`${c.tag} OK [READ-WRITE] Select completed`);
  };
  {
    const { M, done } = await selected({ SELECT: select }, "ENABLE CONDSTORE");
    await assert.rejects(selectMailbox(M, "INBOX", { condstore: true }), (e: unknown) => {
      assert.ok(e instanceof IMAP4Error && !(e instanceof IMAP4CommandError));
      assert.match(e.message, /UNSELECT/);
      return true;
    });
    await done();
  }
  const { M, server, done } = await selected({
    SELECT: select,
    UNSELECT: replies("{tag} OK Unselect completed"),
    ENABLE: replies("* ENABLED CONDSTORE", "{tag} OK Enabled"),
  }, "ENABLE CONDSTORE UNSELECT");
  const box = await selectMailbox(M, "INBOX", { condstore: true });
  assert.equal(box.highestModseq, 715194045007n);
  assert.equal(box.exists, 4);
  await selectMailbox(M, "INBOX", { condstore: true }); // enabled once per client
  assert.deepEqual(commands(server.receivedText, /^(UNSELECT|ENABLE|SELECT ")/), [
    "UNSELECT",
    "ENABLE CONDSTORE",
    'SELECT "INBOX"',
    'SELECT "INBOX"',
  ]);
  await done();
});

test("a signal that fired before the call: IMAP4CancelledError, nothing sent", async () => {
  const { M, server, done } = await selected({});
  const before = server.receivedText;
  const signal = AbortSignal.abort(new Error("stop"));
  for (
    const [method, call] of [
      ["searchMessages()", () => searchMessages(M, {}, { signal })],
      ["addFlags()", () => addFlags(M, 1, ["\\Seen"], { signal })],
      ["moveMessages()", () => moveMessages(M, 1, "A", { signal })],
      ["fetchMessages()", () => fetchMessages(M, 1, {}, { signal }).next()],
      ["listMailboxes()", () => listMailboxes(M, { signal })],
    ] as const
  ) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof IMAP4CancelledError && e instanceof IMAP4Error);
      assert.equal(e.message, `${method} cancelled: stop`);
      assert.equal((e.cause as Error).message, "stop");
      return true;
    });
  }
  assert.equal(server.receivedText, before);
  await done();
});

test("selectMailbox: absent data stays absent; NOMODSEQ, READ-ONLY; a read-only SELECT", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    handlers: {
      EXAMINE: replies(
        "* FLAGS (\\Seen $Junk)",
        "* 7 EXISTS",
        "* OK [NOMODSEQ] No permanent modsequences",
        "{tag} OK [READ-ONLY] Examine completed",
      ),
      SELECT: replies("* 0 EXISTS", "{tag} OK [READ-ONLY] Select completed"),
    },
  });
  const box = await selectMailbox(M, "Geteilt/Übersicht", { readOnly: true });
  assert.deepEqual(box, {
    path: "Geteilt/Übersicht",
    exists: 7,
    flags: new Set(["\\Seen", "$Junk"]),
    readOnly: true,
    noModseq: true,
  });
  assert.match(server.receivedText, / EXAMINE "Geteilt\/&ANw-bersicht"\r\n/);
  // imaplib's select() raises IMAP4.readonly here; the typed method lets it through.
  await assert.rejects(selectMailbox(M, "INBOX"), IMAP4Readonly);
  await selectMailbox(M, "INBOX", { readOnly: true }); // as imaplib asks: select again
  await done();
});

test("getQuota: a root named without its QUOTA is asked with GETQUOTA; without QUOTA, null", async () => {
  // A server that names two roots and reports one (RFC 9208 allows it); Dovecot reports all.
  const { M, server, done } = await selected({
    GETQUOTAROOT: (s, c) => {
      s.line('* QUOTAROOT "Entw&APw-rfe" "" "Shared \\"team\\""');
      s.line('* QUOTA "" (STORAGE 10 512 MESSAGE 3 1000)');
      s.line(`${c.tag} OK Getquotaroot completed`);
    },
    GETQUOTA: (s, c) => {
      s.line('* QUOTA "Shared \\"team\\"" (STORAGE 100 2048)');
      s.line(`${c.tag} OK Getquota completed`);
    },
  }, "QUOTA");
  const quota = await getQuota(M, "Entwürfe");
  assert.deepEqual(commands(server.receivedText), [
    'GETQUOTAROOT "Entw&APw-rfe"',
    'GETQUOTA "Shared \\"team\\""',
  ]);
  assert.equal(quota?.quotaRoot, "");
  assert.deepEqual(quota?.quotas.map((q) => q.root), ["", 'Shared "team"']);
  assert.deepEqual(quota?.storage, { used: 10 * 1024, limit: 512 * 1024 });
  assert.deepEqual(quota?.messages, { used: 3, limit: 1000 });
  await done();

  const plain = await selected({});
  assert.equal(await getQuota(plain.M, "INBOX"), null);
  assert.deepEqual(commands(plain.server.receivedText), []);
  await plain.done();
});

test("addFlags / removeFlags / setFlags with useLabels: X-GM-LABELS, names encoded, labels back", async () => {
  // Gmail's X-GM-EXT-1: what Dovecot does not have.
  const { M, server, done } = await selected({
    UID: (s, c) => {
      s.line('* 3 FETCH (X-GM-LABELS ("\\\\Important" "Rechnungen/2026" "Entw&APw-rfe") UID 12)');
      s.line(`${c.tag} OK Success`);
    },
  }, "X-GM-EXT-1");
  const added = await addFlags(M, 12, ["\\Important", "Rechnungen/2026", "Entwürfe"], {
    uid: true,
    useLabels: true,
    silent: true, // does not apply to labels
  });
  assert.deepEqual(added.messages.map((m) => [m.uid, [...m.labels!]]), [
    [12, ["\\Important", "Rechnungen/2026", "Entwürfe"]],
  ]);
  await removeFlags(M, 12, ["Entwürfe"], { uid: true, useLabels: true });
  await setFlags(M, 12, [], { uid: true, useLabels: true });
  assert.deepEqual(commands(server.receivedText), [
    'UID STORE 12 +X-GM-LABELS (\\Important "Rechnungen/2026" "Entw&APw-rfe")',
    'UID STORE 12 -X-GM-LABELS ("Entw&APw-rfe")',
    "UID STORE 12 X-GM-LABELS ()",
  ]);
  await assert.rejects(
    addFlags(M, 12, ['\\Bad"Label'], { uid: true, useLabels: true }),
    IMAP4ArgumentError,
  );
  await done();

  const plain = await selected({});
  await assert.rejects(
    addFlags(plain.M, 1, ["Work"], { useLabels: true }),
    (e) => e instanceof IMAP4Error && /X-GM-EXT-1/.test(e.message),
  );
  assert.deepEqual(commands(plain.server.receivedText), []);
  await plain.done();
});

test("searchMessages on Gmail: gmraw as X-GM-RAW, emailId as X-GM-MSGID", async () => {
  const { M, server, done } = await selected({
    UID: uid({ SEARCH: ["* SEARCH 3 5", "{tag} OK SEARCH completed (Success)"] }),
  }, "X-GM-EXT-1");
  assert.deepEqual(
    await searchMessages(M, { gmraw: "has:attachment", emailId: "1278455344230334865" }, {
      uid: true,
    }),
    [3, 5],
  );
  assert.deepEqual(commands(server.receivedText), [
    'UID SEARCH X-GM-RAW "has:attachment" X-GM-MSGID 1278455344230334865',
  ]);
  await done();
});
