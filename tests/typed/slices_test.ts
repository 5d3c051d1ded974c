// The typed functions' bulk work in parts (src/typed/client/slices.ts): whatever the cut, the
// result is the pure parser's on the whole data, a parse error is the one the pure parser
// throws, and the event loop is offered a turn between parts. The turns' timing is measured by
// bench/typed_loop_bench.ts (gaps of a 5 ms timer), not here.

import assert from "node:assert/strict";
import { denoOnly, test } from "../_harness.ts";
import {
  type DataItem,
  mailboxTree,
  parseList,
  parseResponseCodeTyped,
  parseSearch,
  TypedParseError,
} from "../../mod.ts";
import {
  copyUidInParts,
  forEachInParts,
  parseInParts,
  searchParts,
} from "../../src/typed/client/slices.ts";
import { MailboxTreeBuilder } from "../../src/typed/mailbox_tree.ts";
import { fuzzSeed, RUNS } from "./_fuzz.ts";
import { countingTurn } from "../_turns.ts";

// Deno only: fast-check comes through an `npm:` specifier, which Bun's test runner lacks; the
// known answers run on both.
const fc = denoOnly.ignore ? null : (await import("npm:fast-check@4.11.0")).default;

const SEED = fuzzSeed(0x511ce5);
const b = (s: string) => new TextEncoder().encode(s);

function check<T>(
  property: import("npm:fast-check@4.11.0").IAsyncProperty<T>,
  runs = RUNS,
): Promise<void> {
  return fc!.assert(property, { numRuns: runs, seed: SEED });
}

// LIST data: names as quoted strings or as literals (a pair, then the bytes that close it).
function listData(names: readonly [name: string, literal: boolean][]): DataItem[] {
  const data: DataItem[] = [];
  for (const [name, literal] of names) {
    if (literal) data.push([b(`(\\HasNoChildren) "/" {${b(name).length}}`), b(name)], b(""));
    else data.push(b(`(\\HasChildren) "/" "${name}"`));
  }
  return data;
}

test("parseInParts: LIST data cut into parts gives parseList's result, a turn between parts", async () => {
  const names = Array.from(
    { length: 1000 },
    (_, i) => [`Top${i % 7}/Sub ${i}`, i % 3 === 0] as [string, boolean],
  );
  const data = listData(names);
  const { turn, turns } = countingTurn();
  const got = await parseInParts(data, parseList, turn, data, 16);
  assert.deepEqual(got, parseList(data));
  assert.equal(got.length, 1000);
  assert.ok(turns() >= 1000 / 16 - 1, `${turns()} turns`);
});

test("parseInParts: small data is parsed at once", async () => {
  const data = listData([["A", false], ["B", true]]);
  const { turn, turns } = countingTurn();
  assert.deepEqual(await parseInParts(data, parseList, turn), parseList(data));
  assert.equal(turns(), 0);
});

test("parseInParts: a broken response fails as the pure parser fails, index and offset", async () => {
  const data = listData(Array.from({ length: 600 }, (_, i) => [`Box${i}`, i % 5 === 0]));
  let at = 500;
  while (!(data[at - 1] instanceof Uint8Array)) at++; // between responses
  const index = data.slice(0, at).filter((item) => item instanceof Uint8Array).length;
  data.splice(at, 0, b('(\\HasNoChildren "/" "unclosed'));
  let whole: TypedParseError | undefined;
  try {
    parseList(data);
  } catch (e) {
    whole = e as TypedParseError;
  }
  assert.ok(whole instanceof TypedParseError && whole.response === index);
  await assert.rejects(parseInParts(data, parseList, countingTurn().turn, data, 10), (e) => {
    assert.ok(e instanceof TypedParseError);
    assert.equal(e.message, whole!.message);
    assert.equal(e.response, whole!.response);
    assert.equal(e.offset, whole!.offset);
    return true;
  });
});

test("property: parseInParts equals parseList for any cut", async () => {
  const name = fc!.stringMatching(/^[A-Za-z0-9 ./]{1,12}$/);
  await check(fc!.asyncProperty(
    fc!.array(fc!.tuple(name, fc!.boolean()), { maxLength: 60 }),
    fc!.integer({ min: 1, max: 20 }),
    async (names, perPart) => {
      const data = listData(names);
      assert.deepEqual(
        await parseInParts(data, parseList, countingTurn().turn, data, perPart),
        parseList(data),
      );
    },
  ));
}, denoOnly);

