// Property-based tests (fast-check) for the typed layer: round trips of the text functions, of
// generated typed messages written as FETCH responses in imaplib's data shape (_wire.ts) and
// parsed back, and random or mutated input that must never crash a parser (a TypedParseError
// or a result, nothing else).
//
//   deno test -A tests/typed/property_test.ts                 # 200 runs per property, fixed seed
//   FUZZ_RUNS=5000 FUZZ_SEED=random deno test -A tests/typed/property_test.ts
//
// On failure fast-check prints the seed and shrink path; FUZZ_SEED=<seed> replays it.

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.11.0";
import {
  type Address,
  type BodyStructure,
  compressSequenceSet,
  countSequenceSet,
  type DataItem,
  decodeMailbox,
  decodeParameters,
  decodeWords,
  encodeMailbox,
  type Envelope,
  expandSequenceSet,
  type FetchMessage,
  parseAcl,
  parseEsearch,
  parseFetch,
  parseList,
  parseMyRights,
  parseNamespace,
  parseQuota,
  parseQuotaRoot,
  parseResponseCodeTyped,
  parseSearch,
  parseStatus,
  parseThread,
  TypedParseError,
} from "../../src/typed/mod.ts";
import { encodeWords, fetchResponse, type WireStyle } from "./_wire.ts";
import { fuzzSeed, RUNS } from "./_fuzz.ts";
import { sortedUnique } from "../../src/typed/sequence_set.ts";

const SEED = fuzzSeed(20261205);

function check<T>(property: fc.IProperty<T>, runs = RUNS): void {
  fc.assert(property, { numRuns: runs, seed: SEED });
}

// --- Text functions ---------------------------------------------------------------------------

const anyText = fc.string({ unit: "binary", maxLength: 30 });
// Any UTF-16 code units, lone surrogates included.
const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }).map((units) =>
  String.fromCharCode(...units)
);

Deno.test("property: modified UTF-7 round trip, output 7-bit printable", () => {
  check(fc.property(fc.oneof(anyText, anyUnits), (name) => {
    const wire = encodeMailbox(name);
    assert.match(wire, /^[\x20-\x7e]*$/);
    assert.equal(decodeMailbox(wire), name);
  }));
});

Deno.test("property: decoders never throw on arbitrary text", () => {
  const soup = fc.array(
    fc.oneof(
      anyText,
      fc.constantFrom(
        "=?",
        "?=",
        "?Q?",
        "?B?",
        "&",
        "-",
        "&-",
        "utf-8",
        "x-unknown",
        "*",
        "'",
        "%",
      ),
    ),
    { maxLength: 12 },
  ).map((parts) => parts.join(""));
  check(fc.property(soup, soup, (a, b) => {
    assert.equal(typeof decodeWords(a), "string");
    assert.equal(typeof decodeMailbox(a), "string");
    assert.equal(typeof decodeParameters([[a, b], [`${a}*0*`, b], [`${a}*`, b]]), "object");
  }));
});

const style: fc.Arbitrary<WireStyle> = fc.record({
  literals: fc.boolean(),
  base64: fc.boolean(),
  wordBytes: fc.integer({ min: 1, max: 24 }),
  zone: fc.integer({ min: -720, max: 840 }),
  lowerCase: fc.boolean(),
});

Deno.test("property: RFC 2047 round trip (UTF-8, Q and B, words split anywhere)", () => {
  check(fc.property(anyText, style, (text, s) => {
    assert.equal(decodeWords(encodeWords(text, s)), text);
  }));
});

Deno.test("property: RFC 2047 round trip in ISO-8859-1", () => {
  const latin = fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0xa0, max: 0xff }),
    ).map((c) => String.fromCharCode(c)),
    maxLength: 20,
  });
  check(fc.property(latin, fc.boolean(), (text, b) => {
    const bytes = [...text].map((c) => c.charCodeAt(0));
    const word = b
      ? `=?ISO-8859-1?B?${btoa(String.fromCharCode(...bytes))}?=`
      : `=?iso-8859-1?q?${bytes.map((x) => `=${x.toString(16).padStart(2, "0")}`).join("")}?=`;
    assert.equal(decodeWords(word), text);
  }));
});

