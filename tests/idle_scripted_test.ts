// IMAP4 IDLE against scripted servers: CPython 3.14's test_idle_* scenarios, and the edge cases
// CPython crashes on, which must end cleanly here.

import assert from "node:assert/strict";
import { IMAP4Abort, IMAP4Error } from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import { show } from "./_bytes.ts";
import { type CommandHandler, connectScripted, hangUp, replies, sleep } from "./_scripted.ts";

/** A client logged in as user/pass to a scripted server; `done()` logs out and ends it. */
function connect(handlers: Record<string, CommandHandler>, capabilities = "IDLE") {
  return connectScripted({ handlers, capabilities, state: "AUTH", login: ["user", "pass"] });
}

/** An IDLE handler that sends `+ idling` and `lines`, then answers the client's DONE with OK. */
const idleUntilDone = (...lines: string[]): CommandHandler => async (s, c) => {
  for (const line of ["+ idling", ...lines]) s.line(line);
  await s.readLine();
  s.line(`${c.tag} OK Idle completed`);
};

// CPython's IdleCmdHandler: one response before `+`, a simple one, a fragmented one (literal),
// another simple one, one a second later; after DONE one more before the tagged OK.
const idleHandler = (laterMs: number): CommandHandler => async (s, c) => {
  s.line("* 1 EXISTS");
  s.line("+ idling");
  s.line("* 2 EXISTS");
  s.line("* 1 FETCH (BODY[HEADER.FIELDS (DATE)] {41}");
  s.send("Date: Fri, 06 Dec 2024 06:00:00 +0000\r\n\r\n");
  s.line(")");
  s.line("* 3 EXISTS");
  await sleep(laterMs);
  s.line("* 1 RECENT");
  const done = await s.readLine();
  if (done === "DONE") {
    s.line("* 9 RECENT");
    s.line(`${c.tag} OK Idle completed`);
  } else {
    s.line(`${c.tag} BAD Expected DONE`);
  }
};

test("IMAP4.idle() without the IDLE capability throws 'does not support IMAP4 IDLE'", async () => {
  const { M, done } = await connect({}, "");
  await assertRaises(M.idle(), IMAP4Error, /does not support IMAP4 IDLE/);
  await done();
});

test("IMAP4.idle() iteration yields responses before and after '+', literals whole", async () => {
  const { M, done } = await connect({ IDLE: idleHandler(300) });
  {
    await using idler = await M.idle();
    assert.equal(M.state, "IDLING");
    assert.deepEqual(show((await idler.next())!), ["EXISTS", ["1"]]);
    assert.deepEqual(show((await idler.next())!), ["EXISTS", ["2"]]);
    assert.deepEqual(show((await idler.next())!), ["FETCH", [
      ["1 (BODY[HEADER.FIELDS (DATE)] {41}", "Date: Fri, 06 Dec 2024 06:00:00 +0000\r\n\r\n"],
      ")",
    ]]);
    assert.deepEqual(show((await idler.next())!), ["EXISTS", ["3"]]);
  }
  assert.equal(M.state, "AUTH");
  // Iterated responses were consumed; RECENT was never iterated and 9 came after DONE.
  assert.deepEqual(M.response("EXISTS"), ["EXISTS", [null]]);
  assert.deepEqual(show(M.response("RECENT")), ["RECENT", ["1", "9"]]);
  await done();
});

test("IMAP4.idle() burst() yields the 4 queued responses and leaves later ones", async () => {
  const { M, done } = await connect({ IDLE: idleHandler(500) });
  {
    await using idler = await M.idle();
    const batch = await Array.fromAsync(idler.burst());
    assert.equal(batch.length, 4);
  }
  assert.deepEqual(show(M.response("RECENT")), ["RECENT", ["1", "9"]]);
  await done();
});

test("IMAP4.idle() duration ends iteration without corrupting a delayed packet", async () => {
  // CPython's IdleCmdDelayedPacketHandler: one response line in three packets, the last
  // arriving after the duration has passed.
  const { M, done } = await connect({
    IDLE: async (s, c) => {
      s.line("+ idling");
      s.send("* 1 EX");
      await sleep(100);
      s.send("IS");
      await sleep(500);
      s.send("TS\r\n");
      const reply = await s.readLine();
      s.line(reply === "DONE" ? `${c.tag} OK Idle completed` : `${c.tag} BAD Expected DONE`);
    },
  });
  {
    await using idler = await M.idle({ duration: 0.25 });
    const started = performance.now();
    assert.equal(await idler.next(), null);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 200 && elapsed < 450, `duration ended after ${elapsed} ms`);
  }
  // The line completed after DONE and went to the store, intact.
  assert.deepEqual(show(M.response("EXISTS")), ["EXISTS", ["1"]]);
  await done();
});

