// Issue 13 ("Modern IMAP") on scripted servers, for what the fixture Dovecot 2.3 cannot show:
// IMAP4rev2 (RFC 9051; Dovecot 2.3 does not advertise it) with its answers (ESEARCH to SEARCH,
// no RECENT, `* OK [CLOSED]`, UTF-8 mailbox names, LIST-STATUS without the capability names),
// CREATE-SPECIAL-USE (RFC 6154 section 5.1; not in Dovecot 2.3), the fallbacks of servers
// without LIST-EXTENDED or ESEARCH, and hostile ESEARCH sets.

import assert from "node:assert/strict";
import {
  createMailbox,
  enableImap4rev2,
  IMAP4ArgumentError,
  IMAP4CommandError,
  IMAP4Error,
  listMailboxes,
  mailboxChanges,
  moveMessages,
  searchMessages,
  searchSummary,
  selectMailbox,
  statusMailbox,
  TypedParseError,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, replies } from "./_scripted.ts";

/** The command lines the client sent, tags dropped, from the first one matching `from`. */
function commands(received: string, from = /^(?!LOGIN|SELECT|CAPABILITY)/): string[] {
  return received.split("\r\n").filter(Boolean).map((line) => line.replace(/^\S+ /, ""))
    .filter((line) => from.test(line) && !/^LOGOUT$/.test(line));
}

const ENABLE_REV2 = replies("* ENABLED IMAP4rev2", "{tag} OK Enabled");

/** A logged-in client of a server advertising IMAP4rev1 and IMAP4rev2, switched to rev2. */
async function rev2(handlers: Record<string, CommandHandler>, capabilities = "") {
  const scripted = await connectScripted({
    state: "AUTH",
    capabilities: `IMAP4rev2 ENABLE ${capabilities}`.trim(),
    handlers: { ENABLE: ENABLE_REV2, ...handlers },
  });
  assert.equal(await enableImap4rev2(scripted.M), true);
  return scripted;
}

test("enableImap4rev2: ENABLE IMAP4rev2, PROTOCOL_VERSION follows; once only", async () => {
  const { M, server, done } = await rev2({});
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV2");
  assert.equal(await enableImap4rev2(M), true);
  assert.deepEqual(commands(server.receivedText), ["ENABLE IMAP4rev2"]);
  await done();
});

test("enableImap4rev2: false without the capability (nothing sent) or when ENABLED omits it", async () => {
  const plain = await connectScripted({ state: "AUTH", capabilities: "ENABLE" });
  assert.equal(await enableImap4rev2(plain.M), false);
  assert.deepEqual(commands(plain.server.receivedText), []);
  assert.equal(plain.M.PROTOCOL_VERSION, "IMAP4REV1");
  await plain.done();

  const declined = await connectScripted({
    state: "AUTH",
    capabilities: "IMAP4rev2 ENABLE",
    handlers: { ENABLE: replies("* ENABLED", "{tag} OK Nothing enabled") },
  });
  assert.equal(await enableImap4rev2(declined.M), false);
  assert.equal(declined.M.PROTOCOL_VERSION, "IMAP4REV1");
  await declined.done();

  // A server that confirms with OK only (no ENABLED line) is trusted: it advertised rev2.
  const terse = await connectScripted({
    state: "AUTH",
    capabilities: "IMAP4rev2 ENABLE",
    handlers: { ENABLE: replies("{tag} OK Enabled") },
  });
  assert.equal(await enableImap4rev2(terse.M), true);
  await terse.done();
});

test("enableImap4rev2: NO is a typed error; the imaplib face does not record rev2", async () => {
  const { M, done } = await connectScripted({
    state: "AUTH",
    capabilities: "IMAP4rev2 ENABLE",
    handlers: { ENABLE: replies("{tag} NO [CANNOT] Not now") },
  });
  await assert.rejects(
    enableImap4rev2(M),
    (e: unknown) => e instanceof IMAP4CommandError && e.code?.code === "CANNOT",
  );
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV1");
  await done();

  // imaplib's enable() sends the command as CPython does, and leaves PROTOCOL_VERSION alone.
  const face = await connectScripted({
    state: "AUTH",
    capabilities: "IMAP4rev2 ENABLE",
    handlers: { ENABLE: ENABLE_REV2 },
  });
  const [type] = await face.M.enable("IMAP4rev2");
  assert.equal(type, "OK");
  assert.equal(face.M.PROTOCOL_VERSION, "IMAP4REV1");
  await face.done();
});