Deno.test("property: RFC 2231 continuations round trip", () => {
  check(fc.property(anyText, fc.integer({ min: 1, max: 10 }), (value, size) => {
    const encoded = [...new TextEncoder().encode(value)].map((b) =>
      `%${b.toString(16).padStart(2, "0")}`
    );
    const pairs: [string, string][] = [];
    for (let i = 0; i * size < Math.max(encoded.length, 1); i++) {
      const piece = encoded.slice(i * size, (i + 1) * size).join("");
      pairs.push([`Name*${i}*`, i === 0 ? `UTF-8'de'${piece}` : piece]);
    }
    pairs.reverse(); // servers need not send them in order
    assert.deepEqual(decodeParameters(pairs), { name: value });
  }));
});

Deno.test("property: sequence sets compress and expand back", () => {
  check(fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), (numbers) => {
    const set = compressSequenceSet(numbers);
    assert.deepEqual(expandSequenceSet(set), [...new Set(numbers)].sort((a, b) => a - b));
  }));
});

// The sets written the plain way: sorted, duplicates dropped, consecutive numbers as low:high.
function referenceSet(numbers: number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

Deno.test("property: compressSequenceSet writes what the plain way writes, any order and size", () => {
  const number = fc.oneof(
    fc.integer({ min: 1, max: 0xffffffff }),
    fc.integer({ min: 0xfffffff0, max: 0xffffffff }),
    fc.integer({ min: 1, max: 40 }),
  );
  const numbers = fc.oneof(
    fc.array(number, { maxLength: 80 }),
    fc.array(number, { maxLength: 80 }).map((list) => list.sort((a, b) => a - b)),
    // More than one 64 KiB piece of output.
    fc.integer({ min: 1, max: 0xfff00000 }).map((base) =>
      Array.from({ length: 9_000 }, (_, i) => base + i * 3 + (i % 7 === 0 ? 1 : 0))
    ),
  );
  check(fc.property(numbers, (list) => {
    const set = compressSequenceSet(list);
    assert.equal(set, referenceSet(list));
    assert.equal(compressSequenceSet(new Set(list)), set); // any iterable
  }));
});

Deno.test("property: sortedUnique sorts ascending and drops duplicates", () => {
  check(
    fc.property(fc.array(fc.integer({ min: 1, max: 0xffffffff }), { maxLength: 80 }), (list) => {
      const doubled = [...list, ...list.slice(0, list.length >> 1)];
      assert.deepEqual(sortedUnique(doubled), [...new Set(list)].sort((a, b) => a - b));
    }),
  );
});

Deno.test("property: sequence set ranges count and expand as the plain reading does", () => {
  const item = fc.tuple(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 5 }))
    .map(([n, span]) => (span === 0 ? `${n}` : `${n}:${Math.min(n + span, 0xffffffff)}`));
  check(fc.property(fc.array(item, { minLength: 1, maxLength: 30 }), (items) => {
    const set = items.join(",");
    const expected = items.flatMap((text) => {
      const [low, high = low] = text.split(":").map(Number);
      return Array.from({ length: high - low + 1 }, (_, i) => low + i);
    });
    assert.deepEqual(expandSequenceSet(set), expected);
    assert.equal(countSequenceSet(set), expected.length);
  }));
});

// --- Typed messages round trip ----------------------------------------------------------------

const token = fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}$/);
const date = fc.integer({ min: 0, max: 4102444799 }).map((s) => new Date(s * 1000));
const addressPart = fc.string({ unit: "binary", minLength: 1, maxLength: 8 }).filter((s) =>
  !s.includes("@")
);
const address: fc.Arbitrary<Address> = fc.record({
  name: anyText,
  address: fc.oneof(
    fc.tuple(addressPart, addressPart).map(([m, h]) => `${m}@${h}`),
    addressPart,
  ),
}, { requiredKeys: [], noNullPrototype: true });
const group: fc.Arbitrary<Address> = fc.record({
  name: anyText,
  group: fc.array(address, { maxLength: 3 }),
}, { noNullPrototype: true });
const addresses = fc.array(fc.oneof(address, address, group), { maxLength: 3 });
const envelope: fc.Arbitrary<Envelope> = fc.record({
  date,
  subject: anyText,
  messageId: anyText,
  inReplyTo: anyText,
  from: addresses,
  sender: addresses,
  replyTo: addresses,
  to: addresses,
  cc: addresses,
  bcc: addresses,
}, { requiredKeys: [], noNullPrototype: true });

