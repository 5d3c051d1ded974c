// Per-command cancellation (`{ signal }` after imaplib's arguments) against scripted servers:
// the abort points are timing (queued, in flight, past the grace), which a real server cannot be
// made to show on cue. fast-check then drives random abort points over a queue of commands and
// checks that the connection never goes out of step.
//
//   deno test -A tests/cancel_test.ts                      # 100 runs, fixed seed
//   FUZZ_RUNS=2000 FUZZ_SEED=random deno test -A tests/cancel_test.ts

import assert from "node:assert/strict";
import {
  fetchMessages,
  IMAP4,
  IMAP4Abort,
  IMAP4CancelledError,
  IMAP4TimeoutError,
  selectMailbox,
} from "../mod.ts";
import { type CommandHandler, connectScripted, serve, ServerSide, str } from "./_scripted.ts";
import { FakeClock, settle } from "./_clock.ts";
import { denoOnly, test } from "./_harness.ts";

const reason = new DOMException("stop", "AbortError");

function aborted(): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

// A NOOP handler that answers only once `releaseNoop()` is called: commands queue behind it.
function heldNoop(): { NOOP: CommandHandler; releaseNoop: () => void } {
  let releaseNoop!: () => void;
  const held = new Promise<void>((resolve) => releaseNoop = resolve);
  const NOOP: CommandHandler = async (s, c) => {
    await held;
    s.line(`${c.tag} OK NOOP completed`);
  };
  return { NOOP, releaseNoop };
}

test("cancel: a signal aborted before the call sends nothing; the connection stays usable", async () => {
  const { M, server, done } = await connectScripted({ state: "SELECTED" });
  const before = server.receivedText.length;
  for (
    const call of [
      () => M.noop({ signal: aborted() }),
      () => M.fetch("1", "(FLAGS)", { signal: aborted() }),
      () => M.search(null, "ALL", { signal: aborted() }),
      () => M.uid("FETCH", "1", "(FLAGS)", { signal: aborted() }),
      () => M.xatom("XFOO", "bar", { signal: aborted() }),
      () => M.select("INBOX", false, { signal: aborted() }),
    ]
  ) {
    await assert.rejects(call(), (e: Error) => {
      assert.ok(e instanceof IMAP4CancelledError && e instanceof IMAP4.error);
      assert.ok(!(e instanceof IMAP4Abort));
      assert.equal(e.cause, reason);
      return true;
    });
  }
  assert.equal(server.receivedText.length, before);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("cancel: varargs methods take the options last and do not send them", async () => {
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      SEARCH: (s, c) => {
        s.line("* SEARCH 1 2");
        s.line(`${c.tag} OK SEARCH completed`);
      },
      UID: (s, c) => {
        s.line("* 1 FETCH (UID 7 FLAGS ())");
        s.line(`${c.tag} OK UID FETCH completed`);
      },
    },
  });
  const signal = new AbortController().signal;
  const [, [found]] = await M.search(null, "ALL", { signal });
  assert.equal(str(found), "1 2");
  const [, [fetched]] = await M.uid("FETCH", "7", "(FLAGS)", { signal });
  assert.equal(str(fetched), "1 (UID 7 FLAGS ())");
  assert.match(server.receivedText, / SEARCH ALL\r\n/);
  assert.match(server.receivedText, / UID FETCH 7 \(FLAGS\)\r\n/);
  assert.doesNotMatch(server.receivedText, /object/);
  await done();
});

test("cancel: a command aborted while queued is dropped unsent; the queue goes on", async () => {
  const { NOOP, releaseNoop } = heldNoop();
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      NOOP,
      FETCH: (s, c) => {
        s.line(`* ${c.args.split(" ")[0]} FETCH (FLAGS ())`);
        s.line(`${c.tag} OK FETCH completed`);
      },
    },
  });
  const controller = new AbortController();
  const noop = M.noop();
  const cancelled = M.fetch("1", "(FLAGS)", { signal: controller.signal });
  const after = M.fetch("2", "(FLAGS)");
  await settle();
  controller.abort(reason);
  // Rejected at once, while the NOOP ahead of it is still waiting for its reply.
  await assert.rejects(cancelled, IMAP4CancelledError);
  releaseNoop();
  assert.equal((await noop)[0], "OK");
  const [, [data]] = await after;
  assert.equal(str(data), "2 (FLAGS ())");
  assert.doesNotMatch(server.receivedText, /FETCH 1 /);
  await done();
});

