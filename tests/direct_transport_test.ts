// A transport with direct read() and write() (as the Deno transport has): the session reads and
// writes only through them, never through its streams, with reads cut to the caller's view,
// writes one at a time, and EOF and hostile bytes handled as on the stream path. The Deno
// transport's own read()/write() are what every Dovecot test runs on.

import assert from "node:assert/strict";
import { IMAP4Abort } from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import { connectScripted, hangUp, str } from "./_scripted.ts";
import { chunkReader, chunkWriter } from "../src/session/chunk_io.ts";

test("direct transport: greeting, login, pipelined commands and a literal, through read()/write() only", async () => {
  const big = "x".repeat(300_000);
  const { M, done, server } = await connectScripted({
    direct: true,
    state: "SELECTED",
    handlers: {
      // One chunk far larger than the first read's 8 KiB view: it arrives over several reads.
      FETCH: (s, c) =>
        s.send(`* 1 FETCH (RFC822 {${big.length}}\r\n${big})\r\n${c.tag} OK FETCH completed\r\n`),
    },
  });
  // Three commands at once (the session queues them), in order.
  const results = await Promise.all([M.noop(), M.noop(), M.fetch("1", "(RFC822)")]);
  assert.deepEqual(results.map(([type]) => type), ["OK", "OK", "OK"]);
  const [, data] = results[2];
  const [head, body] = data[0] as [Uint8Array, Uint8Array];
  assert.equal(str(head), `1 (RFC822 {${big.length}}`);
  assert.equal(body.length, big.length);
  assert.ok(body.every((b) => b === 0x78));
  const tags = [...server.receivedText.matchAll(/^(\w+) (NOOP|FETCH)/gm)].map((m) => m[2]);
  assert.deepEqual(tags.slice(-3), ["NOOP", "NOOP", "FETCH"]);
  await done();
});

for (
  const [name, paths] of [["direct", { direct: true }], ["chunk-taking", { chunks: true }]] as const
) {
  test(`${name} transport: EOF in a literal is an abort and closes the transport`, async () => {
    const { M, serving, server } = await connectScripted({
      ...paths,
      state: "SELECTED",
      handlers: { FETCH: hangUp("* 1 FETCH (RFC822 {100}\r\nonly part") },
    });
    await assertRaises(M.fetch("1", "(RFC822)"), IMAP4Abort, /EOF/);
    assert.ok(server.closedByClient);
    await serving;
  });
}

