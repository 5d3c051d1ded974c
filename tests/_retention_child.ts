// Run by streaming_retention_test.ts with V8's `gc()` exposed: does the library still hold a
// response it handed over while the next one is on its way? A scripted server sends a FETCH
// response with a 1 MiB literal, then waits; the consumer takes it, keeps only a WeakRef, asks
// for the next (so the iterator is waiting for bytes), and a full collection runs. Prints one
// JSON line: `{ fetchIter: "collected" | "held", fetchMessages: ... }`.
//
// The consumer calls next() itself: V8 keeps the last value of a `for await` loop referenced
// while it waits, whatever the iterator does (bench/RESULTS.md, twelfth session).

import { fetchMessages } from "../mod.ts";
import { type CommandHandler, connectScripted, type ServerSide } from "./_scripted.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

const LITERAL_BYTES = 1 << 20;

// The first item's literal, as a WeakRef: taken in a function of its own, whose frame (unlike
// a block of the caller's, whose registers V8 keeps across an await) is gone once it returns.
async function takeFirst(
  iterator: AsyncIterator<unknown>,
  typed: boolean,
): Promise<WeakRef<Uint8Array>> {
  const { value } = await iterator.next();
  return new WeakRef(
    typed
      ? (value as { source: Uint8Array }).source
      : (value as [string, [[Uint8Array, Uint8Array]]])[1][0][1],
  );
}

async function check(typed: boolean): Promise<"collected" | "held"> {
  let server!: ServerSide;
  let tag = "";
  // The first response, then nothing until the check below has run.
  const answer: CommandHandler = (s, c) => {
    server = s;
    tag = c.tag;
    s.send(`* 1 FETCH (UID 1 BODY[] {${LITERAL_BYTES}}\r\n`, new Uint8Array(LITERAL_BYTES));
    s.send(")\r\n");
  };
  const { M, done } = await connectScripted({
    state: "SELECTED",
    handlers: { FETCH: answer, UID: answer },
  });
  const iterator = typed
    ? fetchMessages(M, "1:*", { source: true })
    : M.fetchIter("1:*", "(UID BODY.PEEK[])");
  const first = await takeFirst(iterator, typed);
  const pending = iterator.next(); // waits for bytes the server has not sent
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc!();
  const verdict = first.deref() === undefined ? "collected" : "held";
  server.send(`* 2 FETCH (UID 2 BODY[] {2}\r\nhi)\r\n`, `${tag} OK FETCH completed\r\n`);
  await pending;
  while (!(await iterator.next()).done) { /* the rest */ }
  await done();
  return verdict;
}

console.log(JSON.stringify({ fetchIter: await check(false), fetchMessages: await check(true) }));