test("IMAP4rev2: SELECT with * OK [CLOSED] and no RECENT; SEARCH answered by ESEARCH", async () => {
  const { M, server, done } = await rev2({
    SELECT: replies(
      "* OK [CLOSED] Previous mailbox closed",
      "* 5 EXISTS",
      "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
      "* OK [UIDVALIDITY 3857529045] UIDs valid",
      "* OK [UIDNEXT 4392] Predicted next UID",
      '* LIST () "/" INBOX',
      "{tag} OK [READ-WRITE] SELECT completed",
    ),
    SEARCH: replies('* ESEARCH (TAG "{tag}") ALL 1:3,5', "{tag} OK SEARCH completed"),
    LIST: replies('* LIST (\\HasNoChildren) "/" Archiv', "{tag} OK LIST completed"),
    UID: replies(
      // An ESEARCH of another command (an older tag) is not this command's answer.
      '* ESEARCH (TAG "X999") UID ALL 7',
      '* ESEARCH (TAG "{tag}") UID ALL 4390:4391,4388',
      "{tag} OK UID SEARCH completed",
    ),
  });
  const box = await selectMailbox(M, "INBOX");
  assert.equal(box.exists, 5);
  // SELECT's `* LIST` stays out of a later listing.
  assert.deepEqual((await listMailboxes(M)).map((b) => b.path), ["Archiv"]);
  assert.equal(box.uidNext, 4392);
  assert.equal("recent" in box, false);
  assert.deepEqual(await searchMessages(M, { seen: false }), [1, 2, 3, 5]);
  assert.deepEqual(await searchMessages(M, {}, { uid: true }), [4390, 4391, 4388]);
  // rev2 implies ESEARCH: searchSummary asks for RETURN even without the capability name.
  // (This server answers ALL only; the count is then read from the set, not expanded.)
  assert.deepEqual(await searchSummary(M, {}, { returns: ["all", "count"] }), {
    count: 4,
    all: [1, 2, 3, 5],
  });
  assert.deepEqual(commands(server.receivedText, /SEARCH/), [
    "SEARCH UNSEEN",
    "UID SEARCH ALL",
    "SEARCH RETURN (ALL COUNT) ALL",
  ]);
  await done();
});

