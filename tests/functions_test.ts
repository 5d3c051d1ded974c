// Tests for imaplib's module functions, ported from CPython's Lib/test/test_imaplib.py
// (class TestImaplib) plus known-answer tables computed with CPython's imaplib.
//
// JS runtimes read TZ once at process start, so CPython's `run_with_tz` becomes a child process
// (`deno eval`) with TZ (and, for `run_with_locale`, LC_ALL) in its environment. V8 takes only
// IANA zone names: a POSIX TZ rule such as 'STD-1DST,M3.2.0,M11.1.0' silently falls back to UTC,
// so each test names the IANA zone with the same offsets on the dates tested, and checks that the
// child really runs in it.

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { Int2AP, Internaldate2tuple, ParseFlags, Time2Internaldate } from "../src/functions.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

const deno = (globalThis as { Deno?: typeof Deno }).Deno;
// The child processes are `deno eval`; under Bun those tests are skipped.
const noDeno = { ignore: deno === undefined };
const MODULE = new URL("../src/functions.ts", import.meta.url).href;

/**
 * Runs `body` (a JS function body returning JSON-able data, with `imaplib` in scope) in a child
 * Deno whose local time zone is `tz`; returns what it returned. CPython's `run_with_tz`.
 */
async function runWithTz(
  tz: string,
  body: string,
  env: Record<string, string> = {},
): Promise<unknown> {
  const script = `import * as imaplib from ${JSON.stringify(MODULE)};\n` +
    `const result = (() => {\n${body}\n})();\n` +
    "const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;\n" +
    // The same name as ICU spells it (it may canonicalize, e.g. Asia/Kathmandu).
    'const wanted = new Intl.DateTimeFormat("en", { timeZone: Deno.env.get("TZ") })' +
    ".resolvedOptions().timeZone;\n" +
    "console.log(JSON.stringify({ zone, wanted, result }));\n";
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { ...env, TZ: tz, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `child exited with ${out.code}: ${stderr}`);
  const { zone, wanted, result } = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(zone, wanted, `the child did not run in ${tz}`);
  return result;
}

// --- Internaldate2tuple -------------------------------------------------------------------------

// test_Internaldate2tuple: three spellings of 2000-01-01T00:00:00Z. CPython compares
// time.mktime(tt) with calendar.timegm(...); here the instant is the Date itself.
const T0 = Date.UTC(2000, 0, 1) / 1000;
const SAME_INSTANT = [
  '25 (INTERNALDATE "01-Jan-2000 00:00:00 +0000")',
  '25 (INTERNALDATE "01-Jan-2000 11:30:00 +1130")',
  '25 (INTERNALDATE "31-Dec-1999 12:30:00 -1130")',
];

test("Internaldate2tuple (test_Internaldate2tuple) gives the same instant for +0000, +1130, -1130", () => {
  for (const resp of SAME_INSTANT) {
    const tt = Internaldate2tuple(enc(resp));
    assert.ok(tt instanceof Date, resp);
    assert.equal(tt.getTime() / 1000, T0, resp);
  }
});

test(
  "Internaldate2tuple (test_Internaldate2tuple) is independent of the local zone (run_with_tz)",
  async () => {
    // Asia/Kathmandu (+0545) shares no offset with the vectors; the local fields must follow.
    const result = await runWithTz(
      "Asia/Kathmandu",
      `return ${JSON.stringify(SAME_INSTANT)}.map((r) => {
        const d = imaplib.Internaldate2tuple(new TextEncoder().encode(r));
        return [d.getTime() / 1000, d.getHours(), d.getMinutes()];
      });`,
    );
    assert.deepEqual(result, [[T0, 5, 45], [T0, 5, 45], [T0, 5, 45]]);
  },
  noDeno,
);

