// Per-command cancellation against real Dovecot: a command aborted right after it was written
// (the structured log's "command" event fires then) runs to its tagged reply, which is discarded;
// the next command gets only its own data. The other abort points are in tests/cancel_test.ts.

import assert from "node:assert/strict";
import { IMAP4CancelledError, type LogEntry } from "../mod.ts";
import { login, message, uniqueMailbox } from "./_dovecot.ts";
import { denoOnly, test } from "./_harness.ts";

const td = new TextDecoder();

test(
  "dovecot: a command aborted in flight completes on the server; its reply is discarded",
  async () => {
    let controller = new AbortController();
    let abortAt: string | null = null;
    const onLog = (entry: LogEntry) => {
      if (entry.event === "command" && entry.command === abortAt) controller.abort("enough");
    };
    await using M = await login(0, { onLog });
    const mailbox = uniqueMailbox("cancel");
    await M.create(mailbox);
    try {
      for (const subject of ["one", "two"]) {
        await M.append(mailbox, null, null, message(subject));
      }
      await M.select(mailbox);

      abortAt = "FETCH";
      await assert.rejects(
        M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])", { signal: controller.signal }),
        (e: Error) => e instanceof IMAP4CancelledError && e.cause === "enough",
      );
      abortAt = null;
      const [, data] = await M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
      assert.equal(data.length, 2, "only the second message's response and its closing paren");
      assert.match(td.decode((data[0] as [Uint8Array, Uint8Array])[1]), /Subject: two/);

      // A STORE aborted in flight did take effect: Dovecot ran it.
      controller = new AbortController();
      abortAt = "STORE";
      const onStore = M.store("1", "+FLAGS", "\\Flagged", { signal: controller.signal });
      await assert.rejects(onStore, IMAP4CancelledError);
      abortAt = null;
      const [, flags] = await M.fetch("1", "(FLAGS)");
      assert.match(td.decode(flags[0] as Uint8Array), /\\Flagged/);
      assert.deepEqual(M.response("FETCH"), ["FETCH", [null]], "nothing left in the store");

      // Aborted while queued behind a NOOP: never sent, the queue goes on.
      const queued = new AbortController();
      const noop = M.noop();
      const dropped = M.expunge({ signal: queued.signal });
      queued.abort("enough");
      await assert.rejects(dropped, IMAP4CancelledError);
      assert.equal((await noop)[0], "OK");
      assert.equal((await M.noop())[0], "OK");
    } finally {
      await M.unselect();
      await M.delete(mailbox);
    }
  },
  denoOnly,
); // the Dovecot fixture starts under Deno only
