// Known answers for the typed parsers of the other responses: LIST / LSUB / XLIST, STATUS,
// SEARCH, ESEARCH, NAMESPACE, QUOTA / QUOTAROOT, ACL / MYRIGHTS and response codes. Rows are
// wire lines as Dovecot, Gmail, Office 365 or the RFCs' own examples write them.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import {
  type ListEntry,
  parseAcl,
  parseEsearch,
  parseList,
  parseMyRights,
  parseNamespace,
  parseQuota,
  parseQuotaRoot,
  parseResponseCodeTyped,
  parseSearch,
  parseStatus,
  TypedParseError,
  type TypedResponseCode,
} from "../../src/typed/mod.ts";
import { bytes, data, lit } from "./_data.ts";

// --- LIST -------------------------------------------------------------------------------------

type Short = [path: string, flags: string[], specialUse?: string, delimiter?: string | null];

function short(entries: ListEntry[]): Short[] {
  return entries.map((e) => {
    const row: Short = [e.path, [...e.flags]];
    if (e.specialUse !== undefined || e.delimiter !== "/") row.push(e.specialUse);
    if (e.delimiter !== "/") row.push(e.delimiter);
    return row;
  });
}

test("list: Dovecot, Gmail and Office 365 folder lists", () => {
  const dovecot = parseList(data(
    '* LIST (\\HasNoChildren) "/" INBOX\r\n' +
      '* LIST (\\HasNoChildren \\UnMarked \\Drafts) "/" Drafts\r\n' +
      '* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n' +
      '* LIST (\\HasChildren) "/" "Archive"\r\n' +
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive/2024"\r\n' +
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"\r\n',
  ));
  assert.deepEqual(short(dovecot), [
    ["INBOX", ["\\HasNoChildren"], "\\Inbox"],
    ["Drafts", ["\\HasNoChildren", "\\UnMarked", "\\Drafts"], "\\Drafts"],
    ["Sent", ["\\HasNoChildren", "\\Sent"], "\\Sent"],
    ["Archive", ["\\HasChildren"]],
    ["Archive/2024", ["\\HasNoChildren", "\\Archive"], "\\Archive"],
    ["Entwürfe", ["\\HasNoChildren"]],
  ]);
  assert.deepEqual(
    [dovecot[4].name, dovecot[4].parentPath, dovecot[4].parent, dovecot[5].pathAsListed],
    ["2024", "Archive", ["Archive"], "Entw&APw-rfe"],
  );
  const gmail = parseList(data(
    '* LIST (\\HasNoChildren) "/" "INBOX"\r\n' +
      '* LIST (\\HasChildren \\Noselect) "/" "[Gmail]"\r\n' +
      '* LIST (\\All \\HasNoChildren) "/" "[Gmail]/All Mail"\r\n' +
      '* LIST (\\HasNoChildren \\Important) "/" "[Gmail]/Important"\r\n' +
      '* LIST (\\HasNoChildren \\Junk) "/" "[Gmail]/Spam"\r\n' +
      '* LIST (\\Flagged \\HasNoChildren) "/" "[Gmail]/Starred"\r\n' +
      '* LIST (\\HasNoChildren) "/" [Gmail]/Unquoted\r\n', // an atom with brackets (imapflow #204)
  ));
  assert.deepEqual(short(gmail), [
    ["INBOX", ["\\HasNoChildren"], "\\Inbox"],
    ["[Gmail]", ["\\HasChildren", "\\Noselect"]],
    ["[Gmail]/All Mail", ["\\All", "\\HasNoChildren"], "\\All"],
    ["[Gmail]/Important", ["\\HasNoChildren", "\\Important"], "\\Important"],
    ["[Gmail]/Spam", ["\\HasNoChildren", "\\Junk"], "\\Junk"],
    ["[Gmail]/Starred", ["\\Flagged", "\\HasNoChildren"], "\\Flagged"],
    ["[Gmail]/Unquoted", ["\\HasNoChildren"]],
  ]);
  const office365 = parseList(data(
    '* LIST (\\Marked \\HasNoChildren \\Drafts) "/" Drafts\r\n' +
      '* LIST (\\HasNoChildren \\Trash) "/" "Deleted Items"\r\n' +
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk Email"\r\n' +
      '* LIST (\\HasNoChildren \\sent) "/" "Gesendete Elemente"\r\n' + // attribute case
      '* LIST (\\HasNoChildren) "/" "Gel&APY-schte Elemente"\r\n',
  ));
  assert.deepEqual(office365.map((e) => [e.path, e.specialUse]), [
    ["Drafts", "\\Drafts"],
    ["Deleted Items", "\\Trash"],
    ["Junk Email", "\\Junk"],
    ["Gesendete Elemente", "\\Sent"],
    ["Gelöschte Elemente", undefined],
  ]);
});