const parameters = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/), anyText, {
  maxKeys: 3,
  noNullPrototype: true,
});
const extension = {
  parameters,
  disposition: token,
  dispositionParameters: parameters,
  language: fc.array(token, { minLength: 1, maxLength: 2 }),
  location: anyText,
};
const partFields = {
  ...extension,
  id: anyText,
  description: anyText,
  encoding: token,
  size: fc.nat(),
  md5: anyText,
};
const basicType = fc.tuple(token, token).filter(([t]) =>
  !["text", "message", "multipart"].includes(t)
)
  .map(([t, s]) => `${t}/${s}`);

const { body } = fc.letrec<{ body: BodyStructure }>((tie) => ({
  body: fc.oneof(
    { maxDepth: 3, depthIdentifier: "body" },
    fc.record({ type: basicType, ...partFields }, {
      requiredKeys: ["type"],
      noNullPrototype: true,
    }),
    fc.record(
      { type: token.map((s) => `text/${s}`), lineCount: fc.nat(), ...partFields },
      { requiredKeys: ["type"], noNullPrototype: true },
    ),
    fc.record({
      type: fc.constant("message/rfc822"),
      envelope,
      childNodes: tie("body").map((b) => [b]),
      lineCount: fc.nat(),
      ...partFields,
    }, { requiredKeys: ["type", "envelope", "childNodes"], noNullPrototype: true }),
    fc.record({
      type: token.map((s) => `multipart/${s}`),
      childNodes: fc.array(tie("body"), { maxLength: 3, depthIdentifier: "body" }),
      ...extension,
    }, { requiredKeys: ["type", "childNodes"], noNullPrototype: true }),
  ),
}));

// Part numbers by RFC 3501 section 6.4.5; dispositionParameters only with a disposition.
function normalize(b: BodyStructure, part: string, root: boolean): BodyStructure {
  const join = (prefix: string, i: number) => prefix === "" ? String(i) : `${prefix}.${i}`;
  const out: BodyStructure = { ...b };
  if (out.disposition === undefined) delete out.dispositionParameters;
  if (b.type.startsWith("multipart/")) {
    if (!root) out.part = part;
    out.childNodes = b.childNodes!.map((c, i) => normalize(c, join(part, i + 1), false));
  } else {
    out.part = root ? join(part, 1) : part;
    if (b.childNodes) out.childNodes = [normalize(b.childNodes[0], out.part, true)];
  }
  return out;
}

const section = fc.oneof(
  fc.stringMatching(/^[1-9](\.[1-9]){0,2}(\.(MIME|TEXT|HEADER))?$/),
  fc.constant("TEXT"),
  fc.stringMatching(/^BINARY\[[1-9](\.[1-9])?\]$/),
);
const bytes = fc.uint8Array({ maxLength: 24 });
const objectId = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const message: fc.Arbitrary<FetchMessage> = fc.record({
  seq: fc.integer({ min: 1, max: 0xffffffff }),
  uid: fc.integer({ min: 1, max: 0xffffffff }),
  flags: fc.array(
    fc.oneof(
      fc.stringMatching(/^\\?[A-Za-z$][A-Za-z0-9$_.-]{0,8}$/),
      fc.constantFrom("\\Flagged", "$MailFlagBit0", "$MailFlagBit1", "$MailFlagBit2"),
    ),
    { maxLength: 5 },
  ).map((f) => new Set(f)),
  internalDate: date,
  size: fc.integer({ min: 0, max: 0xffffffff }),
  modseq: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
  envelope,
  bodyStructure: body.map((b) => normalize(b, "", true)),
  source: bytes,
  headers: bytes,
  bodyParts: fc.array(fc.tuple(section, bytes), { minLength: 1, maxLength: 3 }).map((e) =>
    new Map(e)
  ),
  emailId: objectId,
  threadId: objectId,
  gmailMessageId: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
  gmailThreadId: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
  labels: fc.array(anyText, { maxLength: 3 }).map((l) => new Set(l)),
}, { requiredKeys: ["seq"], noNullPrototype: true }).map((m: FetchMessage) => {
  // RFC 8474 ids are filled from Gmail's when the server sent no EMAILID / THREADID.
  if (m.gmailMessageId !== undefined && m.emailId === undefined) {
    m.emailId = String(m.gmailMessageId);
  }
  if (m.gmailThreadId !== undefined && m.threadId === undefined) {
    m.threadId = String(m.gmailThreadId);
  }
  // Apple Mail's flag colour: \Flagged, and the number the three bits write (7 has no colour:
  // red, as for none).
  if (m.flags?.has("\\Flagged")) {
    const n = [0, 1, 2].reduce(
      (sum, bit) => sum + (m.flags!.has(`$MailFlagBit${bit}`) ? 1 << bit : 0),
      0,
    );
    m.flagColor =
      (["red", "orange", "yellow", "green", "blue", "purple", "grey", "red"] as const)[n];
  }
  return m;
});