test("direct transport: fetchBody() streams a literal through read() into the consumer's views", async () => {
  const { M, done } = await connectScripted({
    direct: true,
    state: "SELECTED",
    handlers: {
      FETCH: (s, c) => {
        s.send("* 1 FETCH (BODY[] {10}\r\n01234");
        setTimeout(() => s.send(`56789)\r\n${c.tag} OK done\r\n`), 5);
      },
    },
  });
  const part = await M.fetchBody("1");
  assert.ok(part);
  assert.equal(await new Response(part.body).text(), "0123456789");
  assert.equal((await part.done)[0], "OK");
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("chunkWriter: a transport's write() gets one write at a time, in order; a failure fails those behind it", async () => {
  const calls: string[] = [];
  let inFlight = 0;
  const writer = chunkWriter({
    readable: new ReadableStream(),
    writable: new WritableStream(),
    close: () => {},
    async write(bytes: Uint8Array) {
      assert.equal(inFlight++, 0, "write() while a write was in flight");
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      const text = new TextDecoder().decode(bytes);
      calls.push(text);
      if (text === "fail") throw new Error("connection reset");
    },
  });
  const writes = ["a", "b", "fail", "c"].map((text) =>
    writer.write(new TextEncoder().encode(text))
  );
  const outcomes = await Promise.allSettled(writes);
  assert.deepEqual(outcomes.map((o) => o.status), [
    "fulfilled",
    "fulfilled",
    "rejected",
    "rejected",
  ]);
  assert.deepEqual(calls, ["a", "b", "fail"]);
});

test("chunkReader: a transport's read() fills the caller's view; null is the end of the stream", async () => {
  const chunks = [new Uint8Array([1, 2, 3])];
  const reader = chunkReader({
    get readable(): ReadableStream<Uint8Array> {
      throw new Error("readable touched");
    },
    writable: new WritableStream(),
    close: () => {},
    read(view: Uint8Array) {
      const chunk = chunks.shift();
      if (!chunk) return Promise.resolve(null);
      view.set(chunk);
      return Promise.resolve(chunk.length);
    },
  });
  assert.ok(reader.byob);
  const view = new Uint8Array(8);
  const first = await reader.read(view);
  assert.equal(first.done, false);
  assert.deepEqual([...first.value!], [1, 2, 3]);
  assert.equal(first.value!.buffer, view.buffer);
  assert.equal((await reader.read(view)).done, true);
});

test("chunk-taking transport: greeting, login, pipelined commands and a literal, through readChunk() only", async () => {
  const big = "y".repeat(300_000);
  const { M, done, server } = await connectScripted({
    chunks: true,
    state: "SELECTED",
    handlers: {
      // The literal's start shares a chunk with its line; the rest comes in a later one.
      FETCH: (s, c) => {
        s.send(`* 1 FETCH (RFC822 {${big.length}}\r\n${big.slice(0, 1000)}`);
        setTimeout(() => s.send(`${big.slice(1000)})\r\n${c.tag} OK FETCH completed\r\n`), 2);
      },
    },
  });
  const results = await Promise.all([M.noop(), M.noop(), M.fetch("1", "(RFC822)")]);
  assert.deepEqual(results.map(([type]) => type), ["OK", "OK", "OK"]);
  const [head, body] = results[2][1][0] as [Uint8Array, Uint8Array];
  assert.equal(str(head), `1 (RFC822 {${big.length}}`);
  assert.equal(str(body), big);
  assert.ok(server.directReads.readChunk > 0);
  assert.equal(server.directReads.read, 0, "read() used where readChunk() serves");
  await done();
});

test("chunk-taking transport: a literal over 4 KiB whole in a chunk is a view of it", async () => {
  const body = "1".repeat(6000);
  const { M, done } = await connectScripted({
    chunks: true,
    state: "SELECTED",
    handlers: {
      // The reply in one chunk.
      FETCH: (s, c) =>
        s.send(`* 1 FETCH (BODY[] {6000}\r\n${body})\r\n${c.tag} OK FETCH completed\r\n`),
    },
  });
  const [, fetched] = await M.fetch("1", "(BODY[])");
  const [, literal] = fetched[0] as [Uint8Array, Uint8Array];
  assert.equal(str(literal), body);
  assert.ok(literal.buffer.byteLength > literal.length, "a view of the chunk, not a copy");
  await done();
});

test("chunk-taking transport: a streamed body goes through read() into the consumer's own buffer", async () => {
  const { M, done, server } = await connectScripted({
    chunks: true,
    state: "SELECTED",
    handlers: {
      FETCH: (s, c) => {
        // The read already in flight when the literal starts takes "234"; the reads after it
        // fill the consumer's buffer.
        s.send("* 1 FETCH (BODY[] {10}\r\n01");
        setTimeout(() => s.send("234"), 5);
        setTimeout(() => s.send("56789"), 10);
        setTimeout(() => s.send(`)\r\n${c.tag} OK done\r\n`), 15);
      },
    },
  });
  const part = await M.fetchBody("1");
  assert.ok(part);
  const reader = part.body.getReader({ mode: "byob" });
  let buffer = new Uint8Array(64);
  let text = "";
  for (;;) {
    const { value, done: end } = await reader.read(buffer);
    if (end) break;
    text += str(value!);
    buffer = new Uint8Array(value!.buffer);
  }
  assert.equal(text, "0123456789");
  assert.ok(server.directReads.read > 0, "the consumer's buffer was not filled by read()");
  assert.equal((await part.done)[0], "OK");
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("chunkReader: a transport's readChunk() chunks are handed over as they are; read() fills a given view", async () => {
  const chunk = new Uint8Array([1, 2, 3]);
  const chunks = [chunk];
  const transport = {
    get readable(): ReadableStream<Uint8Array> {
      throw new Error("readable touched");
    },
    writable: new WritableStream<Uint8Array>(),
    close: () => {},
    readChunk: () => Promise.resolve(chunks.shift() ?? null),
  };
  const taking = chunkReader(transport);
  assert.equal(taking.byob, false);
  assert.equal(taking.into, false, "no read(): nothing can fill a given view");
  const first = await taking.read(new Uint8Array(0));
  assert.equal(first.value, chunk);
  assert.equal((await taking.read(new Uint8Array(0))).done, true);

  const both = chunkReader({
    readable: new ReadableStream<Uint8Array>(),
    writable: new WritableStream<Uint8Array>(),
    close: () => {},
    readChunk: () => Promise.resolve(null),
    read(view: Uint8Array) {
      view.set([9]);
      return Promise.resolve(1);
    },
  });
  assert.equal(both.into, true);
  const view = new Uint8Array(4);
  const filled = await both.readInto(view);
  assert.equal(filled.value!.buffer, view.buffer);
  assert.deepEqual([...filled.value!], [9]);
});