test("list: XLIST, NIL delimiters, literals, inbox case, LIST-EXTENDED", () => {
  const xlist = parseList(data(
    '* XLIST (\\HasNoChildren \\Inbox) "/" "Inbox"\r\n' +
      '* XLIST (\\HasNoChildren \\Spam) "/" "[Gmail]/Spam"\r\n' +
      '* XLIST (\\HasNoChildren \\AllMail) "/" "[Gmail]/All Mail"\r\n' +
      '* XLIST (\\HasNoChildren \\Starred) "/" "[Gmail]/Starred"\r\n',
  ));
  assert.deepEqual(xlist.map((e) => [e.path, e.specialUse]), [
    ["INBOX", "\\Inbox"],
    ["[Gmail]/Spam", "\\Junk"],
    ["[Gmail]/All Mail", "\\All"],
    ["[Gmail]/Starred", "\\Flagged"],
  ]);
  assert.deepEqual(parseList(data('* LIST (\\Noselect) NIL ""\r\n')), [{
    path: "",
    pathAsListed: "",
    name: "",
    parentPath: "",
    parent: [],
    delimiter: null,
    flags: new Set(["\\Noselect"]),
  }]);
  const [literal] = parseList(data(`* LIST () "." ${lit('has "quote" and \\')}\r\n`));
  assert.deepEqual([literal.path, literal.delimiter, literal.flags.size], [
    'has "quote" and \\',
    ".",
    0,
  ]);
  assert.equal(parseList(data('* LIST () "." inbox\r\n'))[0].path, "INBOX");
  const [fruit, foo] = parseList(data(
    '* LIST () "/" "Fruit" ("CHILDINFO" ("SUBSCRIBED"))\r\n' +
      '* LIST (\\Subscribed) "/" "Foo" ("OLDNAME" ("B&AOQ-r"))\r\n',
  ));
  assert.deepEqual(fruit.childInfo, ["SUBSCRIBED"]);
  assert.equal(foo.oldName, "Bär");
  assert.deepEqual(foo.extended, new Map([["OLDNAME", [bytes("B&AOQ-r")]]]));
});

test("list: UTF-8 names (UTF8=ACCEPT enabled, or raw 8-bit regardless)", () => {
  const wire = '* LIST () "/" "Entwürfe"\r\n* LIST () "/" "Tom &- Jerry"\r\n';
  assert.deepEqual(parseList(data(wire), { utf8: true }).map((e) => e.path), [
    "Entwürfe",
    "Tom &- Jerry",
  ]);
  assert.deepEqual(parseList(data(wire)).map((e) => e.path), ["Entwürfe", "Tom & Jerry"]);
});

test("list: malformed responses throw TypedParseError", () => {
  for (const wire of ['"/" INBOX', '(\\Noselect "/" INBOX', "(\\Noselect)"]) {
    assert.throws(() => parseList([bytes(wire)]), TypedParseError, wire);
  }
});

// --- STATUS -----------------------------------------------------------------------------------