test("cancel: in flight, the reply is awaited and discarded; nothing leaks to the next command", async () => {
  let replyNow!: () => void;
  const held = new Promise<void>((resolve) => replyNow = resolve);
  const { M, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      FETCH: async (s, c) => {
        const set = c.args.split(" ")[0];
        if (set === "1") await held;
        s.line(`* ${set} FETCH (FLAGS (\\Seen))`);
        s.line(`${c.tag} ${set === "3" ? "NO" : "OK"} FETCH completed`);
      },
    },
  });
  const controller = new AbortController();
  let settled = false;
  const cancelled = M.fetch("1", "(FLAGS)", { signal: controller.signal });
  cancelled.catch(() => {}).finally(() => settled = true);
  await settle();
  controller.abort(reason);
  await settle();
  assert.equal(settled, false, "waits for the tagged reply");
  replyNow();
  await assert.rejects(cancelled, (e: Error) => e instanceof IMAP4CancelledError);
  const [, data] = await M.fetch("2", "(FLAGS)");
  assert.deepEqual(data.map(str), ["2 (FLAGS (\\Seen))"]);
  // A NO of a cancelled command is discarded too.
  const late = new AbortController();
  const refused = M.fetch("3", "(FLAGS)", { signal: late.signal });
  late.abort(reason);
  await assert.rejects(refused, IMAP4CancelledError);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("cancel: past cancelGraceSeconds the connection is closed with IMAP4TimeoutError", async () => {
  const clock = new FakeClock();
  const { M, server } = await connectScripted({
    state: "SELECTED",
    client: { clock, cancelGraceSeconds: 2 },
    handlers: { FETCH: () => {} }, // never answers
  });
  const controller = new AbortController();
  const cancelled = M.fetch("1", "(FLAGS)", { signal: controller.signal });
  cancelled.catch(() => {});
  await clock.advance(10_000); // no deadline before the abort: `timeout` is unset
  controller.abort(reason);
  await clock.advance(1_999);
  assert.equal(server.closedByClient, false);
  await clock.advance(1);
  await assert.rejects(cancelled, (e: Error) => {
    assert.ok(e instanceof IMAP4TimeoutError, String(e));
    assert.match(e.message, /FETCH cancelled and not completed within 2 s: connection closed/);
    assert.equal(e.cause, reason);
    return true;
  });
  assert.equal(M.state, "LOGOUT");
  assert.ok(server.closedByClient);
  await assert.rejects(M.noop(), IMAP4Abort);
  assert.equal(clock.pending, 0, "no timer left behind");
});

test("cancel: cancelGraceSeconds must be >= 0 or null", () => {
  for (const bad of [-1, Number.NaN, Infinity]) {
    assert.throws(() => new IMAP4({ cancelGraceSeconds: bad }), RangeError);
  }
  new IMAP4({ cancelGraceSeconds: 0 });
  new IMAP4({ cancelGraceSeconds: null });
});

test("cancel: fetchIter() aborted mid-way drops the rest, then throws; usable after", async () => {
  const { M, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      FETCH: (s, c) => {
        for (let n = 1; n <= 5; n++) s.line(`* ${n} FETCH (UID ${n})`);
        s.line(`${c.tag} OK FETCH completed`);
      },
    },
  });
  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const [, data] of M.fetchIter("1:5", "(UID)", { signal: controller.signal })) {
      seen.push(str(data[0]));
      if (seen.length === 2) controller.abort(reason);
    }
  }, (e: Error) => e instanceof IMAP4CancelledError && /fetchIter\(\) cancelled/.test(e.message));
  assert.deepEqual(seen, ["1 (UID 1)", "2 (UID 2)"]);
  assert.deepEqual(M.response("FETCH"), ["FETCH", [null]], "the dropped rest is not stored");
  assert.equal((await M.noop())[0], "OK");
  await assert.rejects(
    M.fetchIter("1", "(UID)", { signal: aborted() }).next(),
    IMAP4CancelledError,
  );
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("cancel: fetchBody() and fetchBodies() aborted while queued or before the body", async () => {
  const { M, server, done } = await connectScripted({
    state: "SELECTED",
    handlers: {
      FETCH: (s, c) => {
        s.send(`* 1 FETCH (BODY[] {5}\r\nhello)\r\n`);
        s.line(`${c.tag} OK FETCH completed`);
      },
    },
  });
  const before = server.receivedText.length;
  await assert.rejects(M.fetchBody("1", undefined, { signal: aborted() }), IMAP4CancelledError);
  const bodies = M.fetchBodies("1", undefined, { signal: aborted() });
  await assert.rejects(bodies.next(), IMAP4CancelledError);
  assert.equal(server.receivedText.length, before, "nothing sent");
  const controller = new AbortController();
  const opening = M.fetchBody("1", undefined, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(opening, IMAP4CancelledError);
  const part = await M.fetchBody("1");
  assert.equal(str(new Uint8Array(await new Response(part!.body).arrayBuffer())), "hello");
  assert.equal((await part!.done)[0], "OK");
  await done();
});

test("cancel: a typed method's signal reaches its commands: dropped while queued", async () => {
  const { NOOP, releaseNoop } = heldNoop();
  const { M, server, done } = await connectScripted({
    state: "AUTH",
    handlers: {
      NOOP,
    },
  });
  const controller = new AbortController();
  const noop = M.noop();
  const selecting = selectMailbox(M, "INBOX", { signal: controller.signal });
  const fetching = fetchMessages(M, "1:*", { flags: true }, { signal: controller.signal }).next();
  await settle();
  controller.abort(reason);
  // Both reject while the NOOP ahead of them still waits: nothing of them was sent.
  await assert.rejects(selecting, (e: Error) => {
    assert.ok(e instanceof IMAP4CancelledError);
    assert.match(e.message, /^selectMailbox\(\) cancelled/);
    return true;
  });
  await assert.rejects(fetching, /fetchMessages\(\) cancelled/);
  releaseNoop();
  assert.equal((await noop)[0], "OK");
  assert.doesNotMatch(server.receivedText, /SELECT|FETCH/);
  assert.equal(M.state, "AUTH");
  await done();
});

// ---- Random abort points over a queue of commands (fast-check) ----

const fc = denoOnly.ignore ? null : (await import("npm:fast-check@4.11.0")).default;

function env(name: string): string | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno?.env.get(name);
}