test("property: SEARCH lines cut at spaces give parseSearch's numbers", async () => {
  const uid = fc!.integer({ min: 1, max: 0xffffffff });
  await check(fc!.asyncProperty(
    fc!.array(uid, { maxLength: 80 }),
    fc!.option(fc!.bigInt({ min: 1n, max: 2n ** 63n - 1n }), { nil: undefined }),
    fc!.integer({ min: 1, max: 40 }),
    async (numbers, modseq, bytesPerPart) => {
      const line = numbers.join(" ") + (modseq === undefined ? "" : ` (MODSEQ ${modseq})`);
      const data: DataItem[] = [b(line), b("7 8")];
      const parts = searchParts(data, bytesPerPart);
      for (const part of parts) assert.ok(part instanceof Uint8Array);
      if (modseq !== undefined) {
        // The MODSEQ group stays whole, in the part that ends the line.
        assert.ok(
          parts.some((p) =>
            new TextDecoder().decode(p as Uint8Array).endsWith(`(MODSEQ ${modseq})`)
          ),
        );
      }
      const got = await parseInParts(parts, parseSearch, countingTurn().turn, data, 1);
      assert.deepEqual(got, parseSearch(data));
      assert.deepEqual(got, [...numbers, 7, 8]);
    },
  ));
}, denoOnly);

test("searchParts: a million numbers come in parts of about 64 KiB; junk fails as parseSearch fails", async () => {
  const numbers = Array.from({ length: 1_000_000 }, (_, i) => i + 1);
  const data = [b(numbers.join(" "))];
  const parts = searchParts(data);
  assert.ok(parts.length > 100, `${parts.length} parts`);
  for (const part of parts) assert.ok((part as Uint8Array).length <= 64 * 1024);
  const { turn, turns } = countingTurn();
  assert.deepEqual(await parseInParts(parts, parseSearch, turn, data, 1), numbers);
  assert.ok(turns() >= parts.length - 1);

  const broken = [b(numbers.slice(0, 50_000).join(" ") + " 12x 13")];
  let whole: TypedParseError | undefined;
  try {
    parseSearch(broken);
  } catch (e) {
    whole = e as TypedParseError;
  }
  assert.ok(whole instanceof TypedParseError);
  await assert.rejects(
    parseInParts(searchParts(broken), parseSearch, turn, broken, 1),
    (e) =>
      e instanceof TypedParseError && e.offset === whole!.offset && e.message === whole!.message,
  );
});

test("property: copyUidInParts maps as parseResponseCodeTyped maps", async () => {
  const range = fc!.tuple(
    fc!.integer({ min: 1, max: 4_000_000 }),
    fc!.integer({ min: 0, max: 30 }),
  );
  await check(fc!.asyncProperty(
    fc!.array(range, { minLength: 1, maxLength: 12 }),
    fc!.integer({ min: 1, max: 3_000_000_000 }),
    fc!.integer({ min: 1, max: 0xffffffff }),
    async (ranges, firstDestination, uidValidity) => {
      const source = ranges.map(([low, span]) => (span === 0 ? `${low}` : `${low}:${low + span}`))
        .join(",");
      const count = ranges.reduce((n, [, span]) => n + span + 1, 0);
      const destination = `${firstDestination}:${firstDestination + count - 1}`;
      const text = `${uidValidity} ${source} ${destination}`;
      const code = parseResponseCodeTyped(`[COPYUID ${text}]`)!;
      const got = await copyUidInParts(b(text), countingTurn().turn);
      assert.equal(got?.uidValidity, code.uidValidity);
      assert.deepEqual(got?.uidMap, code.uidMap);
    },
  ));
}, denoOnly);

test("copyUidInParts: large maps in parts; sets of other sizes, no map; bad data as parseResponseCodeTyped reads it", async () => {
  const { turn, turns } = countingTurn();
  const big = await copyUidInParts(b("9 1:40000 100001:140000"), turn);
  assert.equal(big?.uidMap?.size, 40_000);
  assert.equal(big?.uidMap?.get(40_000), 140_000);
  assert.ok(turns() >= 2, `${turns()} turns`);
  assert.deepEqual(await copyUidInParts(b("9 1:3 7:8"), turn), { uidValidity: 9 });
  // More than a million UIDs: no map, as parseResponseCodeTyped leaves it out.
  assert.deepEqual(await copyUidInParts(b("9 1:1000001 2000001:3000001"), turn), {
    uidValidity: 9,
  });
  for (const bad of ["", "9", "9 1:3", "x 1 2", "9 a 1", "9 1:0 2"]) {
    assert.equal(await copyUidInParts(b(bad), turn), null, bad);
    assert.equal(parseResponseCodeTyped(`[COPYUID ${bad}]`)?.uidValidity, undefined, bad);
  }
});

test("forEachInParts and MailboxTreeBuilder build mailboxTree()'s tree, a turn between parts", async () => {
  const data = listData(
    Array.from(
      { length: 3000 },
      (_, i) => [`L${i % 5}/M${i % 17}/N${i}`, false] as [string, boolean],
    ),
  );
  const entries = parseList(data);
  const builder = new MailboxTreeBuilder();
  const { turn, turns } = countingTurn();
  await forEachInParts(entries, (entry) => builder.add(entry), turn, 100);
  assert.deepEqual(builder.tree, mailboxTree(entries));
  assert.equal(turns(), 29);
});
