// Known answers for parseFetch / parseFetchResponse: FETCH responses as servers send them
// (RFC 3501's own example, Dovecot, Gmail, Exchange / Office 365 and the quirks reported against
// other clients, each row naming its source), written as wire text and turned into imaplib's
// data shape by _data.ts.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import {
  type BodyStructure,
  type FetchMessage,
  FLAG_COLORS,
  type FlagColor,
  flagColor,
  parseFetch,
  parseFetchResponse,
  TypedParseError,
} from "../../src/typed/mod.ts";
import { IMAP4ArgumentError } from "../../src/errors.ts";
import { colorFlags } from "../../src/typed/flag_color.ts";
import { bytes, data, lit, text } from "./_data.ts";

const d = (iso: string) => new Date(iso);

function one(wire: string): FetchMessage {
  const msgs = parseFetch(data(wire));
  assert.equal(msgs.length, 1, "one message");
  return msgs[0];
}

// --- Flags, dates, sizes, ids -------------------------------------------------------------------

test("fetch: RFC 3501 section 7.4.2's example (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)", () => {
  const msg = one(
    `* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ` +
      `ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ` +
      `(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" ` +
      `"cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" ` +
      `"cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL ` +
      `"KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ` +
      `("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n`,
  );
  const terry = [{ name: "Terry Gray", address: "gray@cac.washington.edu" }];
  assert.deepEqual(
    msg,
    {
      seq: 12,
      flags: new Set(["\\Seen"]),
      internalDate: d("1996-07-17T09:44:25Z"),
      size: 4286,
      envelope: {
        date: d("1996-07-17T09:23:25Z"),
        subject: "IMAP4rev1 WG mtg summary and minutes",
        from: terry,
        sender: terry,
        replyTo: terry,
        to: [{ address: "imap@cac.washington.edu" }],
        cc: [{ address: "minutes@CNRI.Reston.VA.US" }, {
          name: "John Klensin",
          address: "KLENSIN@MIT.EDU",
        }],
        messageId: "<B27397-0100000@cac.washington.edu>",
      },
      bodyStructure: {
        part: "1",
        type: "text/plain",
        parameters: { charset: "US-ASCII" },
        encoding: "7bit",
        size: 3028,
        lineCount: 92,
      },
    } satisfies FetchMessage,
  );
});

test("flag colours: Apple Mail's three bits both ways, as imapflow reads and writes them", () => {
  // [keywords with \Flagged, colour]: the number the bits write, 7 (no colour) as red.
  const table: [string[], FlagColor][] = [
    [[], "red"],
    [["$MailFlagBit0"], "orange"],
    [["$MailFlagBit1"], "yellow"],
    [["$MailFlagBit0", "$MailFlagBit1"], "green"],
    [["$MailFlagBit2"], "blue"],
    [["$MailFlagBit0", "$MailFlagBit2"], "purple"],
    [["$MailFlagBit1", "$MailFlagBit2"], "grey"],
    [["$MailFlagBit0", "$MailFlagBit1", "$MailFlagBit2"], "red"],
  ];
  for (const [bits, color] of table) {
    const line = `1 (FLAGS (\\Seen \\Flagged ${bits.join(" ")}))`;
    assert.equal(parseFetch(data(line))[0].flagColor, color, line);
    assert.equal(flagColor(new Set(["\\Flagged", ...bits])), color);
    if (bits.length < 3) {
      assert.deepEqual(colorFlags(color), {
        add: ["\\Flagged", ...bits],
        remove: ["$MailFlagBit0", "$MailFlagBit1", "$MailFlagBit2"].filter((b) =>
          !bits.includes(b)
        ),
      });
    }
  }
  // Not flagged: no colour, whatever the bits; no FLAGS: no field.
  assert.equal(flagColor(new Set(["$MailFlagBit0"])), undefined);
  assert.ok(!("flagColor" in parseFetch(data("1 (FLAGS ($MailFlagBit0))"))[0]));
  assert.ok(!("flagColor" in parseFetch(data("1 (UID 4)"))[0]));
  assert.deepEqual(FLAG_COLORS, ["red", "orange", "yellow", "green", "blue", "purple", "grey"]);
  // Writing: imapflow's spellings ("Purple"), null for no flag, anything else refused.
  assert.deepEqual(colorFlags(" Purple " as FlagColor), colorFlags("purple"));
  assert.deepEqual(colorFlags(null), {
    add: [],
    remove: ["\\Flagged", "$MailFlagBit0", "$MailFlagBit1", "$MailFlagBit2"],
  });
  assert.throws(() => colorFlags("pink" as FlagColor), IMAP4ArgumentError);
});

