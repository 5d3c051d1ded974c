// Known-answer tables for the typed layer's text functions: modified UTF-7 mailbox names
// (RFC 3501 5.1.3), RFC 2047 encoded words, RFC 2231 parameters, sequence sets, and the date
// reader behind ENVELOPE dates and INTERNALDATE. Encoded forms were produced with Python's
// codecs (independent of this code). Round trips under random input live in property_test.ts.

import assert from "node:assert/strict";
import { test } from "../_harness.ts";
import {
  compressSequenceSet,
  countSequenceSet,
  decodeMailbox,
  decodeParameters,
  decodeWords,
  encodeMailbox,
  expandSequenceSet,
  TypedParseError,
} from "../../src/typed/mod.ts";
import { dateFromBytes, parseDate } from "../../src/typed/dates.ts";
import { TextCache } from "../../src/typed/text_cache.ts";

// --- The cache of texts by their bytes (ENVELOPE names and addresses) -------------------------

test("TextCache: a hit is the text of the same bytes, wherever they lie; colliders evict", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const cache = new TextCache(4); // four slots: most of the keys below collide
  const keys = Array.from({ length: 500 }, (_, i) => `ann${i % 37}" "x${i}.org`);
  let hits = 0;
  for (const [i, key] of keys.entries()) {
    // The key sits at a different offset in a different buffer each time.
    const padded = bytes(" ".repeat(i % 7) + key + "))");
    const start = i % 7;
    const end = start + key.length;
    const text = cache.get(padded, start, end);
    if (text === undefined) cache.remember(padded, start, end, `text of ${key}`);
    else {
      assert.equal(text, `text of ${key}`);
      hits++;
    }
    const again = bytes(key);
    assert.equal(cache.get(again, 0, again.length), `text of ${key}`);
  }
  // Every key was looked up again right after it was remembered: 500 hits there, and none above
  // (each key is new).
  assert.equal(hits, 0);
  // Keys of one length that differ in one byte, and a key that is a prefix of another.
  const wide = new TextCache();
  const a = bytes("abcdef");
  wide.get(a, 0, 6);
  wide.remember(a, 0, 6, "abcdef");
  assert.equal(wide.get(bytes("abcdeg"), 0, 6), undefined);
  assert.equal(wide.get(a, 0, 5), undefined);
  assert.equal(wide.get(a, 0, 6), "abcdef");
  // Keys over 256 bytes are not remembered.
  const long = bytes("x".repeat(257));
  assert.equal(wide.get(long, 0, 257), undefined);
  wide.remember(long, 0, 257, "long");
  assert.equal(wide.get(long, 0, 257), undefined);
});

// --- Modified UTF-7 ---------------------------------------------------------------------------

const MUTF7: [unicode: string, wire: string][] = [
  ["INBOX", "INBOX"],
  ["", ""],
  ["Entwürfe", "Entw&APw-rfe"],
  ["Tom & Jerry", "Tom &- Jerry"],
  ["&", "&-"],
  ["&&", "&-&-"],
  ["日本語", "&ZeVnLIqe-"],
  ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"], // RFC 3501 5.1.3's example
  ["\u{1F600}", "&2D3eAA-"], // a surrogate pair
  ["Gelöschte Elemente", "Gel&APY-schte Elemente"], // Office 365's Deleted Items, German
  ["Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-"], // Yandex/Mail.ru Sent
  ["[Gmail]/Entwürfe", "[Gmail]/Entw&APw-rfe"],
  ["a\tb", "a&AAk-b"], // a control character is encoded
  ["ü&ü", "&APw-&-&APw-"],
];

test("mUTF-7: known answers both ways", () => {
  for (const [unicode, wire] of MUTF7) {
    assert.equal(encodeMailbox(unicode), wire, `encode ${JSON.stringify(unicode)}`);
    assert.equal(decodeMailbox(wire), unicode, `decode ${wire}`);
  }
});

