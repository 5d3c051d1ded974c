// Streaming FETCH against the real Dovecot: fetchIter() delivers responses as they arrive,
// fetchBody() reads one large literal as a ReadableStream with backpressure. Faults (a reset
// mid-literal) against a scripted server.

import assert from "node:assert/strict";
import { fetchMessages, type IMAP4, IMAP4ConnectionError, IMAP4Error } from "../mod.ts";
import { test } from "./_harness.ts";
import { login, message, uniqueMailbox } from "./_dovecot.ts";
import { show, showData } from "./_bytes.ts";
import { type CommandHandler, connectScripted, sleep } from "./_scripted.ts";
import { readAll } from "./_streams.ts";

async function withMailbox(
  count: number,
  body: (M: IMAP4, box: string) => Promise<void>,
  make: (i: number) => string = (i) => message(`message ${i}`),
): Promise<void> {
  await using M = await login(1);
  const box = uniqueMailbox("Stream");
  await M.create(box);
  for (let i = 1; i <= count; i++) await M.append(box, null, null, make(i));
  await M.select(box);
  try {
    await body(M, box);
  } finally {
    if (M.state === "SELECTED") await M.close();
    if (M.state === "AUTH") await M.delete(box);
  }
}

test("fetchIter: every FETCH response arrives as one [type, data] item in imaplib's shape", async () => {
  await withMailbox(5, async (M) => {
    const items = [];
    for await (const item of M.fetchIter("1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")) {
      items.push(show(item as [string, (Uint8Array | [Uint8Array, Uint8Array])[]]));
    }
    assert.equal(items.length, 5);
    items.forEach(([type, data], i) => {
      assert.equal(type, "FETCH");
      assert.deepEqual(data, [
        [
          `${i + 1} (UID ${i + 1} BODY[HEADER.FIELDS (SUBJECT)] {${
            `Subject: message ${i + 1}`.length + 4
          }}`,
          `Subject: message ${i + 1}\r\n\r\n`,
        ],
        ")",
      ]);
    });
    // Nothing was left in the store.
    assert.deepEqual(M.response("FETCH"), ["FETCH", [null]]);
  });
});

test("fetchIter: UID FETCH, other commands refused while iterating, usable after a break", async () => {
  await withMailbox(4, async (M) => {
    let seen = 0;
    for await (const [type, data] of M.fetchIter("2:4", "(FLAGS)", { uid: true })) {
      assert.equal(type, "FETCH");
      assert.match(show([type, data])[1][0] as string, /^\d \(UID \d FLAGS \(.*\)\)$/);
      await assert.rejects(M.noop(), /illegal while fetchIter\(\) holds the connection/);
      if (++seen === 2) break;
    }
    assert.equal(seen, 2);
    // The third response was drained; the connection is in step.
    assert.deepEqual(show(await M.search(null, "ALL")), ["OK", ["1 2 3 4"]]);
    assert.deepEqual(M.response("FETCH"), ["FETCH", [null]]);
  });
});

test("fetchIter: a BAD reply throws from the iterator and the connection goes on", async () => {
  await withMailbox(1, async (M) => {
    await assert.rejects(
      Array.fromAsync(M.fetchIter("1", "(NOT-AN-ITEM)")),
      (e: Error) => e instanceof IMAP4Error && /BAD/.test(e.message),
    );
    assert.equal((await M.noop())[0], "OK");
  });
});

// A message of about `bytes` bytes: headers and a long body of numbered lines.
function bigMessage(bytes: number): string {
  const line = "0123456789".repeat(7) + "\r\n";
  return message("big one", line.repeat(Math.ceil(bytes / line.length)));
}