test("IMAP4.idle() signal ends iteration like a duration", async () => {
  const { M, done } = await connect({
    IDLE: idleUntilDone(),
  });
  const controller = new AbortController();
  {
    await using idler = await M.idle({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const items = await Array.fromAsync(idler);
    assert.deepEqual(items, []);
  }
  assert.equal(M.state, "AUTH");
  await done();
});

test("IMAP4.idle() refused with NO throws error 'idle denied', queued responses kept", async () => {
  const { M, done } = await connect({
    IDLE: replies("* 5 EXISTS", "{tag} NO not now"),
  });
  const error = await assertRaises(M.idle(), IMAP4Error, /idle denied/);
  assert.ok(!(error instanceof IMAP4Abort));
  assert.deepEqual(show(M.response("EXISTS")), ["EXISTS", ["5"]]);
  assert.equal(M.state, "AUTH");
  assert.equal((await M.noop())[0], "OK");
  await done();
});

for (const status of ["BAD", "OK"]) {
  test(`IMAP4.idle() answered ${status} instead of '+' throws abort and closes`, async () => {
    const { M, server, serving } = await connect({
      IDLE: replies(`{tag} ${status} no idling here`),
    });
    await assert.rejects(M.idle(), IMAP4Abort);
    assert.equal(M.state, "LOGOUT");
    assert.ok(server.closedByClient);
    await serving;
  });
}

test("IMAP4.idle() a server that ends IDLE by itself ends iteration; no DONE sent", async () => {
  const { M, server, done } = await connect({
    IDLE: replies("+ idling", "* 4 EXISTS", "{tag} OK IDLE terminated (timeout)"),
  });
  {
    await using idler = await M.idle();
    const items = (await Array.fromAsync(idler)).map(show);
    assert.deepEqual(items, [["EXISTS", ["4"]]]);
  }
  assert.equal(M.state, "AUTH");
  assert.ok(!server.receivedText.includes("DONE"));
  await done();
});

test("IMAP4.idle() a second '+' during IDLE is ignored (CPython crashes)", async () => {
  const { M, done } = await connect({
    IDLE: idleUntilDone("+ still idling", "* 7 EXISTS"),
  });
  {
    await using idler = await M.idle();
    assert.deepEqual(show((await idler.next())!), ["EXISTS", ["7"]]);
  }
  await done();
});

test("IMAP4.idle() BYE while idling ends iteration with abort and no DONE", async () => {
  const { M, server, serving } = await connect({
    IDLE: hangUp("+ idling\r\n", "* 3 EXISTS\r\n", "* BYE server shutting down\r\n"),
  });
  const idler = await M.idle();
  assert.deepEqual(show((await idler.next())!), ["EXISTS", ["3"]]);
  const error = await assertRaises(idler.next(), IMAP4Abort);
  assert.equal(error.message, "server shutting down");
  await idler[Symbol.asyncDispose]();
  assert.ok(!server.receivedText.includes("DONE"));
  assert.equal(M.state, "LOGOUT");
  await serving;
});

test("IMAP4.idle() other commands fail at once while idling, and work after", async () => {
  const { M, server, done } = await connect({
    IDLE: idleUntilDone(),
  });
  {
    await using _idler = await M.idle();
    await assert.rejects(M.noop(), /command NOOP illegal in state IDLING/);
    await assert.rejects(M.idle(), /command IDLE illegal in state IDLING/);
    // The raw reads too: waiting behind IDLE would never end.
    await assert.rejects(M.readline(), /readline\(\) illegal while IDLE holds the connection/);
    await assert.rejects(M.read(1), /read\(\) illegal while IDLE holds the connection/);
  }
  assert.equal((await M.noop())[0], "OK");
  assert.equal(server.receivedText.match(/DONE/g)?.length, 1);
  await done();
});

test("IMAP4.idle() done() sends DONE exactly once however often it is called", async () => {
  const { M, server, done } = await connect({
    IDLE: idleUntilDone(),
  });
  const idler = await M.idle();
  await Promise.all([idler.done(), idler.done(), idler[Symbol.asyncDispose]()]);
  assert.equal(server.receivedText.match(/DONE/g)?.length, 1);
  await done();
});
