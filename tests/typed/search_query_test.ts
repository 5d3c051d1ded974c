// Known answers for searchMessages()'s command builder: query objects to the SEARCH command as
// it goes on the wire (lines and literals), quoting, CHARSET, dates, nesting, refusals.

import assert from "node:assert/strict";
import { encodeCommand, IMAP4ArgumentError, IMAP4Error, type SearchQuery } from "../../mod.ts";
import { searchArguments, searchDate } from "../../src/typed/client/search_query.ts";
import { test } from "../_harness.ts";

const text = new TextDecoder();

/** The SEARCH command for `query` as wire pieces: lines (CRLF dropped) and `{literal}`s. */
function wire(query: SearchQuery, utf8 = false): string[] {
  return encodeCommand("A1", "SEARCH", searchArguments(query, utf8), { utf8 }).map((f) =>
    f.kind === "line" ? text.decode(f.bytes).replace(/\r\n$/, "") : `{${text.decode(f.bytes)}}`
  );
}

const ROWS: { name: string; query: SearchQuery; utf8?: boolean; wire: string[] }[] = [
  { name: "empty query is ALL", query: {}, wire: ["A1 SEARCH ALL"] },
  {
    name: "flags true and false",
    query: { seen: false, flagged: true, answered: false, deleted: true, draft: false },
    wire: ["A1 SEARCH UNSEEN FLAGGED UNANSWERED DELETED UNDRAFT"],
  },
  {
    name: "recent, new, old",
    query: { recent: false, new: false, old: true },
    wire: ["A1 SEARCH OLD NOT NEW OLD"],
  },
  {
    name: "a string with a double quote and a backslash is quoted and escaped",
    query: { subject: 'say "hi" \\o/' },
    wire: ['A1 SEARCH SUBJECT "say \\"hi\\" \\\\o/"'],
  },
  {
    name: "a string that looks quoted keeps its quotes",
    query: { from: '"Bob"' },
    wire: ['A1 SEARCH FROM "\\"Bob\\""'],
  },
  {
    name: "non-ASCII: CHARSET UTF-8 and a literal",
    query: { subject: "Grüße", from: "bob" },
    wire: ["A1 SEARCH CHARSET UTF-8 SUBJECT {7}", "{Grüße}", ' FROM "bob"'],
  },
  {
    name: "non-ASCII in UTF-8 mode: quoted, no CHARSET",
    query: { subject: "Grüße" },
    utf8: true,
    wire: ['A1 SEARCH SUBJECT "Grüße"'],
  },
  {
    name: "header fields; true means the field exists",
    query: { header: { "X-Mailer": "mutt", "List-Id": true } },
    wire: ['A1 SEARCH HEADER X-Mailer "mutt" HEADER List-Id ""'],
  },
  {
    name: "dates: a Date's UTC day, or YYYY-MM-DD",
    query: {
      since: new Date("2025-03-01T23:30:00-05:00"),
      before: "2025-12-31",
      on: new Date(Date.UTC(2024, 1, 29)),
      sentSince: "2001-01-09",
      sentBefore: new Date(Date.UTC(1999, 11, 31, 23, 59)),
      sentOn: "2020-07-04",
    },
    wire: [
      "A1 SEARCH SINCE 2-Mar-2025 BEFORE 31-Dec-2025 ON 29-Feb-2024 SENTSINCE 9-Jan-2001 " +
      "SENTBEFORE 31-Dec-1999 SENTON 4-Jul-2020",
    ],
  },
  {
    name: "sizes, keywords, sets, modseq, object ids",
    query: {
      larger: 1024,
      smaller: 0,
      keyword: "$Forwarded",
      unKeyword: "Junk",
      uid: [9, 1, 2, 3],
      seq: "1:*",
      modseq: 0n,
      emailId: "M6d99ac3275bb4e",
      threadId: "T64b478a75b7ea9",
    },
    wire: [
      "A1 SEARCH LARGER 1024 SMALLER 0 KEYWORD $Forwarded UNKEYWORD Junk UID 1:3,9 1:* MODSEQ 0 " +
      "EMAILID M6d99ac3275bb4e THREADID T64b478a75b7ea9",
    ],
  },
  {
    name: "or of two single keys",
    query: { or: [{ seen: true }, { flagged: true }] },
    wire: ["A1 SEARCH OR SEEN FLAGGED"],
  },
  {
    name: "or of three, multi-key operands parenthesized",
    query: { or: [{ seen: true, from: "a" }, { flagged: true }, { to: "b", cc: "c" }] },
    wire: ['A1 SEARCH OR (SEEN FROM "a") OR FLAGGED (TO "b" CC "c")'],
  },
  {
    name: "a group ending in a literal ends with ALL) (no `)` right after a literal)",
    query: { not: { seen: true, subject: "ü" } },
    wire: ["A1 SEARCH CHARSET UTF-8 NOT (SEEN SUBJECT {2}", "{ü}", " ALL)"],
  },
  {
    name: "not of one key, or of one query",
    query: { not: { from: "x" }, or: [{ to: "y" }] },
    wire: ['A1 SEARCH NOT FROM "x" TO "y"'],
  },
  {
    name: "nested or inside not",
    query: { not: { or: [{ seen: true }, { deleted: true }] }, all: true },
    wire: ["A1 SEARCH NOT OR SEEN DELETED ALL"],
  },
];