test("fetchBody: a 50 MB message streams in socket-sized chunks with backpressure", async () => {
  const expected = new TextEncoder().encode(bigMessage(50 * 1024 * 1024));
  const M = await login(1);
  const box = uniqueMailbox("Big");
  await M.create(box);
  await M.append(box, null, null, expected);
  await M.select(box);
  const part = await M.fetchBody("1");
  assert.ok(part);
  assert.equal(part.sizeBytes, expected.length);
  assert.match(new TextDecoder().decode(part.header), /^1 \(BODY\[\] \{\d+\}$/);
  await assert.rejects(M.noop(), /fetchBody\(\) holds the connection/);
  let total = 0;
  let chunks = 0;
  let largest = 0;
  let mismatch = -1;
  for await (const chunk of part.body) {
    for (let i = 0; i < chunk.length; i += 4093) {
      if (mismatch < 0 && chunk[i] !== expected[total + i]) mismatch = total + i;
    }
    total += chunk.length;
    chunks++;
    largest = Math.max(largest, chunk.length);
  }
  assert.equal(total, expected.length);
  assert.equal(mismatch, -1, `first difference at byte ${mismatch}`);
  assert.ok(chunks > 100, `${chunks} chunks`);
  assert.ok(largest <= 1024 * 1024, `largest chunk ${largest} bytes`);
  const [type] = await part.done;
  assert.equal(type, "OK");
  assert.equal((await M.noop())[0], "OK");
  await M.close();
  await M.delete(box);
  await M.logout();
});

test("fetchBody: cancelling mid-way drains the rest; the connection stays usable", async () => {
  await withMailbox(2, async (M) => {
    const part = await M.fetchBody("1", "BODY.PEEK[]");
    assert.ok(part);
    const reader = part.body.getReader();
    const first = await reader.read();
    assert.ok(!first.done && first.value.length > 0);
    await reader.cancel();
    assert.equal((await part.done)[0], "OK");
    assert.deepEqual(show(await M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[1][0], [
      "2 (BODY[HEADER.FIELDS (SUBJECT)] {20}",
      "Subject: big one\r\n\r\n",
    ]);
  }, () => bigMessage(2 * 1024 * 1024));
});

test("fetchBody: a missing message gives null; UID form; a part number", async () => {
  await withMailbox(1, async (M) => {
    assert.equal(await M.fetchBody("99", "BODY.PEEK[]", { uid: true }), null);
    const part = await M.fetchBody("1", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]", { uid: true });
    assert.ok(part);
    const text = await new Response(part.body).text();
    assert.equal(text, "Subject: message 1\r\n\r\n");
    assert.match(new TextDecoder().decode(part.header), /UID 1 /);
    assert.equal((await part.done)[0], "OK");
  });
});

/** A FETCH answered with 1000 bytes of a 1 MB literal, then a reset. */
const resetMidLiteral: CommandHandler = (s) => {
  s.send("* 1 FETCH (BODY[] {1000000}\r\n", "x".repeat(1000));
  setTimeout(() => s.reset(), 20);
  return false;
};

test("fetchBody: a reset mid-literal errors the stream and done; nothing hangs", async () => {
  const { M, serving } = await connectScripted({
    handlers: { FETCH: resetMidLiteral },
    state: "SELECTED",
  });
  const part = await M.fetchBody("1");
  assert.ok(part);
  await assert.rejects(new Response(part.body).arrayBuffer(), IMAP4ConnectionError);
  await assert.rejects(part.done, IMAP4ConnectionError);
  assert.equal(M.state, "LOGOUT");
  await serving;
});

test("fetchBody: a BYOB reader with one reused buffer gets every byte; the connection goes on", async () => {
  const expected = new TextEncoder().encode(bigMessage(3 * 1024 * 1024));
  await withMailbox(1, async (M) => {
    const part = await M.fetchBody("1");
    assert.ok(part);
    const reader = part.body.getReader({ mode: "byob" });
    // An odd size, so reads end anywhere in the message.
    let buffer = new Uint8Array(100_003);
    let total = 0;
    let mismatch = -1;
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done) break;
      assert.ok(value.length <= 100_003);
      for (let i = 0; i < value.length; i += 997) {
        if (mismatch < 0 && value[i] !== expected[total + i]) mismatch = total + i;
      }
      if (mismatch < 0 && value[value.length - 1] !== expected[total + value.length - 1]) {
        mismatch = total + value.length - 1;
      }
      total += value.length;
      buffer = new Uint8Array(value.buffer);
    }
    assert.equal(total, expected.length);
    assert.equal(mismatch, -1, `first difference at byte ${mismatch}`);
    assert.equal((await part.done)[0], "OK");
    assert.equal((await M.noop())[0], "OK");
  }, () => bigMessage(3 * 1024 * 1024));
});