test("status: Dovecot, RFC 9051 items, NIL, unknown items", () => {
  assert.deepEqual(
    parseStatus(data(
      "* STATUS INBOX (MESSAGES 2 RECENT 0 UIDNEXT 3 UIDVALIDITY 1700000000 UNSEEN 1 " +
        "HIGHESTMODSEQ 5)\r\n" +
        '* STATUS "Entw&APw-rfe" (messages 231 uidnext 44292 SIZE 3210 DELETED 1 ' +
        "APPENDLIMIT NIL MAILBOXID (F2212ea87-6097-4256-9d51-71338625) X-FOO (1 2))\r\n" +
        `* STATUS ${lit("a b")} (APPENDLIMIT 1000)\r\n`,
    )),
    [
      {
        path: "INBOX",
        pathAsListed: "INBOX",
        messages: 2,
        recent: 0,
        uidNext: 3,
        uidValidity: 1700000000,
        unseen: 1,
        highestModseq: 5n,
      },
      {
        path: "Entwürfe",
        pathAsListed: "Entw&APw-rfe",
        messages: 231,
        uidNext: 44292,
        size: 3210,
        deleted: 1,
        mailboxId: "F2212ea87-6097-4256-9d51-71338625",
        extra: new Map([["X-FOO", ["1", "2"]]]),
      },
      { path: "a b", pathAsListed: "a b", appendLimit: 1000 },
    ],
  );
  assert.throws(() => parseStatus([bytes("INBOX MESSAGES 2")]), TypedParseError);
  assert.throws(() => parseStatus([bytes("INBOX (MESSAGES x)")]), TypedParseError);
  // 32-bit counts and UIDs (RFC 3501); SIZE and APPENDLIMIT are number64 (RFC 8438, RFC 9051).
  for (const item of ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED"]) {
    const [status] = parseStatus([bytes(`INBOX (${item} 4294967295)`)]);
    assert.equal(Object.values(status).at(-1), 4294967295, item);
    assert.throws(() => parseStatus([bytes(`INBOX (${item} 4294967296)`)]), TypedParseError, item);
  }
  assert.deepEqual(parseStatus([bytes("INBOX (SIZE 6000000000 APPENDLIMIT 6000000000)")]), [
    { path: "INBOX", pathAsListed: "INBOX", size: 6e9, appendLimit: 6e9 },
  ]);
});

// --- SEARCH and ESEARCH -------------------------------------------------------------------------

test("search: numbers, empty results, MODSEQ, several responses", () => {
  assert.deepEqual(parseSearch([bytes("2 84 882")]), [2, 84, 882]);
  assert.deepEqual(parseSearch([bytes("")]), []);
  assert.deepEqual(parseSearch([null]), []);
  assert.deepEqual(parseSearch([]), []);
  assert.deepEqual(parseSearch([bytes("2 5 (MODSEQ 917162500)")]), [2, 5]);
  assert.deepEqual(parseSearch([bytes("1 2"), bytes("3")]), [1, 2, 3]);
  assert.deepEqual(parseSearch([bytes(" 4294967295  ")]), [4294967295]);
  const many = Array.from({ length: 300_000 }, (_, i) => i + 1);
  assert.deepEqual(parseSearch([bytes(many.join(" "))]), many);
  assert.throws(() => parseSearch([bytes("1 two 3")]), TypedParseError);
  assert.throws(() => parseSearch([bytes("1 4294967296")]), TypedParseError);
});

