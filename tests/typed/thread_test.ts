// parseThread(): RFC 5256's THREAD responses as trees. Known answers from the RFC, what the
// grammar refuses, a hostile depth, and generated trees written as the grammar writes them and
// read back.

import assert from "node:assert/strict";
import { denoOnly, test } from "../_harness.ts";
import { parseThread, type ThreadNode, TypedParseError } from "../../mod.ts";
import { ThreadReader } from "../../src/typed/thread.ts";
import { fuzzSeed, RUNS } from "./_fuzz.ts";

// Deno only: fast-check comes through an `npm:` specifier, which Bun's test runner lacks; the
// known answers run on both.
const fc = denoOnly.ignore ? null : (await import("npm:fast-check@4.11.0")).default;

const SEED = fuzzSeed(0x7412ead);
const b = (s: string) => new TextEncoder().encode(s);
const node = (id: number | null, ...children: ThreadNode[]): ThreadNode => ({ id, children });

test("parseThread: RFC 5256 section 4's example, a missing parent, no threads", () => {
  assert.deepEqual(parseThread([b("(2)(3 6 (4 23)(44 7 96))")]), [
    node(2),
    node(3, node(6, node(4, node(23)), node(44, node(7, node(96))))),
  ]);
  // `thread-nested` without a number: siblings whose parent is not there.
  assert.deepEqual(parseThread([b("((3)(5 9))(7)")]), [
    node(null, node(3), node(5, node(9))),
    node(7),
  ]);
  assert.deepEqual(parseThread([b("(1 ((2)(3))(4))")]), [
    node(1, node(null, node(2), node(3)), node(4)),
  ]);
  assert.deepEqual(parseThread([b("")]), []);
  assert.deepEqual(parseThread([null]), []);
  assert.deepEqual(parseThread([b("(1)"), b("(2 3)")]), [node(1), node(2, node(3))]);
  assert.deepEqual(parseThread([b("(4294967295)")]), [node(4294967295)]);
});

test("parseThread: what the grammar refuses is a TypedParseError with its offset", () => {
  for (
    const [text, offset] of [
      ["(1", 2],
      ["1)", 0],
      ["(1))", 3],
      ["()", 1],
      ["(1 (2)(3) 4)", 10],
      ["(0)", 1],
      ["(a)", 1],
      ["(4294967296)", 1],
      ["(1)\r\n", 3],
    ] as const
  ) {
    assert.throws(() => parseThread([b(text)]), (e) => {
      assert.ok(e instanceof TypedParseError, text);
      assert.equal(e.offset, offset, `${text}: ${e.message}`);
      return true;
    });
  }
  assert.throws(
    () => parseThread([b("(1)"), b("(")]),
    (e) => e instanceof TypedParseError && e.response === 1,
  );
});

test("parseThread: a hostile depth is read with a stack of its own, not the call stack", () => {
  const depth = 200_000;
  // Each level: a parent that is not there, with 2, the next level and 4 as its children.
  const [root] = parseThread([
    b("(1 " + "((2)".repeat(depth) + "(3)" + ")(4)".repeat(depth) + ")"),
  ]);
  let levels = 0;
  for (let at = root.children[0]; at.id === null; at = at.children[1]) {
    assert.equal(at.children[0].id, 2);
    levels++;
  }
  assert.equal(levels, depth);
});

// A tree as the grammar writes it (RFC 5256 section 5): a node's only child continues its
// chain; two or more children are nested lists; a node without a number is nested lists alone.
function write(n: ThreadNode): string {
  return `(${chain(n)})`;
}
function chain(n: ThreadNode): string {
  if (n.id === null) return n.children.map(write).join("");
  if (n.children.length === 0) return `${n.id}`;
  if (n.children.length === 1 && n.children[0].id !== null) {
    return `${n.id} ${chain(n.children[0])}`;
  }
  return `${n.id} ${n.children.map(write).join("")}`;
}

test("property: thread trees written as the grammar writes them parse back equal", () => {
  const { tree } = fc!.letrec<{ tree: ThreadNode }>((tie) => ({
    tree: fc!.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc!.integer({ min: 1, max: 0xffffffff }).map((id) => node(id)),
      fc!.tuple(fc!.integer({ min: 1, max: 0xffffffff }), fc!.array(tie("tree"), { maxLength: 3 }))
        // A single child without a number cannot be written after a number.
        .filter(([, kids]) => !(kids.length === 1 && kids[0].id === null))
        .map(([id, kids]) => node(id, ...kids)),
      fc!.array(tie("tree"), { minLength: 2, maxLength: 3 }).map((kids) => node(null, ...kids)),
    ),
  }));
  fc!.assert(
    fc!.property(fc!.array(tree, { maxLength: 4 }), (threads) => {
      assert.deepEqual(parseThread([b(threads.map(write).join(""))]), threads);
    }),
    { numRuns: RUNS, seed: SEED },
  );
}, denoOnly);

test(
  "property: read a few bytes at a time (threadMessages() between turns), the same threads",
  () => {
    const text = fc!.array(
      fc!.oneof(
        fc!.integer({ min: 1, max: 99999 }).map((n) => `(${n})`),
        fc!.tuple(fc!.integer({ min: 1, max: 999 }), fc!.integer({ min: 1, max: 999 }))
          .map(([a, c]) => `(${a} ${a + 1} (${c})(${c + 1} ${c + 2}))`),
        fc!.constant("((3)(4 5))"),
        fc!.constant(" "),
      ),
      { maxLength: 12 },
    ).map((parts) => parts.join(""));
    fc!.assert(
      fc!.property(text, fc!.integer({ min: 1, max: 9 }), (line, count) => {
        const reader = new ThreadReader(b(line), 0);
        let steps = 0;
        while (!reader.step(count)) steps++;
        assert.deepEqual(reader.threads, parseThread([b(line)]));
        // A step reads `count` bytes, or past them to the end of a number (5 digits at most).
        assert.ok(steps >= Math.floor(line.length / (count + 5)) - 1, `${steps} steps`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Broken text fails the same way, whatever the step.
    const reader = new ThreadReader(b("(1)(2 (3)"), 4);
    assert.throws(() => {
      while (!reader.step(2));
    }, (e) => e instanceof TypedParseError && e.offset === 9 && e.response === 4);
  },
  denoOnly,
);