test("fetch: Dovecot UID FETCH with CONDSTORE and OBJECTID items", () => {
  // Dovecot 2.3 answers `UID FETCH 1:* (UID FLAGS MODSEQ EMAILID THREADID)` like this (RFC 8474
  // section 7's example ids; THREADID NIL when threading ids are off).
  const msgs = parseFetch(data(
    "* 1 FETCH (UID 101 FLAGS (\\Seen $Forwarded $label1) MODSEQ (12121231000) " +
      "EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n" +
      "* 2 FETCH (UID 102 FLAGS () MODSEQ (18446744073709551615) EMAILID (M5fdc09b49ea703) " +
      "THREADID NIL)\r\n",
  ));
  assert.deepEqual(msgs, [
    {
      seq: 1,
      uid: 101,
      flags: new Set(["\\Seen", "$Forwarded", "$label1"]),
      modseq: 12121231000n,
      emailId: "M6d99ac3275bb4e",
      threadId: "T64b478a75b7ea9",
    },
    {
      seq: 2,
      uid: 102,
      flags: new Set(),
      modseq: 18446744073709551615n,
      emailId: "M5fdc09b49ea703",
    },
  ]);
});

test("fetch: Gmail X-GM-* items (labels quoted, escaped, modified UTF-7)", () => {
  // Shape from Gmail's IMAP extension docs and MailKit issue 371's transcript.
  const msg = one(
    "* 56697 FETCH (X-GM-THRID 1563190496481790748 X-GM-MSGID 1563491715126921418 " +
      'X-GM-LABELS ("\\\\Sent" \\Inbox Work "Muy Importante" &AMk-t&AOk-) UID 227195 ' +
      'RFC822.SIZE 87705 MODSEQ (10677203) INTERNALDATE "01-Apr-2017 15:51:32 +0000" ' +
      "FLAGS (\\Seen))\r\n",
  );
  assert.deepEqual(msg, {
    seq: 56697,
    gmailThreadId: 1563190496481790748n,
    threadId: "1563190496481790748",
    gmailMessageId: 1563491715126921418n,
    emailId: "1563491715126921418",
    labels: new Set(["\\Sent", "\\Inbox", "Work", "Muy Importante", "Été"]),
    uid: 227195,
    size: 87705,
    modseq: 10677203n,
    internalDate: d("2017-04-01T15:51:32Z"),
    flags: new Set(["\\Seen"]),
  });
});

test("fetch: RFC 8474 ids win over Gmail's when both are sent", () => {
  const msg = one("* 1 FETCH (X-GM-MSGID 42 EMAILID (Mabc) X-GM-THRID 7 THREADID (Tdef))\r\n");
  assert.equal(msg.emailId, "Mabc");
  assert.equal(msg.threadId, "Tdef");
  assert.equal(msg.gmailMessageId, 42n);
  assert.equal(msg.gmailThreadId, 7n);
});

// --- Literals and sections ----------------------------------------------------------------------

test("fetch: sections map to source, headers and bodyParts", () => {
  const msg = one(
    `* 3 FETCH (UID 9 BODY[] ${lit("full\r\n")} BODY[HEADER.FIELDS (SUBJECT FROM)] ` +
      `${lit("Subject: x\r\n\r\n")} BODY[1.2] ${lit("part")} BODY[TEXT] ${lit("text")} ` +
      `BODY[1.MIME] ${lit("mime")} BINARY[2] ${lit("\x00\x01")} RFC822.TEXT "rfc822 text")\r\n`,
  );
  assert.equal(text(msg.source), "full\r\n");
  assert.equal(text(msg.headers), "Subject: x\r\n\r\n");
  assert.deepEqual([...msg.bodyParts!.keys()], ["1.2", "TEXT", "1.MIME", "BINARY[2]"]);
  assert.equal(text(msg.bodyParts!.get("1.2")), "part");
  assert.equal(text(msg.bodyParts!.get("TEXT")), "rfc822 text"); // RFC822.TEXT came last
  assert.deepEqual(msg.bodyParts!.get("BINARY[2]"), new Uint8Array([0, 1]));
});

test("fetch: RFC822, RFC822.HEADER, partial BODY[]<0>, {0} literals, NIL bodies", () => {
  assert.equal(text(one(`* 1 FETCH (RFC822 ${lit("all")})\r\n`).source), "all");
  assert.equal(text(one(`* 1 FETCH (RFC822.HEADER ${lit("h: v\r\n")})\r\n`).headers), "h: v\r\n");
  assert.equal(text(one(`* 1 FETCH (BODY[]<0> ${lit("abc")})\r\n`).source), "abc");
  assert.equal(text(one(`* 1 FETCH (BODY[HEADER] {0}\r\n)\r\n`).headers), "");
  assert.deepEqual(one("* 1 FETCH (BODY[1] NIL BODY[] NIL UID 4)\r\n"), { seq: 1, uid: 4 });
});

test("fetch: item names in any case (servers echoing the client's `body[]`)", () => {
  const msg = one(
    `* 1 FETCH (uid 5 flags (\\seen) body[header] ${lit("h\r\n")} rfc822.size 9)\r\n`,
  );
  assert.deepEqual({ ...msg, headers: text(msg.headers) }, {
    seq: 1,
    uid: 5,
    flags: new Set(["\\seen"]),
    headers: "h\r\n",
    size: 9,
  });
  // Mixed case; names one byte longer than a known one are other items.
  const odd = one(
    `* 2 FETCH (Uid 6 InternalDate "17-Jul-1996 02:44:25 -0700" UIDX 1 RFC822.SIZEX 2)\r\n`,
  );
  assert.equal(odd.uid, 6);
  assert.equal(odd.internalDate?.toISOString(), "1996-07-17T09:44:25.000Z");
  assert.deepEqual(odd.extra, new Map([["UIDX", "1"], ["RFC822.SIZEX", "2"]]));
});