test("mUTF-7: decoding is tolerant (invalid runs kept as written, never throws)", () => {
  const rows: [string, string][] = [
    ["&", "&"], // no closing "-"
    ["a&APw", "a&APw"],
    ["&AP-", "&AP-"], // not whole code units
    ["&A*w-", "&A*w-"], // not modified base64
    ["Entwürfe", "Entwürfe"], // raw UTF-8 names (decoded by the caller) pass through
    ["&APw-&", "ü&"],
  ];
  for (const [wire, expected] of rows) assert.equal(decodeMailbox(wire), expected, wire);
});

// --- RFC 2047 -----------------------------------------------------------------------------------

const WORDS: [encoded: string, decoded: string][] = [
  ["plain text", "plain text"],
  ["=?UTF-8?Q?Entw=C3=BCrfe?=", "Entwürfe"],
  ["=?utf-8?q?Entw=C3=BCrfe?=", "Entwürfe"], // case-insensitive charset and encoding
  ["=?UTF-8?B?RW50d8O8cmZlIPCfmIA=?=", "Entwürfe 😀"],
  ["=?UTF-8?Q?Entw=C3=BCrfe=20=F0=9F=98=80?=", "Entwürfe 😀"],
  ["=?UTF-8?Q?a_b?=", "a b"], // "_" is a space in Q
  ["=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße"],
  ["=?ISO-8859-1?B?R3L832U=?=", "Grüße"],
  ["=?ISO-8859-2?Q?=A3=F3d=BC?=", "Łódź"],
  ["=?ISO-8859-2?B?o/NkvA==?=", "Łódź"],
  ["=?windows-1252?Q?=80uro=20=93quoted=94?=", "€uro “quoted”"],
  ["=?windows-1252?B?gHVybyCTcXVvdGVklA==?=", "€uro “quoted”"],
  ["=?KOI8-R?Q?=F0=D2=C9=D7=C5=D4?=", "Привет"],
  ["=?KOI8-R?B?8NLJ18XU?=", "Привет"],
  ["=?Shift_JIS?B?k/qWe4zq?=", "日本語"],
  ["=?Shift_JIS?Q?=93=FA=96{=8C=EA?=", "日本語"],
  ["=?EUC-KR?B?x9Gxub7u?=", "한국어"],
  ["=?GB2312?B?1tDOxA==?=", "中文"],
  ["=?UTF-7?Q?Hi_+AOk-?=", "Hi é"], // UTF-7: not a WHATWG encoding, decoded here
  // Adjacent words join, the whitespace between them dropped (RFC 2047 section 6.2)...
  ["=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"],
  ["=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab"],
  ["=?ISO-8859-1?Q?=E9?= =?UTF-8?Q?=C3=A9?=", "éé"], // across charsets too
  // ...and a character split across words comes out whole (bytes joined before decoding).
  ["=?UTF-8?Q?=C3?= =?UTF-8?Q?=BC?=", "ü"],
  ["=?UTF-8?B?w7w?=", "ü"], // base64 without its padding: accepted (forgiving base64)
  ["=?UTF-8?B?w==?=", "=?UTF-8?B?w==?="], // broken base64: kept
  // Whitespace next to plain text is kept.
  ["Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from Bob", "Re: Grüße from Bob"],
  ["a =?UTF-8?Q?b?= c", "a b c"],
  // RFC 2231 section 5 language suffix.
  ["=?UTF-8*en?Q?hello?=", "hello"],
  ["=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore"],
  // Unknown charsets and broken words are kept as written, never thrown.
  ["=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?="],
  ["=?x-unknown?Q?a?= =?x-unknown?Q?b?=", "=?x-unknown?Q?a?= =?x-unknown?Q?b?="],
  ["=?UTF-8?B?***?=", "=?UTF-8?B?***?="],
  ["=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="], // no such encoding
  ["=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated"],
  // Words glued to text (not allowed by RFC 2047, written by many mailers) are decoded.
  ["x=?UTF-8?Q?=C3=BC?=y", "xüy"],
  // Q text with raw 8-bit characters (not allowed) is taken as UTF-8.
  ["=?ISO-8859-1?Q?ü?=", "Ã¼"],
];

