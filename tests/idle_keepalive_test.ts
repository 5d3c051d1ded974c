// IDLE keep-alive (re-issue before 29 minutes) and the half-open connection watchdog, on a fake
// clock so that half an hour of IDLE takes milliseconds.

import assert from "node:assert/strict";
import { IMAP4TimeoutError } from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import { FakeClock, settle } from "./_clock.ts";
import { connectScripted, type ServerSide, str } from "./_scripted.ts";

/** How often the server saw IDLE and DONE. */
interface IdleCounts {
  idle: number;
  done: number;
}

/**
 * A client logged in (on `clock`, if given) to a server that answers every IDLE with `+`, then
 * runs `onIdle`, and every DONE with OK, counting both.
 */
async function idleSession(
  options: { clock?: FakeClock; onIdle?: (s: ServerSide, counts: IdleCounts) => void } = {},
) {
  const counts = { idle: 0, done: 0 };
  const session = await connectScripted({
    capabilities: "IDLE",
    handlers: {
      IDLE: async (s, c) => {
        counts.idle++;
        s.line("+ idling");
        options.onIdle?.(s, counts);
        const done = await s.readLine(60_000);
        if (done === null) return false;
        counts.done++;
        s.line(`${c.tag} OK Idle completed`);
        return true;
      },
    },
    client: { clock: options.clock },
    state: "AUTH",
  });
  return { counts, ...session };
}

test("IDLE keep-alive: idleRestartSeconds re-issues IDLE before 29 minutes, invisibly", async () => {
  const clock = new FakeClock();
  const { counts, server, serving, M } = await idleSession({ clock });
  {
    await using idler = await M.idle({ idleRestartSeconds: 29 * 60 });
    const next = idler.next();
    await clock.advance(29 * 60 * 1000);
    assert.deepEqual(counts, { idle: 2, done: 1 });
    await clock.advance(29 * 60 * 1000);
    assert.deepEqual(counts, { idle: 3, done: 2 });
    server.line("* 7 EXISTS");
    const [type, data] = (await next)!;
    assert.deepEqual([type, data.map(str)], ["EXISTS", ["7"]]);
    assert.equal(M.state, "IDLING");
  }
  assert.deepEqual(counts, { idle: 3, done: 3 });
  assert.equal(M.state, "AUTH");
  await M.logout();
  await serving;
});

test("IDLE keep-alive: responses arriving during a restart are delivered in order", async () => {
  const clock = new FakeClock();
  const { M, serving } = await idleSession({
    clock,
    onIdle: (s, counts) => {
      if (counts.idle === 2) s.line("* 3 EXISTS");
    },
  });
  {
    await using idler = await M.idle({ idleRestartSeconds: 60 });
    const next = idler.next();
    await clock.advance(60_000);
    assert.deepEqual(((await next)!)[1].map(str), ["3"]);
  }
  await M.logout();
  await serving;
});

test("IDLE watchdog: no byte within watchdogSeconds is a timeout that closes the connection", async () => {
  const clock = new FakeClock();
  const { counts, server, serving, M } = await idleSession({ clock });
  const idler = await M.idle({ watchdogSeconds: 5 * 60 });
  const next = idler.next();
  next.catch(() => {});
  await clock.advance(4 * 60 * 1000);
  server.line("* OK Still here");
  assert.deepEqual(((await next)!)[0], "OK");
  const silent = idler.next();
  silent.catch(() => {});
  await clock.advance(5 * 60 * 1000 - 1);
  await settle();
  let settled = false;
  silent.then(() => settled = true, () => settled = true);
  await settle();
  assert.equal(settled, false, "the watchdog fired early");
  await clock.advance(1);
  await assertRaises(silent, IMAP4TimeoutError, /no data from the server for 300 s during IDLE/);
  assert.equal(M.state, "LOGOUT");
  assert.ok(server.closedByClient);
  await idler.done();
  assert.equal(counts.done, 0, "no DONE on a dead connection");
  await serving;
});

test("IDLE keep-alive + watchdog: a restart the server never answers times out", async () => {
  const clock = new FakeClock();
  const { M, server, serving } = await connectScripted({
    capabilities: "IDLE",
    handlers: {
      IDLE: async (s) => {
        s.line("+ idling");
        await s.readLine(60_000); // DONE, never answered: a half-open connection
        return false;
      },
    },
    client: { clock, timeout: 30 },
    state: "AUTH",
  });
  const idler = await M.idle({ idleRestartSeconds: 600, watchdogSeconds: 700 });
  const next = idler.next();
  next.catch(() => {});
  await clock.advance(600_000);
  await clock.advance(30_000);
  await assert.rejects(next, IMAP4TimeoutError);
  assert.ok(server.closedByClient);
  await idler.done();
  server.end();
  await serving;
});

test("IDLE: keep-alive '* OK Still here' lines are delivered without ending IDLE", async () => {
  const { counts, M, serving } = await idleSession({
    onIdle: (s) => {
      s.line("* OK Still here");
      s.line("* OK Still here");
      s.line("* 2 EXISTS");
    },
  });
  {
    await using idler = await M.idle();
    const seen = [];
    for await (const [type, data] of idler) {
      seen.push(`${type} ${str(data[0])}`);
      if (type === "EXISTS") break;
    }
    assert.deepEqual(seen, ["OK Still here", "OK Still here", "EXISTS 2"]);
  }
  assert.deepEqual(counts, { idle: 1, done: 1 });
  await M.logout();
  await serving;
});