test("fetch: flags are kept as sent, system flags in any spelling, keywords, repeats", () => {
  const msgs = parseFetch(data(
    "* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\Recent))\r\n" +
      "* 2 FETCH (FLAGS (\\seen \\SEEN \\Seenx \\See $Forwarded \\Seen))\r\n",
  ));
  assert.deepEqual(msgs.map((m) => [...m.flags!]), [
    ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent"],
    ["\\seen", "\\SEEN", "\\Seenx", "\\See", "$Forwarded", "\\Seen"],
  ]);
});

test("fetch: unknown items are kept in `extra`, never fatal; BINARY.SIZE read", () => {
  const msg = one(
    '* 1 FETCH (PREVIEW "Hello there" BINARY.SIZE[1] 123 X-FOO (1 "two" NIL (3)) UID 2 ' +
      "X-BAR[sec]<5> x)\r\n",
  );
  assert.equal(msg.uid, 2);
  assert.deepEqual(msg.binarySizes, new Map([["1", 123]]));
  assert.deepEqual(
    msg.extra,
    new Map<string, unknown>([
      ["PREVIEW", bytes("Hello there")],
      ["X-FOO", ["1", bytes("two"), null, ["3"]]],
      ["X-BAR[sec]<5>", "x"],
    ]),
  );
});

test("fetch: several responses, literals in some, stay in order", () => {
  const msgs = parseFetch(data(
    `* 1 FETCH (UID 7 BODY[HEADER] ${lit("Subject: hi\r\n\r\n")})\r\n` +
      "* 2 FETCH (UID 8 FLAGS ())\r\n" +
      `* 3 FETCH (UID 9 BODY[1] ${lit("one")} BODY[2] ${lit("two")})\r\n`,
  ));
  assert.deepEqual(msgs.map((m) => m.uid), [7, 8, 9]);
  assert.deepEqual([...msgs[2].bodyParts!.values()].map(text), ["one", "two"]);
  // imaplib's exact shape, as the brief of the typed layer writes it.
  const raw = [
    [bytes("1 (UID 7 FLAGS (\\Seen) BODY[HEADER] {15}"), bytes("Subject: hi\r\n\r\n")] as const,
    bytes(")"),
    bytes("2 (UID 8 FLAGS ())"),
  ];
  assert.deepEqual(parseFetch(raw).map((m) => [m.uid, m.flags?.size]), [[7, 1], [8, 0]]);
  assert.deepEqual(parseFetch([null]), []);
  assert.deepEqual(parseFetch([]), []);
});

test("fetch: parseFetchResponse takes one fetchIter() item", () => {
  const item = data(`* 4 FETCH (UID 1 BODY[] ${lit("x")})\r\n`);
  assert.equal(text(parseFetchResponse(item).source), "x");
  assert.throws(() => parseFetchResponse([]), TypedParseError);
  assert.throws(
    () => parseFetchResponse(data("* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n")),
    TypedParseError,
  );
});

test("fetch: tolerated: whole untagged lines, extra spaces, escapes, raw 8-bit", () => {
  assert.deepEqual(parseFetch([bytes("* 5 FETCH (UID 1)")]), [{ seq: 5, uid: 1 }]);
  assert.deepEqual(parseFetch([bytes("5  (UID  1  FLAGS ( \\Seen ) )")]), [
    { seq: 5, uid: 1, flags: new Set(["\\Seen"]) },
  ]);
  const escaped = one(
    '* 1 FETCH (ENVELOPE (NIL "a \\"quoted\\" \\\\ word" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n',
  );
  assert.equal(escaped.envelope?.subject, 'a "quoted" \\ word');
  // A subject with raw UTF-8 (RFC 6855 servers, Dovecot passing 8-bit headers through) and one
  // with raw Latin-1 bytes, not valid UTF-8 (windows-1252 fallback).
  const utf8 = one('* 1 FETCH (ENVELOPE (NIL "Grüße" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n');
  assert.equal(utf8.envelope?.subject, "Grüße");
  // A leading byte order mark is part of the text, kept as U+FEFF (as in the subject, so in a
  // display name, cached or not).
  for (let i = 0; i < 2; i++) {
    const bom = one(
      '* 1 FETCH (ENVELOPE (NIL "\uFEFFHi" (("\uFEFFAnn" NIL "ann" "x.org")) NIL NIL NIL NIL NIL ' +
        'NIL "\uFEFF<1@x>"))\r\n',
    );
    assert.equal(bom.envelope?.subject, "\uFEFFHi");
    assert.equal(bom.envelope?.from?.[0].name, "\uFEFFAnn");
    assert.equal(bom.envelope?.messageId, "\uFEFF<1@x>");
  }
  const latin = parseFetch(data(
    new Uint8Array([
      ...bytes('* 1 FETCH (ENVELOPE (NIL "Gr'),
      0xfc,
      ...bytes('e" (("J'),
      0xe9,
      ...bytes("r"),
      0xf4,
      ...bytes('me" NIL "j" "x.org")) NIL NIL NIL NIL NIL NIL NIL))\r\n'),
    ]),
  ))[0];
  assert.equal(latin.envelope?.subject, "Grüe");
  assert.equal(latin.envelope?.from?.[0].name, "Jérôme");
});