test("IMAP4rev2: an ESEARCH with no ALL is no match; a broken set is a TypedParseError", async () => {
  let broken = false;
  const { M, done } = await rev2({
    SEARCH: (s, c) => {
      s.line(`* ESEARCH (TAG "${c.tag}")${broken ? " ALL 3:x" : ""}`);
      s.line(`${c.tag} OK SEARCH completed`);
    },
    NOOP: replies("{tag} OK NOOP completed"),
  });
  await M.select();
  assert.deepEqual(await searchMessages(M, { seen: false }), []);
  broken = true;
  await assert.rejects(searchMessages(M, { seen: false }), TypedParseError);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("IMAP4rev2: STATUS without RECENT, with SIZE and DELETED", async () => {
  const { M, server, done } = await rev2({
    STATUS: replies(
      '* STATUS "INBOX" (MESSAGES 17 UIDNEXT 4392 SIZE 35016 DELETED 2)',
      "{tag} OK STATUS completed",
    ),
  });
  const status = await statusMailbox(M, "INBOX", {
    messages: true,
    recent: true,
    uidNext: true,
    size: true,
    deleted: true,
  });
  assert.deepEqual(
    [status.messages, status.recent, status.uidNext, status.size, status.deleted],
    [17, undefined, 4392, 35016, 2],
  );
  assert.deepEqual(commands(server.receivedText, /^STATUS/), [
    'STATUS "INBOX" (MESSAGES UIDNEXT SIZE DELETED)',
  ]);
  await done();
});

test("IMAP4rev2: LIST-EXTENDED and LIST-STATUS built in; UTF-8 names, \\NonExistent", async () => {
  const { M, server, done } = await rev2({
    LIST: replies(
      '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
      "* STATUS INBOX (MESSAGES 3 UNSEEN 1)",
      '* LIST (\\NonExistent \\HasChildren) "/" "Archiv"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Archiv/Entwürfe"',
      '* STATUS "Archiv/Entwürfe" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" "A&B"',
      '* STATUS "A&B" (MESSAGES 9 UNSEEN 0)',
      "{tag} OK LIST completed",
    ),
    CREATE: async (s, c) => {
      if (/\{\d+\+\}$/.test(c.args)) await s.readLine(); // the name, a literal
      s.line(`${c.tag} OK CREATE completed`);
    },
  }, "LITERAL+");
  const boxes = await listMailboxes(M, { statusItems: { messages: true, unseen: true } });
  assert.deepEqual(
    boxes.map((b) => [b.path, b.specialUse, b.subscribed, b.status?.messages, b.status?.unseen]),
    [
      ["INBOX", "\\Inbox", true, 3, 1],
      ["Archiv", undefined, false, undefined, undefined],
      ["Archiv/Entwürfe", "\\Drafts", false, 0, 0],
      // In IMAP4rev2 names are UTF-8 (RFC 9051 section 5.1): "&" is not modified UTF-7.
      ["A&B", "\\Sent", true, 9, 0],
    ],
  );
  // Names are sent as UTF-8 (as a literal: the connection is not in UTF8=ACCEPT mode).
  await createMailbox(M, "Entwürfe");
  assert.deepEqual(
    commands(server.receivedText, /^(LIST|STATUS|CREATE|Entw)/),
    [
      'LIST "" "*" RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))',
      "CREATE {9+}",
      "Entwürfe",
    ].map((line) => line.replace("Entwürfe", "Entw\u00c3\u00bcrfe")),
  );
  await done();
});

test("listMailboxes without LIST-EXTENDED: LIST, STATUS per mailbox, LSUB, filtered special use", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    handlers: {
      LIST: replies(
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        "{tag} OK List completed",
      ),
      LSUB: replies('* LSUB () "/" Sent', "{tag} OK Lsub completed"),
      STATUS: (s, c) => {
        s.line(`* STATUS ${c.args.split(" (")[0]} (MESSAGES 4)`);
        s.line(`${c.tag} OK Status completed`);
      },
    },
  });
  const all = await listMailboxes(M, { statusItems: { messages: true } });
  assert.deepEqual(all.map((b) => [b.path, b.subscribed, b.status?.messages]), [
    ["INBOX", undefined, 4],
    ["Sent", undefined, 4],
  ]);
  const subscribed = await listMailboxes(M, { subscribedOnly: true });
  assert.deepEqual(subscribed.map((b) => [b.path, b.subscribed]), [["Sent", true]]);
  const special = await listMailboxes(M, { specialUseOnly: true });
  assert.deepEqual(special.map((b) => [b.path, b.specialUse]), [["Sent", "\\Sent"]]);
  assert.deepEqual(commands(server.receivedText, /^(LIST|LSUB|STATUS)/), [
    'LIST "" "*"',
    'STATUS "INBOX" (MESSAGES)',
    'STATUS "Sent" (MESSAGES)',
    'LSUB "" "*"',
    'LIST "" "*"',
  ]);
  await done();
});