test("fetchBody: cancelling while a BYOB read waits for bytes drains once; the connection goes on", async () => {
  for (const transport of [{ byteStream: true }, { direct: true }]) {
    await cancelWhileReading(transport);
  }
});

async function cancelWhileReading(transport: { byteStream?: boolean; direct?: boolean }) {
  let finish: () => void = () => {};
  const { M, done } = await connectScripted({
    ...transport,
    handlers: {
      FETCH: (s, c) => {
        s.send("* 1 FETCH (BODY[] {20}\r\n0123456789");
        // The rest comes once the client has cancelled with a read pending.
        finish = () => s.send(`abcdefghij)\r\n${c.tag} OK FETCH completed\r\n`);
      },
    },
    state: "SELECTED",
  });
  const part = await M.fetchBody("1");
  assert.ok(part);
  const reader = part.body.getReader({ mode: "byob" });
  const first = await reader.read(new Uint8Array(64));
  assert.equal(new TextDecoder().decode(first.value), "0123456789");
  const pending = reader.read(new Uint8Array(64));
  await new Promise((r) => setTimeout(r, 10));
  const cancelled = reader.cancel();
  finish();
  await cancelled;
  assert.equal((await pending).done, true);
  assert.equal((await part.done)[0], "OK");
  assert.equal((await M.noop())[0], "OK");
  await done();
}

test("fetchBody: a literal read with its reply in one chunk comes out whole through small reads, then done", async () => {
  for (const transport of [{}, { byteStream: true }, { direct: true }]) {
    const { M, done } = await connectScripted({
      handlers: {
        FETCH: (s, c) => s.send(`* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n${c.tag} OK done\r\n`),
      },
      ...transport,
      state: "SELECTED",
    });
    const part = await M.fetchBody("1");
    assert.ok(part);
    const reader = part.body.getReader({ mode: "byob" });
    const got: string[] = [];
    let buffer = new Uint8Array(4);
    for (;;) {
      const { value, done } = await reader.read(buffer);
      buffer = new Uint8Array(value!.buffer);
      if (done) break;
      got.push(new TextDecoder().decode(value));
    }
    assert.deepEqual(got, ["0123", "4567", "89"], JSON.stringify(transport));
    assert.equal((await part.done)[0], "OK");
    const again = await M.fetchBody("1");
    assert.equal(await new Response(again!.body).text(), "0123456789");
    assert.equal((await again!.done)[0], "OK");
    await done();
  }
});