test("RFC 2047: known answers (Q and B, several charsets, joining, unknowns kept)", () => {
  for (const [encoded, decoded] of WORDS) {
    assert.equal(decodeWords(encoded), decoded, JSON.stringify(encoded));
  }
});

// --- RFC 2231 -----------------------------------------------------------------------------------

const PARAMETERS: [pairs: [string, string][], expected: Record<string, string>][] = [
  [[["CHARSET", "UTF-8"]], { charset: "UTF-8" }], // keys lower case, values as sent
  [[["name", "a.pdf"], ["Format", "flowed"]], { name: "a.pdf", format: "flowed" }],
  // RFC 2231 section 3: continuations, joined in numeric order (sent out of order here).
  [
    [["URL*1", "ftp.cs.utk.edu/pub/"], ["URL*0", "ftp://"], ["URL*2", "moore/"]],
    { url: "ftp://ftp.cs.utk.edu/pub/moore/" },
  ],
  // Section 4: charset and language, percent-encoded.
  [[["title*", "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"]], {
    title: "This is ***fun***",
  }],
  // Section 4.1: encoded and plain continuations mixed.
  [
    [
      ["title*0*", "us-ascii'en'This%20is%20even%20more%20"],
      ["title*1*", "%2A%2A%2Afun%2A%2A%2A%20"],
      ["title*2", "isn't it!"],
    ],
    { title: "This is even more ***fun*** isn't it!" },
  ],
  // A UTF-8 character split across continuations.
  [[["FILENAME*0*", "utf-8''Gr%C3%BC"], ["FILENAME*1*", "%C3%9Fe.txt"]], {
    filename: "Grüße.txt",
  }],
  [[["filename*", "iso-8859-1''Gr%FC%DFe.txt"]], { filename: "Grüße.txt" }],
  [[["filename*", "koi8-r''%F0%D2%C9%D7%C5%D4.doc"]], { filename: "Привет.doc" }],
  // The extended value wins over the plain one (Thunderbird sends both).
  [[["filename", "Gruesse.txt"], ["filename*", "utf-8''Gr%C3%BC%C3%9Fe.txt"]], {
    filename: "Grüße.txt",
  }],
  // Unknown charset: kept as written, unless the bytes are ASCII (the same in any MIME charset):
  // mutt's `ansi-x3.4-1968` (CPython's test_email msg_33.txt, tests/typed_corpus_test.ts).
  [[["filename*", "x-unknown''a%E9b"]], { filename: "a%E9b" }],
  [[["filename*", "x-unknown''a%20b"]], { filename: "a b" }],
  [[["protocol*", "ansi-x3.4-1968''application%2Fpgp-signature"]], {
    protocol: "application/pgp-signature",
  }],
  // No charset quotes: the value as it is, percent-decoded, as UTF-8.
  [[["filename*", "a%20b"]], { filename: "a b" }],
  // RFC 2047 in a plain value (Outlook): decoded.
  [[["name", "=?UTF-8?B?R3LDvMOfZS5wZGY=?="]], { name: "Grüße.pdf" }],
  // A gap in the numbering: the parts that exist, in order.
  [[["name*0", "a"], ["name*2", "c"]], { name: "ac" }],
  // A hostile name is an own property, not the prototype.
  [[["__proto__", "x"]], JSON.parse('{"__proto__":"x"}')],
];

test("RFC 2231: known answers (continuations, charsets, precedence, RFC 2047)", () => {
  for (const [pairs, expected] of PARAMETERS) {
    const got = decodeParameters(pairs);
    assert.deepEqual({ ...got }, { ...expected }, JSON.stringify(pairs));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
  }
});

// --- Sequence sets ------------------------------------------------------------------------------