test("listMailboxes with LIST-EXTENDED but not SPECIAL-USE or LIST-STATUS: only what it has", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    capabilities: "LIST-EXTENDED",
    handlers: {
      LIST: replies('* LIST (\\Subscribed) "." INBOX', "{tag} OK List completed"),
      STATUS: replies("* STATUS INBOX (UNSEEN 2)", "{tag} OK Status completed"),
    },
  });
  const [inbox] = await listMailboxes(M, { subscribedOnly: true, statusItems: { unseen: true } });
  assert.deepEqual([inbox.path, inbox.subscribed, inbox.status?.unseen], ["INBOX", true, 2]);
  assert.deepEqual(commands(server.receivedText, /^(LIST|STATUS)/), [
    'LIST (SUBSCRIBED) "" "*" RETURN (SUBSCRIBED CHILDREN)',
    'STATUS "INBOX" (UNSEEN)',
  ]);
  await done();
});

test("searchSummary without ESEARCH: a plain SEARCH, summarized here", async () => {
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    handlers: { SEARCH: replies("* SEARCH 9 2 4 3", "{tag} OK Search completed") },
  });
  assert.deepEqual(await searchSummary(M, { seen: false }), {
    min: 2,
    max: 9,
    count: 4,
    all: [2, 3, 4, 9],
  });
  assert.deepEqual(await searchSummary(M, {}, { returns: ["min"] }), { min: 2 });
  assert.deepEqual(commands(server.receivedText, /SEARCH/), ["SEARCH UNSEEN", "SEARCH ALL"]);
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    searchSummary(M, {}, { returns: ["median" as any] }),
    IMAP4ArgumentError,
  );
  await done();
});

test("searchSummary: RFC 4731's example; MODSEQ; an absurd ALL set refused, connection usable", async () => {
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    capabilities: "ESEARCH",
    handlers: {
      UID: replies(
        '* ESEARCH (TAG "{tag}") UID MIN 2 MAX 9 COUNT 4 ALL 2:4,9 MODSEQ 917162500',
        "{tag} OK UID SEARCH completed",
      ),
      SEARCH: replies('* ESEARCH (TAG "{tag}") COUNT 4294967295 ALL 1:4294967295', "{tag} OK"),
      NOOP: replies("{tag} OK NOOP completed"),
    },
  });
  assert.deepEqual(await searchSummary(M, { seen: false }, { uid: true }), {
    min: 2,
    max: 9,
    count: 4,
    all: [2, 3, 4, 9],
    modseq: 917162500n,
  });
  await assert.rejects(
    searchSummary(M, {}),
    (e: unknown) => e instanceof RangeError && /limit/.test(e.message),
  );
  // The same set through searchMessages (a server answering SEARCH with ESEARCH).
  await assert.rejects(searchMessages(M, {}), RangeError);
  // Only COUNT asked: the set is never expanded.
  assert.deepEqual(await searchSummary(M, {}, { returns: ["count"] }), { count: 4294967295 });
  const [type] = await M.noop();
  assert.equal(type, "OK");
  assert.deepEqual(commands(server.receivedText, /SEARCH/), [
    "UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN",
    "SEARCH RETURN (MIN MAX COUNT ALL) ALL",
    "SEARCH ALL",
    "SEARCH RETURN (COUNT) ALL",
  ]);
  await done();
});

test("createMailbox specialUse: CREATE ... (USE (\\Sent)) with CREATE-SPECIAL-USE; USEATTR", async () => {
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    capabilities: "SPECIAL-USE CREATE-SPECIAL-USE",
    handlers: {
      CREATE: (s, c) =>
        s.line(
          c.args.includes("\\Flagged")
            ? `${c.tag} NO [USEATTR] \\Flagged not supported here`
            : `${c.tag} OK Create completed`,
        ),
    },
  });
  await createMailbox(M, "Gesendet", { specialUse: "\\Sent" });
  await assert.rejects(
    createMailbox(M, "Wichtig", { specialUse: "\\Flagged" }),
    (e: unknown) => e instanceof IMAP4CommandError && e.code?.code === "USEATTR",
  );
  for (const bad of ["Sent", "\\Sent) (x", "\\"]) {
    await assert.rejects(createMailbox(M, "X", { specialUse: bad }), IMAP4ArgumentError, bad);
  }
  assert.deepEqual(commands(server.receivedText, /^CREATE/), [
    'CREATE "Gesendet" (USE (\\Sent))',
    'CREATE "Wichtig" (USE (\\Flagged))',
  ]);
  await done();
});