test("Internaldate2tuple handles issue 10941 (MST+07MDT DST change)", async () => {
  // CPython: @run_with_tz('MST+07MDT,M4.1.0,M10.5.0'). America/Denver had exactly those rules in
  // 2000 (MST -0700, MDT -0600 from the first Sunday of April, 2000-04-02 02:00 local).
  const result = await runWithTz(
    "America/Denver",
    `const local = (r) => {
      const d = imaplib.Internaldate2tuple(new TextEncoder().encode(r));
      return [d.getTime() / 1000, d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(),
        d.getMinutes(), d.getSeconds(), d.getTimezoneOffset()];
    };
    return [
      local('25 (INTERNALDATE "02-Apr-2000 02:30:00 +0000")'),
      local('25 (INTERNALDATE "02-Apr-2000 03:30:00 +0000")'),
      // Either side of the change itself, at 09:00 UTC:
      local('25 (INTERNALDATE "02-Apr-2000 08:30:00 +0000")'),
      local('25 (INTERNALDATE "02-Apr-2000 09:30:00 +0000")'),
    ];`,
  ) as number[][];
  // The assertion CPython makes: the two results differ.
  assert.notDeepEqual(result[0], result[1]);
  assert.deepEqual(result, [
    [954642600, 2000, 4, 1, 19, 30, 0, 420],
    [954646200, 2000, 4, 1, 20, 30, 0, 420],
    [954664200, 2000, 4, 2, 1, 30, 0, 420],
    [954667800, 2000, 4, 2, 3, 30, 0, 360],
  ]);
}, noDeno);

test("Internaldate2tuple known answers (imaplib's InternalDate pattern)", () => {
  // [response, epoch seconds from CPython's imaplib (time.mktime of the result) or null]
  const rows: [Uint8Array, number | null][] = [
    [enc('INTERNALDATE " 1-Jan-1970 00:00:00 +0000"'), 0], // space-padded day
    [enc('INTERNALDATE "01-Jan-2000 00:00:00 -0000"'), 946684800],
    [latin1('\xff\rINTERNALDATE "17-Jul-1996 02:44:25 -0700"'), 837596665], // CR is not LF
    // The greedy .* takes the last INTERNALDATE of the first line.
    [
      enc(
        'x INTERNALDATE "01-Jan-2000 00:00:00 +0000" y INTERNALDATE "02-Jan-2000 00:00:00 +0000"',
      ),
      946771200,
    ],
    // Not range checked: calendar.timegm arithmetic.
    [enc('INTERNALDATE "39-Feb-2000 99:99:99 +9999"'), 952646499],
    [enc('INTERNALDATE "00-Mar-2000 00:00:00 +0000"'), 951782400],
    [enc('INTERNALDATE "01-Jan-0001 00:00:00 +0100"'), -62135600400], // not 1901 (Date.UTC)
    [enc('INTERNALDATE "31-Dec-9999 23:59:59 -2359"'), 253402387139],
    // No match: None in imaplib.
    [enc("bad data"), null],
    [enc('INTERNALDATE "01-jan-2000 00:00:00 +0000"'), null],
    [enc('INTERNALDATE "1-Jan-2000 00:00:00 +0000"'), null],
    [enc('INTERNALDATE "01-Jan-2000 00:00:00 +0000'), null],
    [enc('internaldate "01-Jan-2000 00:00:00 +0000"'), null],
    [enc('x\nINTERNALDATE "01-Jan-2000 00:00:00 +0000"'), null], // .* stops at LF
    [enc('INTERNALDATE "01-Jan-2000 0:00:00 +0000"'), null],
  ];
  for (const [resp, expected] of rows) {
    const got = Internaldate2tuple(resp);
    assert.equal(got === null ? null : got.getTime() / 1000, expected, ascii(resp));
  }
  // A string is UTF-8 encoded first.
  assert.equal(
    Internaldate2tuple('Ä (INTERNALDATE "01-Jan-2000 00:00:00 +0000")')?.getTime(),
    T0 * 1000,
  );
});