test("sequence sets: expand, count, compress", () => {
  assert.deepEqual(expandSequenceSet("1:3,5"), [1, 2, 3, 5]);
  assert.deepEqual(expandSequenceSet("3:1"), [1, 2, 3]);
  assert.deepEqual(expandSequenceSet("5,1"), [5, 1]);
  assert.deepEqual(expandSequenceSet("8:*", { max: 10 }), [8, 9, 10]);
  assert.deepEqual(expandSequenceSet("*", { max: 4 }), [4]);
  assert.equal(countSequenceSet("1:3,5"), 4);
  assert.equal(countSequenceSet("1:4294967295"), 4294967295);
  assert.equal(compressSequenceSet([5, 1, 2, 3, 3]), "1:3,5");
  assert.equal(compressSequenceSet([]), "");
  assert.equal(compressSequenceSet([7]), "7");
  assert.equal(compressSequenceSet([1, 3, 5, 6]), "1,3,5:6");
  assert.deepEqual(expandSequenceSet(""), []);
  for (const bad of ["1,", ",1", "a", "1:2:3", "0", "1 2", "4294967296", "-1"]) {
    assert.throws(() => expandSequenceSet(bad), TypedParseError, bad);
  }
  assert.throws(() => expandSequenceSet("1:*"), TypedParseError);
  assert.throws(() => expandSequenceSet("1:4294967295"), RangeError);
  assert.throws(() => expandSequenceSet("1:10", { limit: 9 }), RangeError);
  assert.throws(() => compressSequenceSet([0]), RangeError);
  assert.throws(() => compressSequenceSet([1.5]), RangeError);
});

// --- Dates --------------------------------------------------------------------------------------

const DATES: [text: string, iso: string | undefined][] = [
  ["Tue, 01 Dec 2026 10:00:00 +0000", "2026-12-01T10:00:00.000Z"],
  ["Mon, 7 Feb 1994 21:52:25 -0800", "1994-02-08T05:52:25.000Z"],
  ["Mon, 7 Feb 1994 21:52:25 -0800 (PST)", "1994-02-08T05:52:25.000Z"],
  // Longer than the reader's 64-byte copy: read by the lenient path, to the same instant.
  [
    "Mon, 7 Feb 1994 21:52:25 -0800 (Pacific Standard Time, as the sender's mailer wrote it)",
    "1994-02-08T05:52:25.000Z",
  ],
  ["7 Feb 1994 21:52 -0800", "1994-02-08T05:52:00.000Z"], // no weekday, no seconds
  ["17-Jul-1996 02:44:25 -0700", "1996-07-17T09:44:25.000Z"], // INTERNALDATE
  [" 7-Jul-1996 02:44:25 -0700", "1996-07-07T09:44:25.000Z"], // INTERNALDATE, SP day
  ["Thu, 08 Jan 2026 10:00:00 GMT", "2026-01-08T10:00:00.000Z"],
  ["Thu, 08 Jan 2026 10:00:00 EST", "2026-01-08T15:00:00.000Z"],
  ["Thu, 08 Jan 2026 10:00:00", "2026-01-08T10:00:00.000Z"], // no zone: UTC
  ["Thu, 08 Jan 2026 10:00:00 constructor", "2026-01-08T10:00:00.000Z"], // unknown name: UTC
  ["Thu, 08 Jan 2026 10:00:00 +0160", undefined], // no such zone offset
  ["Wed, 03 Jun 26 08:15:00 GMT", "2026-06-03T08:15:00.000Z"],
  ["Wed, 03 Jun 26 08:15:00 PDT (Pacific)", "2026-06-03T15:15:00.000Z"],
  ["Thu, 08 Jan 26 10:00:00 +0100", "2026-01-08T09:00:00.000Z"], // 2-digit year
  ["Thu, 08 Jan 99 10:00:00 +0100", "1999-01-08T09:00:00.000Z"],
  ["Thu, 08 Jan 126 10:00:00 +0000", "2026-01-08T10:00:00.000Z"], // 3-digit year
  ["Thursday, 08 January 2026 10:00:00 +0100", "2026-01-08T09:00:00.000Z"],
  ["Thu,08 Jan 2026 10:00:00 +0100", "2026-01-08T09:00:00.000Z"],
  ["thu, 08 JAN 2026 10:00:00 +01:00", "2026-01-08T09:00:00.000Z"],
  ["Sat, 29 Feb 2020 00:00:00 +0000", "2020-02-29T00:00:00.000Z"],
  ["2026-01-08T10:00:00Z", "2026-01-08T10:00:00.000Z"], // ISO 8601 from broken mailers
  ["Sat, 29 Feb 2021 00:00:00 +0000", undefined], // no such day
  ["Thu, 08 Foo 2026 10:00:00 +0100", undefined],
  ["Thu, 08 Jan 2026 25:00:00 +0100", undefined],
  ["", undefined],
  ["garbage", undefined],
];

