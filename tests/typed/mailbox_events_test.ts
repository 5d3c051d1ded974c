// mailboxEvents(): untagged responses as M.idle() yields them, to typed events. Known answers.

import assert from "node:assert/strict";
import { mailboxEvents, TypedParseError } from "../../mod.ts";
import { test } from "../_harness.ts";

const b = (s: string) => new TextEncoder().encode(s);

test("mailboxEvents: EXISTS, EXPUNGE, VANISHED, FETCH with FLAGS; others none", () => {
  assert.deepEqual(mailboxEvents(["EXISTS", [b("12")]]), [{ type: "exists", count: 12 }]);
  assert.deepEqual(mailboxEvents(["EXPUNGE", [b("3")]]), [{ type: "expunge", seq: 3 }]);
  assert.deepEqual(mailboxEvents(["VANISHED", [b("41,43:45")]]), [
    { type: "vanished", uids: [41, 43, 44, 45], earlier: false },
  ]);
  assert.deepEqual(mailboxEvents(["VANISHED", [b("(EARLIER) 7")]]), [
    { type: "vanished", uids: [7], earlier: true },
  ]);
  assert.deepEqual(mailboxEvents(["FETCH", [b("3 (UID 41 MODSEQ (90) FLAGS (\\Seen $Work))")]]), [
    { type: "flags", seq: 3, uid: 41, modseq: 90n, flags: new Set(["\\Seen", "$Work"]) },
  ]);
  // Apple Mail's flag colour (blue: bit 2), as imapflow's flags event carries it.
  assert.deepEqual(mailboxEvents(["FETCH", [b("5 (FLAGS (\\Flagged $MailFlagBit2))")]]), [
    { type: "flags", seq: 5, flags: new Set(["\\Flagged", "$MailFlagBit2"]), flagColor: "blue" },
  ]);
  assert.deepEqual(mailboxEvents(["FETCH", [b("4 (FLAGS ())")]]), [
    { type: "flags", seq: 4, flags: new Set() },
  ]);
  // A FETCH without FLAGS, RECENT, an untagged OK: no change to report.
  assert.deepEqual(mailboxEvents(["FETCH", [b("4 (UID 9)")]]), []);
  assert.deepEqual(mailboxEvents(["RECENT", [b("1")]]), []);
  assert.deepEqual(mailboxEvents(["OK", [b("Still here")]]), []);
  // Types in any case, junk numbers skipped.
  assert.deepEqual(mailboxEvents(["exists", [b("x"), b(" 5 ")]]), [{ type: "exists", count: 5 }]);
  // Past RFC 3501's 32 bits is junk too.
  assert.deepEqual(mailboxEvents(["EXISTS", [b("4294967296"), b("4294967295")]]), [
    { type: "exists", count: 4294967295 },
  ]);
  assert.deepEqual(mailboxEvents(["EXPUNGE", [b("99999999999999999999")]]), []);
  assert.throws(() => mailboxEvents(["FETCH", [b("4 (FLAGS (")]]), TypedParseError);
  assert.throws(() => mailboxEvents(["VANISHED", [b("1:4294967295")]]), RangeError);
});
