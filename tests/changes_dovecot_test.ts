// mailboxChanges() against the real Dovecot, on each of its three paths (QRESYNC, CONDSTORE,
// UIDs): a first run, changes made by a second connection between runs (a flag set, a message
// expunged, one appended), a run with nothing new; every run a fresh connection, as a scheduled
// task has.

import assert from "node:assert/strict";
import { mailboxChanges, type MailboxSyncState, type SyncMethod } from "../mod.ts";
import { test } from "./_harness.ts";
import { login, uniqueMailbox } from "./_dovecot.ts";

const message = (n: number) =>
  `From: a@example.org\r\nSubject: changes ${n}\r\nMessage-ID: <c${n}@example.org>\r\n\r\n${n}\r\n`;

// One run of a scheduled task: connect, log in, ask, log out.
async function runOnce(
  box: string,
  previous: MailboxSyncState | null,
  method: SyncMethod,
) {
  const M = await login();
  try {
    const changes = await mailboxChanges(M, box, previous, { method });
    // The state must survive JSON, as a task keeps it in a file or Deno KV.
    assert.deepEqual(JSON.parse(JSON.stringify(changes.state)), changes.state);
    return changes;
  } finally {
    await M.logout();
  }
}

for (const method of ["qresync", "condstore", "uids"] as const) {
  test(`mailboxChanges (${method}): new, flagged, expunged and unchanged across runs`, async () => {
    const box = uniqueMailbox(`Changes-${method}`);
    const O = await login();
    try {
      await O.create(box);
      for (const n of [1, 2, 3]) await O.append(box, null, null, message(n));

      const first = await runOnce(box, null, method);
      assert.equal(first.method, method);
      assert.equal(first.reset, true);
      assert.deepEqual(first.newUids, [1, 2, 3]);
      assert.deepEqual([first.changed, first.vanished], [[], []]);
      assert.equal(first.state.uidNext, 4);
      assert.equal(first.state.highestModseq === undefined, method === "uids");

      // Between runs, another client: \Flagged on 1, 2 expunged, 4 appended.
      await O.select(box);
      await O.uid("STORE", "1", "+FLAGS", "(\\Flagged)");
      await O.uid("STORE", "2", "+FLAGS", "(\\Deleted)");
      await O.expunge();
      await O.append(box, null, null, message(4));

      const second = await runOnce(box, first.state, method);
      assert.equal(second.reset, false);
      assert.deepEqual(second.newUids, [4]);
      assert.deepEqual(second.vanished, [2]);
      const flagged = second.changed.find((m) => m.uid === 1);
      assert.ok(flagged?.flags?.has("\\Flagged"), `changed: ${second.changed.map((m) => m.uid)}`);
      if (method === "uids") {
        // No modseq: every message present before comes with its flags.
        assert.deepEqual(second.changed.map((m) => m.uid).sort(), [1, 3]);
      } else {
        assert.deepEqual(second.changed.map((m) => m.uid), [1]);
        assert.equal(typeof flagged?.modseq, "bigint");
        assert.ok(BigInt(second.state.highestModseq!) > BigInt(first.state.highestModseq!));
      }
      assert.equal(second.state.uidNext, 5);

      const third = await runOnce(box, second.state, method);
      assert.deepEqual([third.reset, third.newUids, third.vanished], [false, [], []]);
      if (method === "uids") assert.deepEqual(third.changed.map((m) => m.uid).sort(), [1, 3, 4]);
      else assert.deepEqual(third.changed, []);

      // A state from another mailbox generation (UIDVALIDITY differs): start over.
      const stale = { ...second.state, uidValidity: second.state.uidValidity + 1 };
      const restart = await runOnce(box, stale, method);
      assert.deepEqual([restart.reset, restart.newUids], [true, [1, 3, 4]]);
    } finally {
      await O.logout().catch(() => {});
      const C = await login();
      await C.delete(box);
      await C.logout();
    }
  });
}