test("dates: RFC 5322 (with obsolete forms) and INTERNALDATE", () => {
  for (const [text, iso] of DATES) {
    assert.equal(parseDate(text)?.toISOString(), iso, JSON.stringify(text));
  }
});

test("dates: read in place from bytes, never past the end of the string", () => {
  const enc = new TextEncoder();
  for (const [text, iso] of DATES) {
    // In a response, a date is followed by more bytes: every prefix of a date, followed by the
    // bytes that would complete it, reads as that prefix alone does.
    const bytes = enc.encode(`"${text}"`);
    for (let cut = 0; cut <= text.length; cut++) {
      const prefix = text.slice(0, cut);
      const end = 1 + cut;
      const want = cut === text.length ? iso : parseDate(prefix)?.toISOString();
      assert.equal(dateFromBytes(bytes, 1, end)?.toISOString(), want, JSON.stringify(prefix));
    }
  }
});

test("dates: a date is read alone, whatever longer date was read before it", () => {
  // The reader copies a date into a buffer it reuses: a prefix read right after the whole date,
  // or after another date with other digits everywhere, must see neither of them there.
  const enc = new TextEncoder();
  const other = enc.encode("Wed, 22 Nov 2023 23:59:59 -1159 (and more text past the date)");
  for (const [text] of DATES) {
    const bytes = enc.encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      dateFromBytes(other, 0, other.length);
      const alone = dateFromBytes(bytes, 0, cut)?.toISOString();
      dateFromBytes(bytes, 0, bytes.length);
      const after = dateFromBytes(bytes, 0, cut)?.toISOString();
      assert.equal(after, alone, JSON.stringify(text.slice(0, cut)));
    }
  }
});

test("dates: the instant agrees with Date.UTC over four centuries, leap days, second 60; the day after a month's last is refused", () => {
  const month = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  for (let year = 1000; year <= 2400; year += year < 1890 ? 97 : 1) {
    for (let m = 0; m < 12; m++) {
      const days = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
      for (const day of [1, 15, 28, days]) {
        const [h, min, sec] = [(year + day) % 24, (m * 7 + day) % 60, (year * 3 + m) % 61];
        const text = `${day} ${month[m]} ${year} ${two(h)}:${two(min)}:${two(sec)} -0130`;
        const want = Date.UTC(year, m, day, h, min, sec) + 90 * 60_000;
        assert.equal(parseDate(text)?.getTime(), want, text);
        assert.equal(parseDate(text.replaceAll(" ", "  "))?.getTime(), want, "lenient " + text);
        assert.equal(
          parseDate(`${two(day)}-${month[m]}-${year} ${two(h)}:${two(min)}:00 +0000`)
            ?.getTime(),
          Date.UTC(year, m, day, h, min),
          text,
        );
      }
      const pastEnd = `${days + 1} ${month[m]} ${year} 12:00:00 +0000`;
      assert.equal(parseDate(pastEnd), undefined, pastEnd);
    }
  }
});