interface Plan {
  // Per command: settle turns before the server answers it, and when its signal aborts
  // (-1: before the call; null: never; n: after n settle turns from the start).
  commands: { replyTurns: number; abortTurn: number | null }[];
  graceZero: boolean;
}

async function runPlan(plan: Plan): Promise<void> {
  const server = new ServerSide();
  const received: string[] = [];
  const serving = serve(server, {
    handlers: {
      FETCH: async (s, c) => {
        const set = c.args.split(" ")[0];
        received.push(set);
        for (let t = 0; t < plan.commands[Number(set) - 1].replyTurns; t++) await settle();
        s.line(`* ${set} FETCH (UID ${set})`);
        s.line(`${c.tag} OK FETCH completed`);
      },
      SELECT: (s, c) => s.line(`${c.tag} OK [READ-WRITE] SELECT completed`),
    },
  });
  const M = await IMAP4.fromTransport(server.transport, {
    cancelGraceSeconds: plan.graceZero ? 0 : null,
  });
  await M.login("u", "p");
  await M.select();
  const controllers = plan.commands.map(() => new AbortController());
  plan.commands.forEach((c, i) => c.abortTurn === -1 && controllers[i].abort(reason));
  const calls = plan.commands.map((_, i) =>
    M.fetch(String(i + 1), "(UID)", { signal: controllers[i].signal }).then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    )
  );
  const maxTurn = Math.max(0, ...plan.commands.map((c) => c.abortTurn ?? 0));
  for (let turn = 0; turn <= maxTurn; turn++) {
    plan.commands.forEach((c, i) => c.abortTurn === turn && controllers[i].abort(reason));
    await settle();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcomes = await Promise.race([
    Promise.all(calls),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("a cancelled command hung")), 5000);
    }),
  ]).finally(() => clearTimeout(timer));

  const closed = M.state === "LOGOUT";
  outcomes.forEach((outcome, i) => {
    const number = String(i + 1);
    if ("result" in outcome) {
      // Its own data, never a cancelled command's.
      assert.deepEqual(outcome.result[1].map(str), [`${number} (UID ${number})`]);
      assert.ok(received.includes(number));
    } else if (outcome.error instanceof IMAP4CancelledError) {
      assert.ok(controllers[i].signal.aborted);
    } else {
      // Only a grace of 0 closes the connection, and only after an abort in flight.
      assert.ok(outcome.error instanceof IMAP4Abort, String(outcome.error));
      assert.ok(plan.graceZero && closed, String(outcome.error));
    }
  });
  if (!closed) {
    // In step: the next command gets its own reply.
    assert.equal((await M.noop())[0], "OK");
    await M.logout();
  } else {
    await M.shutdown();
  }
  await serving;
}

test(
  "cancel: random abort points never leave the connection out of step (fast-check)",
  async () => {
    const command = fc!.record({
      replyTurns: fc!.integer({ min: 0, max: 3 }),
      abortTurn: fc!.option(fc!.integer({ min: -1, max: 8 }), { nil: null }),
    });
    const plan = fc!.record({
      commands: fc!.array(command, { minLength: 1, maxLength: 4 }),
      graceZero: fc!.boolean(),
    });
    const seedText = env("FUZZ_SEED");
    await fc!.assert(fc!.asyncProperty(plan, runPlan), {
      numRuns: Number(env("FUZZ_RUNS") ?? 100),
      seed: seedText === "random" ? undefined : Number(seedText ?? 20261205),
    });
  },
  denoOnly,
); // fast-check comes through an `npm:` specifier, which Bun's test runner lacks