test("esearch: RFC 4731 and RFC 9051 examples", () => {
  const rows: [string, object][] = [
    ['(TAG "A282") MIN 2 COUNT 3', { tag: "A282", uid: false, min: 2, count: 3 }],
    ['(TAG "A283") ALL 2,10:11', { tag: "A283", uid: false, all: "2,10:11" }],
    ['(TAG "A285") UID MIN 7 MAX 3800', { tag: "A285", uid: true, min: 7, max: 3800 }],
    ['(TAG "A301") UID', { tag: "A301", uid: true }],
    ["(TAG A1) uid all 1:3 modseq 12345", { tag: "A1", uid: true, all: "1:3", modseq: 12345n }],
    [
      '(TAG "A4") UID PARTIAL (-1:-100 200:250,252:300) COUNT 1000',
      { tag: "A4", uid: true, partial: { range: "-1:-100", set: "200:250,252:300" }, count: 1000 },
    ],
    ['(TAG "A5") PARTIAL (1:10 NIL)', { tag: "A5", uid: false, partial: { range: "1:10" } }],
    ["COUNT 0", { uid: false, count: 0 }],
    [
      '(TAG "A6") X-FUTURE (1 2) COUNT 2',
      { tag: "A6", uid: false, extra: new Map([["X-FUTURE", ["1", "2"]]]), count: 2 },
    ],
  ];
  for (const [wire, expected] of rows) {
    assert.deepEqual(parseEsearch([bytes(wire)]), [expected], wire);
  }
  assert.throws(() => parseEsearch([bytes("(TAG ")]), TypedParseError);
  assert.throws(() => parseEsearch([bytes("MIN x")]), TypedParseError);
  for (const item of ["MIN", "MAX", "COUNT"]) {
    assert.throws(() => parseEsearch([bytes(`${item} 4294967296`)]), TypedParseError, item);
  }
});

// --- NAMESPACE ----------------------------------------------------------------------------------

test("namespace: RFC 2342 examples, Dovecot, extensions", () => {
  assert.deepEqual(parseNamespace(data('* NAMESPACE (("" "/")) NIL NIL\r\n')), {
    personal: [{ prefix: "", prefixAsListed: "", delimiter: "/" }],
    other: [],
    shared: [],
  });
  const rfc = parseNamespace([
    bytes('(("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/")("#news." "."))'),
  ]);
  assert.deepEqual(rfc.other.map((n) => n.prefix), ["~"]);
  assert.deepEqual(rfc.shared.map((n) => [n.prefix, n.delimiter]), [
    ["#shared/", "/"],
    ["#public/", "/"],
    ["#ftp/", "/"],
    ["#news.", "."],
  ]);
  const cyrus = parseNamespace([bytes('(("INBOX." ".")) NIL (("" NIL))')]);
  assert.deepEqual([cyrus.personal[0].prefix, cyrus.shared[0].delimiter], ["INBOX.", null]);
  const translated = parseNamespace([
    bytes('(("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL (("Gemeinsam&AQ8-/" "/"))'),
  ]);
  assert.deepEqual(
    translated.personal[0].extensions,
    new Map([["X-PARAM", ["FLAG1", "FLAG2"]]]),
  );
  assert.equal(translated.shared[0].prefix, "Gemeinsamď/");
  assert.deepEqual(parseNamespace([]), { personal: [], other: [], shared: [] });
  assert.throws(() => parseNamespace([bytes('(("" "/")) "x" NIL')]), TypedParseError);
});

// --- QUOTA, ACL ---------------------------------------------------------------------------------

test("quota and quotaroot: Dovecot's quota plugin, RFC 9208 examples", () => {
  const [dovecot] = parseQuota(data('* QUOTA "User quota" (STORAGE 10 1024 MESSAGE 3 1000)\r\n'));
  assert.deepEqual(dovecot, {
    root: "User quota",
    resources: new Map([["STORAGE", { usage: 10, limit: 1024 }], ["MESSAGE", {
      usage: 3,
      limit: 1000,
    }]]),
    storage: { used: 10240, limit: 1048576 },
    messages: { used: 3, limit: 1000 },
  });
  assert.deepEqual(parseQuota([bytes('"" (mailbox 2 10)')])[0].resources.get("MAILBOX"), {
    usage: 2,
    limit: 10,
  });
  assert.deepEqual(parseQuota([bytes('"!partition/sda4" ()')])[0].resources.size, 0);
  assert.deepEqual(
    parseQuotaRoot(data('* QUOTAROOT INBOX "User quota"\r\n* QUOTAROOT comp.mail.mime\r\n')),
    [
      { path: "INBOX", pathAsListed: "INBOX", roots: ["User quota"] },
      { path: "comp.mail.mime", pathAsListed: "comp.mail.mime", roots: [] },
    ],
  );
  assert.throws(() => parseQuota([bytes('"x" (STORAGE 1)')]), TypedParseError);
});