test("Internaldate2tuple throws where imaplib raises (KeyError month, year 0, not bytes)", () => {
  assert.throws(
    () => Internaldate2tuple(enc('INTERNALDATE "01-Foo-2000 00:00:00 +0000"')),
    { name: "RangeError", message: 'Cannot parse INTERNALDATE: unknown month "Foo"' },
  );
  assert.throws(
    () => Internaldate2tuple(enc('INTERNALDATE "01-Jan-0000 00:00:00 +0000"')),
    { name: "RangeError", message: "Cannot parse INTERNALDATE: year 0 is out of range" },
  );
  for (const bad of [null, undefined, 25, [1, 2], new ArrayBuffer(4)]) {
    assert.throws(() => Internaldate2tuple(bad as unknown as Uint8Array), TypeError);
  }
});

// --- Time2Internaldate --------------------------------------------------------------------------

// CPython's timevalues(): 2000000000, 2000000000.0, time.localtime(2000000000), the local 9-tuples
// (2033, 5, 18, 5, 33, 20, -1, -1, -1) and (..., 1), an aware datetime at +02:00 and the quoted
// string. A Date stands for the struct_time and the datetime; one built from local fields stands
// for the 9-tuples. As JS source evaluated where the process's zone applies.
const TIMEVALUES_JS = `[
  2000000000,
  2000000000.0,
  new Date(2000000000 * 1000),
  new Date(2033, 4, 18, 5, 33, 20),
  '"18-May-2033 05:33:20 +0200"',
]`;

test(
  "Time2Internaldate (test_Time2Internaldate) with run_with_locale de_DE and a +0100/+0200 DST zone",
  async () => {
    // CPython: @run_with_locale('LC_ALL', 'de_DE', 'fr_FR', '') and
    // @run_with_tz('STD-1DST,M3.2.0,M11.1.0'); Europe/Berlin is at +0200 on 2033-05-18 too.
    const result = await runWithTz(
      "Europe/Berlin",
      `return ${TIMEVALUES_JS}.map((t) => imaplib.Time2Internaldate(t));`,
      { LC_ALL: "de_DE.UTF-8", LANG: "de_DE.UTF-8" },
    );
    const expected = '"18-May-2033 05:33:20 +0200"';
    assert.deepEqual(result, [expected, expected, expected, expected, expected]);
  },
  noDeno,
);

test(
  "Time2Internaldate (test_Time2Internaldate_datetime_timetuple) with a Date from local fields",
  async () => {
    // CPython (gh-86165): datetime.fromtimestamp(2000000000).timetuple(), a naive local time whose
    // tm_gmtoff is None, under 'STD-1DST,M3.2.0,M11.1.0'. The JS counterpart is a Date built from
    // the local fields of that instant.
    const result = await runWithTz(
      "Europe/Berlin",
      `const local = new Date(2000000000 * 1000);
    const dateTime = new Date(local.getFullYear(), local.getMonth(), local.getDate(),
      local.getHours(), local.getMinutes(), local.getSeconds());
    return imaplib.Time2Internaldate(dateTime);`,
    );
    assert.equal(result, '"18-May-2033 05:33:20 +0200"');
  },
  noDeno,
);

test("Time2Internaldate returns a result (test_that_Time2Internaldate_returns_a_result)", () => {
  // Whatever this process's zone is, each value gives a well-formed result.
  const values: (number | Date | string)[] = [
    2000000000,
    2000000000.0,
    new Date(2000000000 * 1000),
    new Date(2033, 4, 18, 5, 33, 20),
    '"18-May-2033 05:33:20 +0200"',
  ];
  for (const t of values) {
    assert.match(
      Time2Internaldate(t),
      /^"\d\d-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"$/,
      String(t),
    );
  }
});