// --- Envelopes ----------------------------------------------------------------------------------

test("envelope: NIL fields omitted, RFC 2047 decoded, literals, unreadable date omitted", () => {
  assert.deepEqual(
    one("* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n").envelope,
    {},
  );
  assert.equal(one("* 1 FETCH (ENVELOPE NIL)\r\n").envelope, undefined);
  const msg = one(
    `* 1 FETCH (ENVELOPE ("not a date" ${lit("=?UTF-8?B?8J+YgA==?= ok")} ` +
      `(("=?ISO-8859-1?Q?Andr=E9?=" NIL "andre" "example.fr")) NIL NIL ` +
      `(("" NIL "x" "")) NIL NIL "<parent@x>" "<id@x>"))\r\n`,
  );
  assert.deepEqual(msg.envelope, {
    subject: "😀 ok",
    from: [{ name: "André", address: "andre@example.fr" }],
    to: [{ name: "", address: "x" }],
    inReplyTo: "<parent@x>",
    messageId: "<id@x>",
  });
});

test("envelope: RFC 3501 group syntax kept as { name, group }", () => {
  const msg = one(
    "* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL " +
      '((NIL NIL "Team" NIL)("Ann" NIL "ann" "x.org")(NIL NIL "bob" "x.org")(NIL NIL NIL NIL)' +
      '("Eve" NIL "eve" "y.org")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ' +
      '((NIL NIL "Open" NIL)(NIL NIL "a" "b")) NIL NIL))\r\n',
  );
  assert.deepEqual(msg.envelope, {
    to: [
      { name: "Team", group: [{ name: "Ann", address: "ann@x.org" }, { address: "bob@x.org" }] },
      { name: "Eve", address: "eve@y.org" },
    ],
    cc: [{ name: "undisclosed-recipients", group: [] }],
    bcc: [{ name: "Open", group: [{ address: "a@b" }] }], // never closed: kept all the same
  });
});

test("envelope: Sender and Reply-To repeating From are read as copies, others as sent", () => {
  const from =
    '(("Ann" NIL "ann" "x.org")(NIL NIL "Team" NIL)(NIL NIL "b" "y.org")(NIL NIL NIL NIL))';
  const ann = { name: "Ann", address: "ann@x.org" };
  const team = { name: "Team", group: [{ address: "b@y.org" }] };
  // Dovecot's usual envelope: the same list three times.
  const same = one(`* 1 FETCH (ENVELOPE (NIL NIL ${from} ${from} ${from} NIL NIL NIL NIL NIL))\r\n`)
    .envelope!;
  // Equal, but each the caller's own: no list, address or group is shared.
  assert.notEqual(same.sender, same.from);
  assert.notEqual(same.replyTo![0], same.from![0]);
  assert.notEqual(same.sender![1].group, same.from![1].group);
  assert.deepEqual(same, { from: [ann, team], sender: [ann, team], replyTo: [ann, team] });
  // A Sender that only starts like From, a Reply-To as a literal, then the rest as usual.
  const longer = from.slice(0, -1) + '("Cy" NIL "cy" "z.org"))';
  const other = one(
    `* 2 FETCH (ENVELOPE (NIL NIL ${from} ${longer} (("Ann" NIL ${lit("ann")} "x.org")) ` +
      `${from} NIL NIL NIL NIL))\r\n`,
  ).envelope!;
  assert.deepEqual(other, {
    from: [ann, team],
    sender: [ann, team, { name: "Cy", address: "cy@z.org" }],
    replyTo: [ann],
    to: [ann, team],
  });
  // From itself with a literal: Sender after it is read, not compared across the literal.
  const literal = one(
    `* 3 FETCH (ENVELOPE (NIL NIL ((${lit("Ann")} NIL "ann" "x.org")) ` +
      `(("Ann" NIL "ann" "x.org")) NIL NIL NIL NIL NIL NIL))\r\n`,
  ).envelope!;
  assert.deepEqual(literal, { from: [ann], sender: [ann] });
});