Deno.test("property: typed messages written as FETCH responses parse back equal", () => {
  check(fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), style, (msgs, s) => {
    const data = msgs.flatMap((m) => fetchResponse(m, s));
    assert.deepEqual(parseFetch(data), msgs);
  }));
});

// --- LIST names ------------------------------------------------------------------------------

const utf8Bytes = (text: string) => new TextEncoder().encode(text);

// A name as a LIST response sends it: quoted (with `\\` escapes where needed), as a literal, or
// as an atom when it can be one.
function listLine(wire: Uint8Array, delimiter: string, form: number): DataItem[] {
  const text = new TextDecoder().decode(wire);
  const head = `(\\HasNoChildren) "${delimiter}" `;
  if (form === 1) return [[utf8Bytes(`${head}{${wire.length}}`), wire], utf8Bytes("")];
  if (form === 2 && /^[A-Za-z0-9&.,+_-]+$/.test(text) && text.toUpperCase() !== "NIL") {
    return [utf8Bytes(head + text)];
  }
  return [utf8Bytes(`${head}"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`)];
}

Deno.test("property: LIST names in any form and script come back as sent, split by level", () => {
  const level = fc.oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 })
      .filter((l) => !l.includes("/") && ![...l].some((c) => c < " " || c === "\x7f")),
    // What reads as modified UTF-7 (`&AOQ-` is ä), which raw 8-bit names must not be decoded as.
    fc.constantFrom("&AOQ-", "&-", "Ö&AOQ-", "a&b"),
  );
  check(fc.property(
    fc.array(level, { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 0, max: 2 }),
    // Modified UTF-7; UTF-8 after UTF8=ACCEPT; raw UTF-8 from a server that sends it anyway.
    fc.constantFrom("utf7", "utf8", "raw"),
    (levels, form, names) => {
      const path = levels.join("/");
      if (names === "raw" && ![...path].some((c) => c > "\x7f")) return; // raw: 8-bit bytes
      const wire = utf8Bytes(names === "utf7" ? encodeMailbox(path) : path);
      const [entry] = parseList(listLine(wire, "/", form), { utf8: names === "utf8" });
      const expected = path.length === 5 && path.toUpperCase() === "INBOX" ? "INBOX" : path;
      assert.equal(entry.path, expected);
      assert.equal(entry.pathAsListed, new TextDecoder().decode(wire));
      assert.equal(entry.name, expected.split("/").pop());
      assert.deepEqual(entry.parent, levels.slice(0, -1));
      assert.equal(entry.parentPath, levels.slice(0, -1).join("/"));
    },
  ));
});

// --- Hostile input ------------------------------------------------------------------------------

const PARSERS: [string, (data: DataItem[]) => unknown][] = [
  ["parseFetch", parseFetch],
  ["parseList", parseList],
  ["parseList utf8", (d) => parseList(d, { utf8: true })],
  ["parseStatus", parseStatus],
  ["parseSearch", parseSearch],
  ["parseThread", parseThread],
  ["parseEsearch", parseEsearch],
  ["parseNamespace", parseNamespace],
  ["parseQuota", parseQuota],
  ["parseQuotaRoot", parseQuotaRoot],
  ["parseAcl", parseAcl],
  ["parseMyRights", parseMyRights],
];