test("Time2Internaldate known answers in UTC and Africa/Monrovia (strftime %d %Y %z)", async () => {
  // Expected values from CPython's imaplib with TZ set, except the year padding of year 1: Python
  // 3.14 pads %Y to four digits on Linux too (gh-120713); earlier versions printed "1".
  const utc = await runWithTz(
    "UTC",
    `const at = (y, m, d) => { const x = new Date(0); x.setUTCFullYear(y, m, d); return x; };
    return [0, 1.9999999, -0.0000006, -0.0000004, 0.5, -0.5, 2000000000.4999999,
      2000000000.9999995, 2000000000.9999994, -62135596800, 253402300799, at(33, 0, 5),
      new Date(Date.UTC(2024, 1, 9, 7, 8, 9, 999))].map((t) => imaplib.Time2Internaldate(t));`,
  );
  assert.deepEqual(utc, [
    '"01-Jan-1970 00:00:00 +0000"',
    '"01-Jan-1970 00:00:02 +0000"', // fromtimestamp rounds to microseconds first
    '"31-Dec-1969 23:59:59 +0000"',
    '"01-Jan-1970 00:00:00 +0000"',
    '"01-Jan-1970 00:00:00 +0000"',
    '"31-Dec-1969 23:59:59 +0000"',
    '"18-May-2033 03:33:20 +0000"',
    '"18-May-2033 03:33:21 +0000"',
    '"18-May-2033 03:33:20 +0000"',
    '"01-Jan-0001 00:00:00 +0000"',
    '"31-Dec-9999 23:59:59 +0000"',
    '"05-Jan-0033 00:00:00 +0000"',
    '"09-Feb-2024 07:08:09 +0000"', // milliseconds dropped, day zero-padded
  ]);
  // Liberia kept its local mean time (-0:44:30 rounded by tzdata to -0:43:08) until 1972: %z
  // prints the seconds.
  const monrovia = await runWithTz(
    "Africa/Monrovia",
    "return [imaplib.Time2Internaldate(-2208988800), imaplib.Time2Internaldate(0)];",
  );
  assert.deepEqual(monrovia, ['"31-Dec-1899 23:16:52 -004308"', '"31-Dec-1969 23:15:30 -004430"']);
}, noDeno);

test("Time2Internaldate returns a quoted string as is and rejects other strings", () => {
  for (const quoted of ['"18-May-2033 05:33:20 +0200"', '"anything at all"', '""', '"']) {
    assert.equal(Time2Internaldate(quoted), quoted);
  }
  // imaplib: ValueError("date_time not of a known type"); for "" CPython 3.14 raises IndexError.
  for (const unquoted of ["", "x", "18-May-2033 05:33:20 +0200", '"18-May-2033', '18-May-2033"']) {
    assert.throws(() => Time2Internaldate(unquoted), {
      name: "RangeError",
      message: "date_time not of a known type",
    });
  }
});

test("Time2Internaldate rejects unknown types, NaN, invalid Dates and years outside 1..9999", () => {
  for (
    const bad of [null, undefined, true, 2000000000n, {}, [2033, 5, 18, 5, 33, 20, -1, -1, -1]]
  ) {
    assert.throws(() => Time2Internaldate(bad as unknown as number), {
      name: "TypeError",
      message: "date_time not of a known type",
    });
  }
  assert.throws(() => Time2Internaldate(NaN), {
    name: "RangeError",
    message: "Invalid value NaN (not a number)",
  });
  for (const bad of [Infinity, -Infinity, 1e300]) {
    assert.throws(() => Time2Internaldate(bad), RangeError);
  }
  assert.throws(() => Time2Internaldate(new Date(NaN)), RangeError);
  // Python: ValueError('year 0 is out of range') / ('year 10000 is out of range').
  assert.throws(() => Time2Internaldate(-62135596801), {
    name: "RangeError",
    message: "year 0 is out of range",
  });
  assert.throws(() => Time2Internaldate(253402300800), {
    name: "RangeError",
    message: "year 10000 is out of range",
  });
  assert.throws(() => Time2Internaldate(new Date(Date.UTC(20000, 5, 1))), RangeError);
});

// --- Int2AP -------------------------------------------------------------------------------------