test("enableImap4rev2 with a mailbox selected: imaplib's state error, nothing sent", async () => {
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    capabilities: "IMAP4rev2 ENABLE",
  });
  await assert.rejects(enableImap4rev2(M), IMAP4Error);
  assert.deepEqual(commands(server.receivedText, /^ENABLE/), []);
  await done();
});

test("IMAP4rev2: moveMessages' fallback reads the UIDs from ESEARCH", async () => {
  const { M, server, done } = await rev2({
    UID: (s, c) => {
      const sub = c.args.split(" ")[0].toUpperCase();
      if (sub === "SEARCH") s.line(`* ESEARCH (TAG "${c.tag}") UID ALL 12:13`);
      if (sub === "COPY") s.line(`${c.tag} OK [COPYUID 77 12:13 501:502] Copy completed`);
      else s.line(`${c.tag} OK ${sub} completed`);
    },
  }, "UIDPLUS");
  await M.select();
  const result = await moveMessages(M, "2:3", "Archiv");
  assert.deepEqual(result, {
    uidValidity: 77,
    uidMap: new Map([[12, 501], [13, 502]]),
    expunged: true,
  });
  assert.deepEqual(commands(server.receivedText, /^UID/), [
    "UID SEARCH 2:3",
    'UID COPY 12:13 "Archiv"',
    "UID STORE 12:13 +FLAGS.SILENT (\\Deleted)",
    "UID EXPUNGE 12:13",
  ]);
  await done();
});

test("IMAP4rev2: mailboxChanges (UIDs path) reads UID SEARCH ALL from ESEARCH", async () => {
  const { M, server, done } = await rev2({
    EXAMINE: replies(
      "* 3 EXISTS",
      "* OK [UIDVALIDITY 7] UIDs valid",
      "* OK [UIDNEXT 12] Predicted next UID",
      "{tag} OK [READ-ONLY] EXAMINE completed",
    ),
    UID: (s, c) => {
      if (/^SEARCH/i.test(c.args)) s.line(`* ESEARCH (TAG "${c.tag}") UID ALL 4,9:11`);
      else s.line("* 1 FETCH (UID 4 FLAGS (\\Seen))");
      s.line(`${c.tag} OK done`);
    },
  });
  const changes = await mailboxChanges(M, "INBOX", {
    uidValidity: 7,
    uidNext: 10,
    uids: "3:4,9",
  }, { method: "uids" });
  assert.deepEqual(
    [changes.newUids, changes.vanished, changes.changed.map((m) => m.uid), changes.state.uids],
    [[10, 11], [3], [4], "4,9:11"],
  );
  assert.deepEqual(commands(server.receivedText, /^UID/), [
    "UID SEARCH ALL",
    "UID FETCH 4,9 (UID FLAGS)",
  ]);
  await done();
});

test("IMAP4rev2 only: a server without IMAP4rev1 is accepted, in rev2 mode from its greeting", async () => {
  const scripted = await connectScripted({
    handlers: {
      CAPABILITY: replies("* CAPABILITY IMAP4rev2 AUTH=PLAIN", "{tag} OK done"),
      LOGIN: replies("{tag} OK [CAPABILITY IMAP4rev2] Logged in"),
      SEARCH: replies('* ESEARCH (TAG "{tag}") ALL 2:3', "{tag} OK done"),
      SELECT: replies("* 3 EXISTS", "{tag} OK [READ-WRITE] done"),
    },
  });
  const { M } = scripted;
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV2");
  await M.login("u", "p");
  await selectMailbox(M, "INBOX");
  assert.deepEqual(await searchMessages(M, { all: true }), [2, 3]);
  assert.equal(await enableImap4rev2(M), true, "already on: nothing to enable");
  assert.doesNotMatch(scripted.server.receivedText, /ENABLE/);
  await scripted.done();
});