for (const row of ROWS) {
  test(`search query: ${row.name}`, () => {
    assert.deepEqual(wire(row.query, row.utf8), row.wire);
  });
}

test("search query: refusals name the key", () => {
  const bad: [SearchQuery, RegExp][] = [
    [{ seenn: true } as SearchQuery, /unknown key "seenn"/],
    [{ seen: "yes" } as unknown as SearchQuery, /bad value for seen/],
    [{ subject: 5 } as unknown as SearchQuery, /bad value for subject/],
    [{ uid: [] }, /bad value for uid: an empty set/],
    [{ uid: "1 OR 2" }, /not a sequence set/],
    [{ keyword: "a b" }, /not a valid keyword/],
    [{ keyword: "\\Seen" }, /not a valid keyword/],
    [{ header: { "Sub ject": "x" } }, /not a valid header field name/],
    [{ header: { Subject: 5 } } as unknown as SearchQuery, /bad value for header Subject/],
    [{ or: [] }, /bad value for or/],
    [{ larger: 1.5 }, /bad value for larger/],
    [{ emailId: "a b" }, /not a valid emailId/],
  ];
  for (const [query, message] of bad) {
    assert.throws(() => searchArguments(query, false), IMAP4ArgumentError, String(message));
    assert.throws(() => searchArguments(query, false), message);
  }
  assert.throws(() => searchArguments({ modseq: -1 }, false), RangeError);
  assert.throws(() => searchArguments({ since: new Date(NaN) }, false), RangeError);
  assert.throws(() => searchArguments({ since: "1 Jan 2025" }, false), RangeError);
  // CR, LF and NUL in strings are refused by the encoder, before anything is sent.
  assert.throws(() => wire({ subject: "a\r\nA2 LOGOUT" }), IMAP4ArgumentError);
});

test("search query: searchDate writes one- and two-digit days, every month", () => {
  const months = [];
  for (let m = 0; m < 12; m++) months.push(searchDate(new Date(Date.UTC(2025, m, m + 1))));
  assert.deepEqual(months, [
    "1-Jan-2025",
    "2-Feb-2025",
    "3-Mar-2025",
    "4-Apr-2025",
    "5-May-2025",
    "6-Jun-2025",
    "7-Jul-2025",
    "8-Aug-2025",
    "9-Sep-2025",
    "10-Oct-2025",
    "11-Nov-2025",
    "12-Dec-2025",
  ]);
});

test("search query: Gmail's X-GM-RAW, and its names for EMAILID and THREADID", () => {
  const gmail = ["IMAP4REV1", "X-GM-EXT-1"];
  const on = (query: SearchQuery, caps: string[], utf8 = false) =>
    encodeCommand("A1", "SEARCH", searchArguments(query, utf8, caps), { utf8 }).map((f) =>
      f.kind === "line" ? text.decode(f.bytes).replace(/\r\n$/, "") : `{${text.decode(f.bytes)}}`
    );
  assert.deepEqual(on({ gmraw: 'has:attachment "Q3 report"', seen: false }, gmail), [
    'A1 SEARCH X-GM-RAW "has:attachment \\"Q3 report\\"" UNSEEN',
  ]);
  // Non-ASCII Gmail syntax goes as a literal with CHARSET UTF-8, as any search string.
  assert.deepEqual(on({ gmraw: "label:Entwürfe" }, gmail), [
    "A1 SEARCH CHARSET UTF-8 X-GM-RAW {15}",
    "{label:Entwürfe}",
    "",
  ]);
  assert.deepEqual(on({ emailId: "1278455344230334865", threadId: "1266894439832287888" }, gmail), [
    "A1 SEARCH X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888",
  ]);
  // With OBJECTID (RFC 8474) its own keys, Gmail or not; nested queries see the capabilities too.
  assert.deepEqual(on({ not: { emailId: "M6d99" } }, [...gmail, "OBJECTID"]), [
    "A1 SEARCH NOT EMAILID M6d99",
  ]);
  assert.deepEqual(on({ or: [{ threadId: "7" }, { gmraw: "is:starred" }] }, gmail), [
    'A1 SEARCH OR X-GM-THRID 7 X-GM-RAW "is:starred"',
  ]);
  assert.throws(() => searchArguments({ gmraw: "is:starred" }, false, ["IMAP4REV1"]), /X-GM-EXT-1/);
  assert.throws(
    () => searchArguments({ or: [{ seen: true }, { gmraw: "x" }] }, false),
    (e) => e instanceof IMAP4Error && !(e instanceof IMAP4ArgumentError),
  );
  assert.throws(
    () => searchArguments({ gmraw: 5 } as unknown as SearchQuery, false, gmail),
    IMAP4ArgumentError,
  );
});