test("Int2AP known answers (imaplib's A-P representation)", () => {
  // [num, expected] from CPython's imaplib.Int2AP
  const rows: [number, string][] = [
    [0, ""],
    [0.5, ""],
    [-0, ""],
    [1, "B"],
    [15, "P"],
    [16, "BA"],
    [17, "BB"],
    [-17.9, "BB"], // int(abs(num))
    [256, "BAA"],
    [4096, "BAAA"], // random.randint(4096, 65535): always four letters
    [65535, "PPPP"],
    [2 ** 53, "CAAAAAAAAAAAAA"],
    [2 ** 60, "B" + "A".repeat(15)],
    [1e20, "FGLMHFOCNGDBAAAAA"],
  ];
  for (const [num, expected] of rows) {
    const got = Int2AP(num);
    assert.ok(got instanceof Uint8Array);
    assert.equal(ascii(got), expected, String(num));
  }
  const max = Int2AP(Number.MAX_VALUE);
  assert.equal(max.length, 256);
  assert.equal(ascii(max.subarray(0, 14)), "PPPPPPPPPPPPPI");
  assert.ok(max.subarray(14).every((b) => b === 0x41));
});

test("Int2AP throws where imaplib raises", () => {
  assert.throws(() => Int2AP(NaN), { name: "RangeError" });
  assert.throws(() => Int2AP(Infinity), { name: "RangeError" });
  assert.throws(() => Int2AP(-Infinity), { name: "RangeError" });
  for (const bad of ["12", null, undefined, 12n]) {
    assert.throws(() => Int2AP(bad as unknown as number), TypeError);
  }
});

// --- ParseFlags ---------------------------------------------------------------------------------

test("ParseFlags known answers (imaplib's Flags pattern and bytes.split())", () => {
  // [response, flags] from CPython's imaplib.ParseFlags
  const rows: [string, string[]][] = [
    ["* 1 FETCH (FLAGS (\\Seen \\Answered) UID 4)", ["\\Seen", "\\Answered"]],
    ["nothing here", []],
    ["FLAGS ()", []],
    // The greedy .* picks the last match on the line, PERMANENTFLAGS included.
    ["* FLAGS (\\A) OK [PERMANENTFLAGS (\\B \\*)]", ["\\B", "\\*"]],
    ["1 FETCH (FLAGS (\\A) UID 1 FLAGS (\\B))", ["\\B"]],
    ["(FLAGS (\\Seen))\n(FLAGS (\\Deleted))", ["\\Seen"]],
    ["x\nFLAGS (\\Seen)", []], // anchored: .* stops at LF
    ["FLAGS (\\Seen\r\n\\Draft)", ["\\Seen", "\\Draft"]], // the list may span lines
    ["a\rFLAGS (\\X)", ["\\X"]], // CR is not LF
    // ASCII whitespace only: \x85, \xa0 and \x1c are not separators for bytes.
    ["FLAGS (a\tb\x0bc\x0cd\x85e\xa0f\x1cg  h)", ["a", "b", "c", "d\x85e\xa0f\x1cg", "h"]],
    ["FLAGS (\\Answered [test])", ["\\Answered", "[test]"]], // test_bracket_flags (issue 21815)
    ["FLAGS (\\Seen", []],
    ["flags (\\Seen)", []],
    ["FLAGS  (\\Seen)", []],
  ];
  for (const [resp, expected] of rows) {
    const got = ParseFlags(latin1(resp));
    assert.ok(got.every((f) => f instanceof Uint8Array));
    assert.deepEqual(got.map(ascii), expected, JSON.stringify(resp));
  }
});

test("ParseFlags returns copies, takes UTF-8 strings and rejects other types", () => {
  const resp = enc("1 (FLAGS (\\Seen))");
  const [flag] = ParseFlags(resp);
  flag[0] = 0x2f;
  assert.equal(ascii(resp), "1 (FLAGS (\\Seen))");
  assert.deepEqual(ParseFlags("* FLAGS (\\Seen Entwürfe)"), [enc("\\Seen"), enc("Entwürfe")]);
  for (const bad of [null, 1, ["FLAGS ()"]]) {
    assert.throws(() => ParseFlags(bad as unknown as Uint8Array), TypeError);
  }
});
