// Typed-layer parser throughput: parseFetch() on the data of 5,000 FETCH responses of
// (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE), as imaplib returns them, built in memory (no
// network, no decoder: the parser alone). Messages per second = 5,000 / (time per iteration).
//
//   deno bench bench/typed_bench.ts
//
// Two workloads: (a) the ASCII envelope lines of decoder_bench.ts (b), and (b) a realistic mix:
// several recipients, display names and subjects partly RFC 2047 encoded (UTF-8 Q and B,
// ISO-8859-1), raw UTF-8 subjects, some subjects as literals, group syntax, varied flags and
// dates in RFC 5322's obsolete forms.

import { parseFetch } from "../src/typed/mod.ts";
import type { DataItem } from "../src/typed/mod.ts";

const encoder = new TextEncoder();
const COUNT = 5000;

function asciiEnvelopes(count: number): DataItem[] {
  const out: DataItem[] = [];
  for (let n = 1; n <= count; n++) {
    out.push(encoder.encode(
      `${n} (FLAGS (\\Seen) INTERNALDATE "01-Dec-2026 10:00:00 +0000" RFC822.SIZE 20480 ` +
        `ENVELOPE ("Tue, 01 Dec 2026 10:00:00 +0000" "Message number ${n}" (("Bob" NIL "bob" ` +
        `"example.org")) (("Bob" NIL "bob" "example.org")) (("Bob" NIL "bob" "example.org")) ` +
        `(("Alice" NIL "alice" "example.org")) NIL NIL NIL "<${n}@example.org>"))`,
    ));
  }
  return out;
}

const NAMES = [
  '"Alice Example"',
  "NIL",
  '"=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?="',
  '"=?ISO-8859-1?Q?Andr=E9?="',
  '"Support Team"',
  '"=?UTF-8?B?5bGx55Sw5aSq6YOO?="',
];
const SUBJECTS = [
  (n: number) => `"Re: Quarterly report ${n}"`,
  (n: number) => `"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Berlin_${n}?="`,
  (n: number) => `"Invoice #${n} for December"`,
  (n: number) => `"=?UTF-8?B?0J/RgNC40LLQtdGCINC40Lcg0JzQvtGB0LrQstGL?= ${n}"`,
  (n: number) => `"[list] Weekly digest, issue ${n}"`,
  (n: number) => `"Café ${n} — menu"`,
];
const DATES = [
  '"Tue, 01 Dec 2026 10:00:00 +0000"',
  '"Mon, 7 Feb 2026 21:52:25 -0800 (PST)"',
  '"7 Feb 2026 21:52 +0100"',
  '"Wed, 03 Jun 26 08:15:00 GMT"',
];
const FLAGS = [
  "(\\Seen)",
  "()",
  "(\\Seen \\Answered)",
  "(\\Seen $Forwarded $label1)",
];

function address(i: number, user: string): string {
  return `(${NAMES[i % NAMES.length]} NIL "${user}" "mail.example.com")`;
}

function realisticEnvelopes(count: number): DataItem[] {
  const out: DataItem[] = [];
  for (let n = 1; n <= count; n++) {
    const from = `(${address(n, `sender${n % 97}`)})`;
    const to = n % 10 === 0
      ? `((NIL NIL "team" NIL)${address(n + 1, "a")}${address(n + 2, "b")}(NIL NIL NIL NIL))`
      : `(${address(n + 1, "alice")}${n % 3 === 0 ? address(n + 3, "carol") : ""})`;
    const cc = n % 4 === 0 ? `(${address(n + 4, "dave")})` : "NIL";
    const subject = SUBJECTS[n % SUBJECTS.length](n);
    const head = `${n} (UID ${1000 + n} FLAGS ${FLAGS[n % FLAGS.length]} INTERNALDATE ` +
      `"0${1 + (n % 9)}-Dec-2026 10:00:00 +0000" RFC822.SIZE ${2000 + n * 7} ENVELOPE (` +
      `${DATES[n % DATES.length]} `;
    const tail = ` ${from} ${from} ${from} ${to} ${cc} NIL ` +
      `${n % 5 === 0 ? `"<${n - 1}@mail.example.com>"` : "NIL"} "<${n}.${
        n * 31
      }@mail.example.com>"))`;
    if (n % 20 === 0) {
      // Gmail and Dovecot send a subject with odd characters as a literal.
      const literal = encoder.encode(`Subject with "quotes" and \\ ${n}`);
      out.push([encoder.encode(`${head}{${literal.length}}`), literal]);
      out.push(encoder.encode(tail));
    } else {
      out.push(encoder.encode(head + subject + tail));
    }
  }
  return out;
}

const ascii = asciiEnvelopes(COUNT);
const realistic = realisticEnvelopes(COUNT);
if (
  parseFetch(realistic).length !== COUNT || parseFetch(ascii).length !== COUNT
) {
  throw new Error("bench data does not parse to 5,000 messages");
}

Deno.bench(
  "parseFetch (a): 5,000 ASCII ENVELOPE responses",
  { group: "typed" },
  () => {
    parseFetch(ascii);
  },
);
Deno.bench("parseFetch (b): 5,000 realistic ENVELOPE responses", {
  group: "typed",
}, () => {
  parseFetch(realistic);
});