function neverCrashes(data: DataItem[]): void {
  for (const [name, parse] of PARSERS) {
    try {
      parse(data);
    } catch (e) {
      if (!(e instanceof TypedParseError)) {
        throw new Error(`${name} threw ${e} on ${JSON.stringify(data.map(String))}`);
      }
    }
  }
  for (const item of data) {
    const text = item instanceof Uint8Array ? item : item?.[0];
    if (text) {
      const code = parseResponseCodeTyped(text);
      assert.ok(code === null || typeof code.code === "string");
    }
  }
}

const item: fc.Arbitrary<DataItem> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 20 })),
  fc.constant(null),
);

Deno.test("property: random bytes never crash a parser", () => {
  check(fc.property(fc.array(item, { maxLength: 4 }), neverCrashes), RUNS * 5);
});

// IMAP-shaped token soup reaches deeper than random bytes: item names, lists, strings and
// literals in random order; a `{N}` ends the text piece, the literal follows (with N bytes, or
// not).
const TOKENS = [
  "(",
  "(",
  ")",
  ")",
  " ",
  " ",
  "NIL",
  "0",
  "7",
  "4294967296",
  '"q"',
  '"a \\" b"',
  '""',
  "\\Seen",
  "[",
  "]",
  "<0>",
  "BODY[",
  "BODY[]",
  "BODY[1.2]",
  "BODY[HEADER]",
  "BINARY[1]",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "BODY",
  "FLAGS",
  "UID",
  "MODSEQ",
  "EMAILID",
  "THREADID",
  "X-GM-LABELS",
  "X-GM-MSGID",
  "INTERNALDATE",
  "RFC822.SIZE",
  "RFC822",
  '"text"',
  '"plain"',
  '"message"',
  '"rfc822"',
  '"multipart"',
  '"mixed"',
  '"=?UTF-8?Q?a?="',
  '"17-Jul-1996 02:44:25 -0700"',
  "FETCH",
  "*",
  "TAG",
  "MIN",
  "ALL",
  "1:3,5",
  "PARTIAL",
  "STORAGE",
  "~",
  "{",
  "}",
  "+",
  "\r",
  "\x00",
  "\xff",
  "é",
];
const soup: fc.Arbitrary<DataItem[]> = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...TOKENS) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(4), fc.boolean()).map(([n, exact]) => [n, exact] as const),
    },
  ),
  { maxLength: 40 },
).map((tokens) => {
  const out: DataItem[] = [];
  let text = "";
  for (const t of tokens) {
    if (typeof t === "string") {
      text += t;
      continue;
    }
    const [n, exact] = t;
    const enc = new TextEncoder();
    out.push([enc.encode(`${text}{${n}}`), new Uint8Array(exact ? n : n + 1).fill(0x29)]);
    text = "";
  }
  out.push(new TextEncoder().encode(text));
  return out;
});

Deno.test("property: IMAP-shaped token soup never crashes a parser", () => {
  check(fc.property(soup, neverCrashes), RUNS * 5);
  check(
    fc.property(soup, (data) => neverCrashes([new TextEncoder().encode("1 ("), ...data])),
    RUNS * 5,
  );
});

Deno.test("property: mutated valid FETCH responses never crash a parser", () => {
  const mutation = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2));
  check(fc.property(message, style, mutation, (msg, s, [which, at, byte, kind]) => {
    const data = fetchResponse(msg, s).map((d) =>
      d instanceof Uint8Array ? d.slice() : d && [d[0].slice(), d[1].slice()] as const
    );
    const target = data[which % data.length];
    const buf = target instanceof Uint8Array ? target : target![0];
    if (buf.length === 0) return;
    const i = at % buf.length;
    if (kind === 0) buf[i] = byte; // a changed byte
    else if (kind === 1) data[which % data.length] = buf.subarray(0, i); // cut short
    else data.splice(which % data.length, 1); // a piece lost
    neverCrashes(data);
  }));
});