test("envelope: repeated addresses and names read the same as new ones, in every form", () => {
  // Addresses and names are remembered by the text they were read from (envelope.ts): the same
  // pair in another form (literal, escapes, 8-bit) or a pair whose text overlaps must not be
  // confused, including after the cache starts over (4,096 entries).
  const env = (from: string) => `ENVELOPE (NIL NIL (${from}) NIL NIL NIL NIL NIL NIL NIL)`;
  const wire: string[] = [];
  const want: { name?: string; address?: string }[] = [];
  const forms: [string, { name?: string; address?: string }][] = [
    ['("Ann" NIL "ann" "x.org")', { name: "Ann", address: "ann@x.org" }],
    ['("Ann" NIL "ann" "x.org")', { name: "Ann", address: "ann@x.org" }],
    ['(NIL NIL "ann" "x.org")', { address: "ann@x.org" }],
    ['("Ann Smith-Jones" NIL "ann\\\\" "x.org")', {
      name: "Ann Smith-Jones",
      address: "ann\\@x.org",
    }],
    ['("=?UTF-8?Q?J=C3=BCrgen?=" NIL "ann" "")', { name: "Jürgen", address: "ann" }],
    ['("Jürgen Jürgensson" NIL "ann" "x.org")', {
      name: "Jürgen Jürgensson",
      address: "ann@x.org",
    }],
    // The key of "ann" "x.org" (`ann" "x.org`) is also this mailbox's text: no false hit.
    ['("Ann" NIL "ann\\" \\"x.org" "org")', { name: "Ann", address: 'ann" "x.org@org' }],
    ['("Ann" NIL "ann" "x.org")', { name: "Ann", address: "ann@x.org" }],
    ['("Ann" NIL {3}\r\nann "x.org")', { name: "Ann", address: "ann@x.org" }],
    ['("Ann" NIL "ann" "x.org")', { name: "Ann", address: "ann@x.org" }],
  ];
  for (let i = 0; i < 9000; i++) {
    const [from, address] = i % 3 === 0
      ? forms[(i / 3) % forms.length]
      : [`("N${i % 5000}" NIL "u${i % 4500}" "h${i % 97}.example")`, {
        name: `N${i % 5000}`,
        address: `u${i % 4500}@h${i % 97}.example`,
      }];
    wire.push(`* ${i + 1} FETCH (${env(from)})`);
    want.push(address);
  }
  const got = parseFetch(data(wire.join("\r\n"))).map((m) => m.envelope!.from![0]);
  assert.deepEqual(got, want);
});

test("envelope: tolerated: missing trailing fields, short addresses, junk", () => {
  const msg = one(
    '* 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "s" (("N" NIL "m" "h")(NIL NIL "x"))))\r\n',
  );
  assert.deepEqual(msg.envelope, {
    date: d("1994-02-08T05:52:25Z"),
    subject: "s",
    // An address cut short has no host: read as a group start marker, kept as an empty group.
    from: [{ name: "N", address: "m@h" }, { name: "x", group: [] }],
  });
});

// --- Body structures ----------------------------------------------------------------------------

function structure(wire: string): BodyStructure | undefined {
  return one(`* 1 FETCH (BODYSTRUCTURE ${wire})\r\n`).bodyStructure;
}

test("bodystructure: Dovecot multipart/mixed with alternative, RFC 2231 attachment, message/rfc822", () => {
  const s = structure(
    '((("text" "plain" ("charset" "utf-8" "format" "flowed") NIL NIL "quoted-printable" 120 4 ' +
      'NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "quoted-printable" 400 10 ' +
      'NIL NIL NIL NIL) "alternative" ("boundary" "alt") NIL NIL NIL)' +
      '("application" "pdf" ("name*" "utf-8\'\'Gr%C3%BC%C3%9Fe.pdf") "<cid@x>" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" ' +
      '"base64" 3000 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename*0*" "utf-8\'\'Gr%C3%BC" ' +
      '"filename*1*" "%C3%9Fe.pdf" "size" "2200")) ("de" "en") "http://x/y")' +
      '("message" "rfc822" NIL NIL NIL "7bit" 500 ("Mon, 7 Feb 1994 21:52:25 -0800" "inner" NIL ' +
      'NIL NIL NIL NIL NIL NIL NIL) (("text" "plain" NIL NIL NIL "7bit" 10 1 NIL NIL NIL NIL)' +
      '("image" "png" NIL NIL NIL "base64" 90 NIL NIL NIL NIL) "mixed" ("boundary" "in") NIL NIL ' +
      'NIL) 20 NIL ("inline" NIL) NIL NIL)' +
      '("message" "rfc822" NIL NIL NIL "7bit" 60 (NIL "single" NIL NIL NIL NIL NIL NIL NIL NIL) ' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)' +
      ' "mixed" ("boundary" "top") NIL "en" NIL)',
  );
  assert.deepEqual(s, {
    type: "multipart/mixed",
    childNodes: [
      {
        part: "1",
        type: "multipart/alternative",
        childNodes: [
          {
            part: "1.1",
            type: "text/plain",
            parameters: { charset: "utf-8", format: "flowed" },
            encoding: "quoted-printable",
            size: 120,
            lineCount: 4,
          },
          {
            part: "1.2",
            type: "text/html",
            parameters: { charset: "utf-8" },
            encoding: "quoted-printable",
            size: 400,
            lineCount: 10,
          },
        ],
        parameters: { boundary: "alt" },
      },
      {
        part: "2",
        type: "application/pdf",
        parameters: { name: "Grüße.pdf" },
        id: "<cid@x>",
        description: "Grüße",
        encoding: "base64",
        size: 3000,
        md5: "Q2hlY2sgSW50ZWdyaXR5IQ==",
        disposition: "attachment",
        dispositionParameters: { filename: "Grüße.pdf", size: "2200" },
        language: ["de", "en"],
        location: "http://x/y",
      },
      {
        part: "3",
        type: "message/rfc822",
        encoding: "7bit",
        size: 500,
        envelope: { date: d("1994-02-08T05:52:25Z"), subject: "inner" },
        childNodes: [{
          type: "multipart/mixed",
          childNodes: [
            { part: "3.1", type: "text/plain", encoding: "7bit", size: 10, lineCount: 1 },
            { part: "3.2", type: "image/png", encoding: "base64", size: 90 },
          ],
          parameters: { boundary: "in" },
        }],
        lineCount: 20,
        disposition: "inline",
      },
      {
        part: "4",
        type: "message/rfc822",
        encoding: "7bit",
        size: 60,
        envelope: { subject: "single" },
        childNodes: [{
          part: "4.1",
          type: "text/plain",
          parameters: { charset: "us-ascii" },
          encoding: "7bit",
          size: 5,
          lineCount: 1,
        }],
        lineCount: 3,
      },
    ],
    parameters: { boundary: "top" },
    language: ["en"],
  });
});

