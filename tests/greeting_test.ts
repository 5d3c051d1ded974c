// First contact: the wait for the greeting is bounded by default (30 s, on the injected clock),
// `timeout: null` bounds nothing, and a server that is not IMAP is named in the error.

import assert from "node:assert/strict";
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, IMAP4, IMAP4Abort, IMAP4TimeoutError } from "../mod.ts";
import { FakeClock } from "./_clock.ts";
import { connectScripted, serve, ServerSide } from "./_scripted.ts";
import { assertRaises, test } from "./_harness.ts";

test("greeting: a silent server fails after the default 30 s, with the IMAP4_SSL hint", async () => {
  assert.equal(DEFAULT_CONNECT_TIMEOUT_SECONDS, 30);
  const clock = new FakeClock();
  const server = new ServerSide();
  let settled = false;
  const connecting = IMAP4.fromTransport(server.transport, { clock });
  connecting.catch(() => {}).finally(() => settled = true);
  await clock.advance(29_999);
  assert.equal(settled, false);
  await clock.advance(1);
  const error = await assertRaises(connecting, IMAP4TimeoutError, /no greeting .* within 30 s/);
  assert.match(error.message, /IMAP4_SSL/);
  assert.ok(server.closedByClient);
});

test("greeting: connectTimeoutSeconds sets the bound; timeout: null and null remove it", async () => {
  for (
    const [options, boundMs] of [
      [{ connectTimeoutSeconds: 5 }, 5000],
      [{ timeout: 2 }, 2000], // a number bounds every wait, the greeting included
      [{ timeout: null }, null],
      [{ connectTimeoutSeconds: null }, null],
    ] as const
  ) {
    const clock = new FakeClock();
    const server = new ServerSide();
    let settled = false;
    const connecting = IMAP4.fromTransport(server.transport, { ...options, clock });
    connecting.catch(() => {}).finally(() => settled = true);
    if (boundMs !== null) {
      await clock.advance(boundMs - 1);
      assert.equal(settled, false, JSON.stringify(options));
      await clock.advance(1);
      await assertRaises(connecting, IMAP4TimeoutError);
      continue;
    }
    await clock.advance(3_600_000); // an hour: still waiting, as imaplib would
    assert.equal(settled, false, JSON.stringify(options));
    const serving = serve(server, { greeting: null }); // answers CAPABILITY
    server.line("* OK late but fine");
    const M = await connecting;
    assert.equal(M.state, "NONAUTH");
    await M.shutdown();
    await serving;
  }
});

test("greeting: bad timeouts are RangeErrors before anything happens", async () => {
  for (const options of [{ timeout: 0 }, { connectTimeoutSeconds: -1 }, { timeout: NaN }]) {
    const server = new ServerSide();
    await assert.rejects(IMAP4.fromTransport(server.transport, options), RangeError);
  }
});

test("greeting: SMTP, POP3 and TLS on the port are named in the error", async () => {
  for (
    const [bytes, named] of [
      ["220 mail.example.org ESMTP Postfix\r\n", /SMTP server/],
      ["+OK Dovecot ready.\r\n", /POP3 server/],
      // A TLS alert record (21, version 3.3) whose bytes happen to end in CRLF.
      ["\x15\x03\x03\x00\x02\x02\x46\r\n", /speaks TLS on this port: use IMAP4_SSL/],
    ] as const
  ) {
    const server = new ServerSide();
    server.send(bytes);
    const error = await assertRaises(IMAP4.fromTransport(server.transport), IMAP4Abort);
    assert.match(error.message, /^unexpected greeting \(not an IMAP4 server\?\)/);
    assert.match(error.message, named);
    assert.ok(server.closedByClient);
  }
});

test("capabilities: connections told the same list share one frozen copy, also when lists alternate; another list is its own", async () => {
  const a = await connectScripted({ capabilities: "IDLE MOVE" });
  const b = await connectScripted({ capabilities: "IDLE MOVE" });
  assert.deepEqual(a.M.capabilities, ["IMAP4REV1", "IDLE", "MOVE"]);
  assert.equal(a.M.capabilities, b.M.capabilities);
  assert.ok(Object.isFrozen(a.M.capabilities));
  const c = await connectScripted({ capabilities: "IDLE" });
  assert.deepEqual(c.M.capabilities, ["IMAP4REV1", "IDLE"]);
  assert.deepEqual(a.M.capabilities, ["IMAP4REV1", "IDLE", "MOVE"]);
  // A server's lists before and after login alternate; both stay shared.
  const d = await connectScripted({ capabilities: "IDLE MOVE" });
  assert.equal(d.M.capabilities, a.M.capabilities);
  await Promise.all([a.done(), b.done(), c.done(), d.done()]);
});