// Bun once left the last read pending for ever when the stream closed right after a read
// had taken the literal's last bytes; every split of the literal below ends in done.
test("fetchBody: however the literal is split across chunks, small BYOB reads end in done", async () => {
  for (const split of [[4, 4], [3, 5], [8, 0], [0, 8], [2, 2, 2, 2]]) {
    const { M, done } = await connectScripted({
      handlers: {
        FETCH: async (s, c) => {
          s.send("* 1 FETCH (BODY[] {8}\r\n");
          let at = 0;
          for (const n of split) {
            await sleep(5);
            s.send("01234567".slice(at, at + n));
            at += n;
          }
          await sleep(5);
          s.send(`)\r\n${c.tag} OK done\r\n`);
        },
      },
      state: "SELECTED",
    });
    const part = await M.fetchBody("1");
    assert.ok(part);
    const reader = part.body.getReader({ mode: "byob" });
    let buffer = new Uint8Array(4);
    let text = "";
    for (;;) {
      const { value, done } = await reader.read(buffer);
      buffer = new Uint8Array(value!.buffer);
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.equal(text, "01234567", `split ${split}`);
    assert.equal((await part.done)[0], "OK");
    await done();
  }
});

test("fetchBodies: every message of a set streams in order from one FETCH; the connection goes on", async () => {
  const sizes = [1024 * 1024, 300, 2 * 1024 * 1024 + 17, 5];
  // Made once: message() gives each call a new Message-ID.
  const texts = sizes.map((size, i) => message(`message ${i + 1}`, "x".repeat(size) + "\r\n"));
  const make = (i: number) => texts[i - 1];
  const expected = texts.map((t) => new TextEncoder().encode(t));
  await withMailbox(sizes.length, async (M) => {
    const seen: string[] = [];
    for await (const part of M.fetchBodies("1:*")) {
      await assert.rejects(M.noop(), /fetchBodies\(\) holds the connection/);
      const n = Number(new TextDecoder().decode(part.header).split(" ")[0]);
      seen.push(new TextDecoder().decode(part.header));
      assert.equal(part.sizeBytes, expected[n - 1].length);
      assert.deepEqual(await readAll(part.body), expected[n - 1], `message ${n}`);
    }
    assert.deepEqual(seen.map((h) => h.replace(/\{\d+\}$/, "{}")), [
      "1 (BODY[] {}",
      "2 (BODY[] {}",
      "3 (BODY[] {}",
      "4 (BODY[] {}",
    ]);
    assert.equal((await M.noop())[0], "OK");
  }, make);
});

test("fetchBodies: a body skipped is dropped and errors; leaving early keeps the connection", async () => {
  const texts = [1, 2, 3].map((i) => message(`message ${i}`, `${i}`.repeat(200_000) + "\r\n"));
  const make = (i: number) => texts[i - 1];
  await withMailbox(3, async (M) => {
    const iterator = M.fetchBodies("1:*", "BODY.PEEK[]", { uid: true });
    const first = (await iterator.next()).value!;
    assert.match(new TextDecoder().decode(first.header), /^1 \(UID 1 BODY\[\] \{\d+\}$/);
    // Message 1 is not read: asking for message 2 drops it.
    const second = (await iterator.next()).value!;
    await assert.rejects(readAll(first.body), /was read and dropped/);
    const text = new TextDecoder().decode(await readAll(second.body));
    assert.ok(text.includes("Subject: message 2"));
    assert.equal(text, make(2));
    // Leave the loop with message 3 unread.
    await iterator.return();
    assert.equal((await M.noop())[0], "OK");
    assert.deepEqual(show(await M.fetch("3", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[1][0], [
      "3 (BODY[HEADER.FIELDS (SUBJECT)] {22}",
      "Subject: message 3\r\n\r\n",
    ]);
  }, make);
});

test("fetchBodies: small literals in one chunk, a NIL part and an EXISTS to the store, then NO throws", async () => {
  let calls = 0;
  const { M, done } = await connectScripted({
    handlers: {
      FETCH: (s, c) => {
        calls++;
        if (calls === 2) return s.line(`${c.tag} NO [SERVERBUG] no bodies today`);
        s.send(
          "* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 2 FETCH (BODY[] NIL)\r\n* 3 EXISTS\r\n" +
            "* 3 FETCH (BODY[] {0}\r\n)\r\n* 4 FETCH (BODY[] {2}\r\nde BODY[1] {1}\r\nf)\r\n" +
            `${c.tag} OK done\r\n`,
        );
      },
    },
    state: "SELECTED",
  });
  const got: [string, string][] = [];
  for await (const part of M.fetchBodies("1:4")) {
    got.push([new TextDecoder().decode(part.header), await new Response(part.body).text()]);
  }
  assert.deepEqual(got, [["1 (BODY[] {3}", "abc"], ["3 (BODY[] {0}", ""], ["4 (BODY[] {2}", "de"]]);
  assert.deepEqual(show(M.response("EXISTS")), ["EXISTS", ["2", "3"]]);
  // The second literal of message 4 was buffered: it is kept with its response.
  assert.deepEqual(show(M.response("FETCH")), ["FETCH", [
    "2 (BODY[] NIL)",
    ["4 (BODY[] {2}", ""],
    [" BODY[1] {1}", "f"],
    ")",
  ]]);
  await assert.rejects(
    (async () => {
      for await (const _ of M.fetchBodies("1")) { /* none */ }
    })(),
    (error: unknown) => error instanceof IMAP4Error && /NO \[b'\[SERVERBUG\]/.test(error.message),
  );
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("fetchBodies: a reset mid-literal errors the body and the iterator; nothing hangs", async () => {
  const { M, serving } = await connectScripted({
    handlers: { FETCH: resetMidLiteral },
    state: "SELECTED",
  });
  const iterator = M.fetchBodies("1:*");
  const part = (await iterator.next()).value!;
  await assert.rejects(new Response(part.body).arrayBuffer(), IMAP4ConnectionError);
  await assert.rejects(iterator.next(), IMAP4ConnectionError);
  assert.equal(M.state, "LOGOUT");
  await serving;
});

test("fetchBodies: leaving the loop early keeps the untagged responses that were not bodies", async () => {
  const { M, done } = await connectScripted({
    handlers: {
      FETCH: (s, c) =>
        s.send(
          "* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 5 EXISTS\r\n* 2 FETCH (FLAGS (\\Seen))\r\n" +
            `* 3 FETCH (BODY[] {2}\r\nde)\r\n${c.tag} OK done\r\n`,
        ),
    },
    state: "SELECTED",
  });
  for await (const part of M.fetchBodies("1:3")) {
    assert.equal(await new Response(part.body).text(), "abc");
    break;
  }
  assert.deepEqual(show(M.response("EXISTS")), ["EXISTS", ["2", "5"]]);
  assert.deepEqual(show(M.response("FETCH")), ["FETCH", ["2 (FLAGS (\\Seen))"]]);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

// A burst of responses read in one chunk is handed over without another read: the event loop
// must still turn while the caller works through it (the library's rule: no synchronous stretch
// over ~20 ms). 120 responses (5 KB: one read of the smallest size) and 1 ms of the caller's
// work each; a 0 ms timer set before the loop must fire before the loop ends. Scripted: only a
// scripted server sends a burst as one chunk.
const BURST = 120;
const burst: CommandHandler = (s, c) => {
  const lines = [];
  for (let i = 1; i <= BURST; i++) {
    lines.push(`* ${i} FETCH (UID ${i} FLAGS (\\Seen) RFC822.SIZE ${i})\r\n`);
  }
  s.send(lines.join("") + `${c.tag} OK FETCH completed\r\n`);
};

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the caller's work */ }
}

for (const via of ["fetchIter()", "fetchMessages()"] as const) {
  test(`${via}: the event loop turns while the caller works through a burst read at once`, async () => {
    const { M, done } = await connectScripted({ handlers: { FETCH: burst }, state: "SELECTED" });
    let seen = 0;
    let timerAt = -1;
    const timer = setTimeout(() => timerAt = seen, 0);
    const items = via === "fetchIter()"
      ? M.fetchIter("1:*", "(UID FLAGS RFC822.SIZE)")
      : fetchMessages(M, "1:*", { flags: true, size: true });
    for await (const _ of items) {
      seen++;
      spin(1);
    }
    clearTimeout(timer);
    assert.equal(seen, BURST);
    assert.ok(timerAt >= 0 && timerAt < BURST, `timer fired after ${timerAt} of ${BURST}`);
    await done();
  });
}

test("fetchIter(): calls made before the last settled are served in order, return() among them", async () => {
  // (A scripted server: the pause between responses is timing.) A generator queues overlapping
  // calls; the hand-written iterator must too, and still drain what return() leaves.
  const { M, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      FETCH: (s, c) => {
        s.send("* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 2)\r\n");
        setTimeout(() => s.send("* 3 FETCH (UID 3)\r\n", `${c.tag} OK done\r\n`), 20);
      },
    },
  });
  const it = M.fetchIter("1:*", "(UID)");
  const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
  assert.deepEqual(
    results.map((r) => r.done ? "done" : showData(r.value![1])[0]),
    ["1 (UID 1)", "2 (UID 2)", "3 (UID 3)", "done", "done"],
  );
  const again = M.fetchIter("1:*", "(UID)");
  assert.equal((await again.next()).done, false);
  const [returned, after] = await Promise.all([again.return(), again.next()]);
  assert.deepEqual([returned.done, after.done], [true, true]);
  assert.equal((await M.noop())[0], "OK"); // the rest was read and dropped
  await done();
});