test('bodystructure: Gmail\'s empty multiparts `("RELATED" NIL ("ATTACHMENT" NIL) NIL)`', () => {
  // MailKit issue 371 (Gmail, 2018), the BODYSTRUCTURE part of the transcript.
  const s = structure(
    '((("TEXT" "PLAIN" ("CHARSET" "UTF-8" "DELSP" "yes" "FORMAT" "flowed") NIL NIL "BASE64" ' +
      '10418 133 NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 34544 442 NIL NIL ' +
      'NIL) "ALTERNATIVE" ("BOUNDARY" "94eb") NIL NIL)("RELATED" NIL ("ATTACHMENT" NIL) NIL)' +
      '("RELATED" NIL ("ATTACHMENT" NIL) NIL) "MIXED" ("BOUNDARY" "94ec") NIL NIL)',
  );
  assert.deepEqual(s?.childNodes?.map((c) => [c.part, c.type, c.disposition]), [
    ["1", "multipart/alternative", undefined],
    ["2", "multipart/related", "attachment"],
    ["3", "multipart/related", "attachment"],
  ]);
  assert.deepEqual(s?.childNodes?.[1].childNodes, []);
  assert.deepEqual(s?.childNodes?.[0].childNodes?.[0].parameters, {
    charset: "UTF-8",
    delsp: "yes",
    format: "flowed",
  });
  assert.deepEqual(structure('("mixed" ("boundary" "x") NIL NIL)'), {
    type: "multipart/mixed",
    childNodes: [],
    parameters: { boundary: "x" },
  });
});

test("bodystructure: Exchange / Office 365 dispositions as bare strings", () => {
  // MailKit issue 919 (Exchange, 2019): `NIL "inline" NIL NIL` in a part's extension data.
  const s = structure(
    '(("text" "plain" ("charset" "ISO-8859-1") NIL NIL "QUOTED-PRINTABLE" 850 31 NIL "inline" NIL NIL)' +
      '("text" "html" ("charset" "ISO-8859-1") NIL NIL "QUOTED-PRINTABLE" 14692 502 NIL "inline" NIL NIL)' +
      ' "alternative" ("boundary" "----=_Part_45") NIL NIL)',
  );
  assert.deepEqual(s?.childNodes?.map((c) => [c.encoding, c.disposition]), [
    ["quoted-printable", "inline"],
    ["quoted-printable", "inline"],
  ]);
  // jakartaee/mail-api issue 278 (Exchange 2016): a multipart's disposition slot holds the
  // S/MIME description string.
  const smime = structure(
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 21 0 NIL ("inline" NIL) NIL NIL)' +
      '("application" "octet-stream" ("name" "private.txt") NIL NIL "base64" 690 NIL ' +
      '("attachment" ("filename" "private.txt")) NIL NIL) "mixed" ("boundary" "----=_Part_0") ' +
      '"S/MIME Encrypted Message" NIL)',
  );
  assert.equal(smime?.disposition, "s/mime encrypted message");
  assert.equal(smime?.childNodes?.[1].dispositionParameters?.filename, "private.txt");
});