test("acl and myrights: RFC 4314 examples, Dovecot's ACL plugin", () => {
  assert.deepEqual(
    parseAcl(data('* ACL INBOX owner lrwstipekxacd "bob smith" lr -fred w\r\n')),
    [{
      path: "INBOX",
      pathAsListed: "INBOX",
      rights: new Map([["owner", "lrwstipekxacd"], ["bob smith", "lr"], ["-fred", "w"]]),
    }],
  );
  assert.deepEqual(parseMyRights(data("* MYRIGHTS INBOX rwiptsldaex\r\n")), [
    { path: "INBOX", pathAsListed: "INBOX", rights: "rwiptsldaex" },
  ]);
  assert.deepEqual(parseMyRights([bytes('"Entw&APw-rfe" lr')])[0].path, "Entwürfe");
  assert.throws(() => parseAcl([bytes("INBOX fred")]), TypedParseError);
});

// --- Response codes -----------------------------------------------------------------------------

test("response codes: the RFCs' codes, typed", () => {
  const rows: [string, TypedResponseCode | null][] = [
    ["[APPENDUID 38505 3955] APPEND completed", {
      code: "APPENDUID",
      raw: "38505 3955",
      text: "APPEND completed",
      uidValidity: 38505,
      uids: "3955",
      uid: 3955,
    }],
    ["[APPENDUID 38505 3955:3957] MULTIAPPEND completed", {
      code: "APPENDUID",
      raw: "38505 3955:3957",
      text: "MULTIAPPEND completed",
      uidValidity: 38505,
      uids: "3955:3957",
    }],
    ["[COPYUID 38505 304,319:320 3956:3958] Done", {
      code: "COPYUID",
      raw: "38505 304,319:320 3956:3958",
      text: "Done",
      uidValidity: 38505,
      sourceUids: "304,319:320",
      destinationUids: "3956:3958",
      uidMap: new Map([[304, 3956], [319, 3957], [320, 3958]]),
    }],
    ["[UIDVALIDITY 3857529045] UIDs valid", {
      code: "UIDVALIDITY",
      raw: "3857529045",
      text: "UIDs valid",
      uidValidity: 3857529045,
    }],
    ["[UIDNEXT 4392] Predicted next UID", {
      code: "UIDNEXT",
      raw: "4392",
      text: "Predicted next UID",
      uidNext: 4392,
    }],
    ["[UNSEEN 12] Message 12 is first unseen", {
      code: "UNSEEN",
      raw: "12",
      text: "Message 12 is first unseen",
      unseen: 12,
    }],
    ["[PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited", {
      code: "PERMANENTFLAGS",
      raw: "(\\Deleted \\Seen \\*)",
      text: "Limited",
      flags: new Set(["\\Deleted", "\\Seen", "\\*"]),
    }],
    ["[HIGHESTMODSEQ 715194045007] Highest", {
      code: "HIGHESTMODSEQ",
      raw: "715194045007",
      text: "Highest",
      highestModseq: 715194045007n,
    }],
    ["[MODIFIED 7,9] Conditional STORE failed", {
      code: "MODIFIED",
      raw: "7,9",
      text: "Conditional STORE failed",
      modified: "7,9",
    }],
    ["[NOMODSEQ] Sorry, this mailbox format doesn't support modsequences", {
      code: "NOMODSEQ",
      text: "Sorry, this mailbox format doesn't support modsequences",
    }],
    ["[READ-ONLY] EXAMINE completed", { code: "READ-ONLY", text: "EXAMINE completed" }],
    ["[READ-WRITE] SELECT completed", { code: "READ-WRITE", text: "SELECT completed" }],
    ["[TRYCREATE] Mailbox doesn't exist: x", {
      code: "TRYCREATE",
      text: "Mailbox doesn't exist: x",
    }],
    ["[ALERT] System shutdown in 10 minutes [really]", {
      code: "ALERT",
      text: "System shutdown in 10 minutes [really]",
    }],
    ["[CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+] Dovecot ready.", {
      code: "CAPABILITY",
      raw: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+",
      text: "Dovecot ready.",
      capabilities: ["IMAP4REV1", "SASL-IR", "LOGIN-REFERRALS", "ID", "ENABLE", "IDLE", "LITERAL+"],
    }],
    ['[BADCHARSET (UTF-8 "US-ASCII")] Unsupported', {
      code: "BADCHARSET",
      raw: '(UTF-8 "US-ASCII")',
      text: "Unsupported",
      charsets: ["UTF-8", "US-ASCII"],
    }],
    ["[BADCHARSET] No", { code: "BADCHARSET", text: "No" }],
    ["[uidnext 5] lower-case name", {
      code: "UIDNEXT",
      raw: "5",
      text: "lower-case name",
      uidNext: 5,
    }],
    // Unknown and non-standard codes are kept raw: Office 365's `[Error="..."]`, `X-` codes.
    ['[Error="Mailbox is full" Code=42] Try later', {
      code: "ERROR",
      raw: '="Mailbox is full" Code=42',
      text: "Try later",
    }],
    ["[X-SOMETHING (a b) c] text", { code: "X-SOMETHING", raw: "(a b) c", text: "text" }],
    // Flags with "]" (imaplib issue 21815): the parentheses keep the code together.
    ["[PERMANENTFLAGS (\\Seen $Label[1])] ok", {
      code: "PERMANENTFLAGS",
      raw: "(\\Seen $Label[1])",
      text: "ok",
      flags: new Set(["\\Seen", "$Label[1]"]),
    }],
    // Data not as the RFC writes it: raw only.
    ["[UIDNEXT soon] text", { code: "UIDNEXT", raw: "soon", text: "text" }],
    // RFC 3501's numbers are 32 bits: past 4294967295 the value is kept raw only.
    ["[UIDNEXT 4294967296] x", { code: "UIDNEXT", raw: "4294967296", text: "x" }],
    ["[UIDVALIDITY 99999999999] x", { code: "UIDVALIDITY", raw: "99999999999", text: "x" }],
    ["[UNSEEN 4294967296] x", { code: "UNSEEN", raw: "4294967296", text: "x" }],
    ["[APPENDUID 4294967296 1] x", { code: "APPENDUID", raw: "4294967296 1", text: "x" }],
    ["[COPYUID 1 a:b 3] x", { code: "COPYUID", raw: "1 a:b 3", text: "x" }],
    ["[COPYUID 1 1:3 7:8] sizes differ", {
      code: "COPYUID",
      raw: "1 1:3 7:8",
      text: "sizes differ",
      uidValidity: 1,
      sourceUids: "1:3",
      destinationUids: "7:8",
    }],
    // No code.
    ["LOGIN completed", null],
    ["[] empty", null],
    ["[UNTERMINATED text", null],
    ["", null],
  ];
  for (const [wire, expected] of rows) {
    assert.deepEqual(parseResponseCodeTyped(wire), expected, wire);
    assert.deepEqual(parseResponseCodeTyped(bytes(wire)), expected, wire);
  }
  // A COPYUID naming a billion UIDs keeps its strings, without a map.
  const huge = parseResponseCodeTyped("[COPYUID 1 1:1000000000 1:1000000000] x");
  assert.equal(huge?.uidMap, undefined);
  assert.equal(huge?.sourceUids, "1:1000000000");
});