test("bodystructure: NIL where strings are due, missing sizes, lists in odd places", () => {
  // libetpan issue 217: NIL encoding and a parameter list in the md5 slot.
  assert.deepEqual(
    structure(
      '(("TEXT" "PLAIN" ("CHARSET" "GB2312") NIL NIL NIL 0 0 ("BOUNDARY" "=002") NIL NIL) "RELATED" ("BOUNDARY" "=002") NIL NIL)',
    ),
    {
      type: "multipart/related",
      childNodes: [{
        part: "1",
        type: "text/plain",
        parameters: { charset: "GB2312" },
        size: 0,
        lineCount: 0,
      }],
      parameters: { boundary: "=002" },
    },
  );
  // A NIL size, a missing line count, NIL media type and subtype.
  assert.deepEqual(structure('("text" "plain" NIL NIL NIL "7bit" NIL)'), {
    part: "1",
    type: "text/plain",
    encoding: "7bit",
  });
  assert.deepEqual(structure('(NIL NIL NIL NIL NIL "8bit" 5 1)'), {
    part: "1",
    type: "text/plain",
    encoding: "8bit",
    size: 5,
    lineCount: 1,
  });
  // A quoted size, a parameter with NIL value, an odd parameter list.
  assert.deepEqual(structure('("image" "gif" ("name" NIL "x" "y" "odd") NIL NIL "base64" "77")'), {
    part: "1",
    type: "image/gif",
    parameters: { x: "y" },
    encoding: "base64",
    size: 77,
  });
  // message/rfc822 sent as a basic part (no envelope / body / lines).
  assert.deepEqual(
    structure('("message" "rfc822" NIL NIL NIL "7bit" 99 NIL ("attachment" NIL) NIL NIL)'),
    {
      part: "1",
      type: "message/rfc822",
      encoding: "7bit",
      size: 99,
      disposition: "attachment",
    },
  );
  assert.equal(structure("NIL"), undefined);
  // BODY (no extension data) from the same reader.
  assert.deepEqual(
    one('* 1 FETCH (BODY (("text" "plain" NIL NIL NIL "7bit" 1 1) "mixed"))\r\n').bodyStructure,
    {
      type: "multipart/mixed",
      childNodes: [{ part: "1", type: "text/plain", encoding: "7bit", size: 1, lineCount: 1 }],
    },
  );
});

// --- Quirks reported against other clients ---------------------------------------------------

test("quirks: iCloud's NIL encoding, Mail.ru's NIL parameter, rims' empty parameter list", () => {
  // imap-proto pull request 205 (iCloud); maddy issue 756 sends the same.
  const icloud = structure(
    '(("text" "plain" ("CHARSET" "UTF-8") NIL NIL NIL 1694 51 NIL NIL NIL NIL)' +
      '("text" "html" ("CHARSET" "UTF-8") NIL NIL "quoted-printable" 5750 77 NIL NIL NIL NIL) ' +
      '"alternative" ("BOUNDARY" "b") NIL NIL NIL)',
  );
  assert.deepEqual(icloud?.childNodes?.map((c) => c.encoding), [undefined, "quoted-printable"]);
  // modern-email/defects issue 50 (Mail.ru): a NIL parameter value.
  assert.deepEqual(
    structure('(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 1 1) "mixed" ("boundary" NIL))')
      ?.parameters,
    {},
  );
  // rims issue 15: `()` for no parameters.
  assert.deepEqual(structure('("text" "plain" () NIL NIL "7bit" 1 1)')?.parameters, {});
});

test('quirks: Dovecot\'s `"" ""` for a Content-Type without a subtype', () => {
  // Dovecot 2.3.19 on `Content-Type: text; charset=us-ascii` (CPython's test_email msg_14.txt,
  // tests/typed_corpus_test.ts): empty type and subtype, no parameters and, the type not being
  // "text" to it, no line count; the next field is the MD5.
  assert.deepEqual(structure('("" "" NIL NIL NIL "7bit" 235 NIL NIL NIL NIL)'), {
    part: "1",
    type: "text/plain",
    encoding: "7bit",
    size: 235,
  });
  assert.deepEqual(structure('("" "" NIL NIL NIL "7bit" 235 "Q2hlY2s=" ("inline" NIL) NIL NIL)'), {
    part: "1",
    type: "text/plain",
    encoding: "7bit",
    size: 235,
    md5: "Q2hlY2s=",
    disposition: "inline",
  });
});

test("quirks: a multipart whose parts were left out (MailKit issue 1393)", () => {
  const s = structure(
    '(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 727 16 NIL NIL NIL NIL)' +
      '("message" "rfc822" ("name" "Message headers") NIL NIL "7bit" 903 ' +
      '("Mon, 17 Nov 2014 13:29:21 +0100" "Re: Adresy" NIL NIL NIL NIL NIL NIL NIL NIL) ' +
      '(NIL "alternative" ("boundary" "Apple-Mail=_352F") NIL NIL NIL) 17 NIL NIL NIL NIL) ' +
      '"report" ("report-type" "delivery-status" "boundary" "_e0d7") NIL NIL NIL)',
  );
  const rfc822 = s?.childNodes?.[1];
  assert.equal(rfc822?.lineCount, 17);
  assert.deepEqual(rfc822?.childNodes, [{
    type: "multipart/alternative",
    childNodes: [],
    parameters: { boundary: "Apple-Mail=_352F" },
  }]);
});

test("quirks: imap.qq.com's space before ')' and GBK words, iCloud's {0}, header case", () => {
  // jakartaee/mail-api issue 209.
  assert.deepEqual(one("* 11487 FETCH (UID 19436 )\r\n"), { seq: 11487, uid: 19436 });
  // MailCore2 issue 1025 (imap.qq.com): GBK encoded words.
  const qq = one(
    '* 39 FETCH (UID 39 FLAGS (\\Seen) ENVELOPE ("Mon, 21 Nov 2011 10:31:39 +0800" ' +
      '"=?GBK?B?IMC019RRUdPKz+S1xLrYv6ihtsn6yNW1xNejuKOhtw==?=" (("=?GBK?B?OTIwNTMx?=" NIL ' +
      '"myqq" "qq.com")) (("=?GBK?B?OTIwNTMx?=" NIL "myqq" "qq.com")) (("=?GBK?B?OTIwNTMx?=" ' +
      'NIL "myqq" "qq.com")) NIL (("=?GBK?B?MTEzMDI5NQ==?=" NIL "1130295" "qq.com")) NIL ' +
      '"<tencent_007ADA8A4B0CB6EB630EEE59@qq.com>") INTERNALDATE "21-Nov-2011 10:31:39 +0800" ' +
      "BODY[HEADER.FIELDS (REFERENCES)] {2}\r\n\r\n)\r\n",
  );
  assert.equal(qq.envelope?.subject, " 来自QQ邮箱的贺卡《生日的祝福》");
  assert.deepEqual(qq.envelope?.from, [{ name: "920531", address: "myqq@qq.com" }]);
  assert.equal(qq.envelope?.date?.toISOString(), "2011-11-21T02:31:39.000Z");
  assert.equal(text(qq.headers), "\r\n");
  // libetpan issue 426 (iCloud): an empty header section as `{0}`.
  const icloud = one(
    "* 7027 FETCH (UID 11153 MODSEQ (366744470000000) FLAGS (\\Seen) INTERNALDATE " +
      '"30-Jan-2018 22:39:15 +0000" BODY[HEADER.FIELDS (References)] {0}\r\n)\r\n',
  );
  assert.deepEqual([icloud.uid, icloud.modseq, text(icloud.headers)], [
    11153,
    366744470000000n,
    "",
  ]);
  // node-imap issue 639: the field names in the server's case still make `headers`.
  const cased = one(
    `* 1 FETCH (UID 1 BODY[HEADER.FIELDS (From To Subject)] ${lit("From: a\r\n\r\n")} ` +
      `BODY[1] ${lit("x")})\r\n`,
  );
  assert.equal(text(cased.headers), "From: a\r\n\r\n");
  assert.deepEqual([...cased.bodyParts!.keys()], ["1"]);
});

// --- Errors -------------------------------------------------------------------------------------

test("fetch: malformed responses throw TypedParseError with offset and response index", () => {
  const rows: [wire: (string | [string, string])[], offset: number, response: number][] = [
    [["1 (UID 7"], 8, 0],
    [["1 (UID x)"], 7, 0],
    [["1 (UID 99999999999999999999)"], 7, 0], // above 2^53 - 1
    [["1 (UID 4294967296)"], 7, 0], // UIDs are 32 bits (RFC 3501 uniqueid)
    [["4294967296 (UID 1)"], 0, 0], // and sequence numbers
    [["1 UID 7)"], 2, 0],
    [["(UID 7)"], 0, 0],
    [["1 (UID 1)", "2 (BODY[1] {5})"], 11, 1], // a literal size not at the end of its line
    [["1 (UID 1)", "2 (BODY[1] {5}"], 11, 1], // a literal size with no literal after it
    [["1 (BODY[1 x)"], 7, 0], // an unclosed section (at its "[")
    [['1 (ENVELOPE (NIL "unterminated))'], 17, 0],
    [[["1 (BODY[] {3}", "abc"], "x"], 17, 0], // bytes after the literal, then no ")"
  ];
  for (const [wire, offset, response] of rows) {
    const items = wire.map((w) =>
      typeof w === "string" ? bytes(w) : [bytes(w[0]), bytes(w[1])] as const
    );
    assert.throws(() => parseFetch(items), (e: unknown) => {
      assert.ok(e instanceof TypedParseError && e instanceof SyntaxError, String(e));
      assert.deepEqual(
        [e.offset, e.response],
        [offset, response],
        `${JSON.stringify(wire)}: ${e.message}`,
      );
      return true;
    });
  }
});

test("fetch: nesting deeper than MAX_DEPTH is an error, not a stack overflow", () => {
  const deep = "(".repeat(100_000);
  assert.throws(() => parseFetch([bytes(`1 (X-FOO ${deep})`)]), TypedParseError);
  assert.throws(() => parseFetch([bytes(`1 (BODYSTRUCTURE ${deep})`)]), TypedParseError);
  const nested =
    '("message" "rfc822" NIL NIL NIL "7bit" 1 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ';
  assert.throws(
    () => parseFetch([bytes(`1 (BODYSTRUCTURE ${nested.repeat(500)})`)]),
    TypedParseError,
  );
});
