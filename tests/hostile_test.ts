// The hostile and broken server catalogue: one named test per case. Scripted servers (an
// in-memory transport, or a real loopback socket where timing on a real socket matters) play
// what a real server will not; everything a real server can show is in the dovecot_* files.
// Cases covered elsewhere are named in comments where they belong.

import assert from "node:assert/strict";
import {
  type ConnectOptions,
  IMAP4,
  IMAP4Abort,
  IMAP4ArgumentError,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4LimitError,
  IMAP4ProtocolError,
  IMAP4TimeoutError,
  IMAP4TlsError,
  plainAuth,
  type Result,
  xoauth2Auth,
} from "../mod.ts";
import { assertRaises, denoOnly, rssBytes, test } from "./_harness.ts";
import {
  type CommandHandler,
  connectScripted,
  readCommand,
  replies,
  ServerSide,
  sleep,
  str,
} from "./_scripted.ts";

/** A client on a scripted server with `handlers` and `capabilities`, with the client's `options`. */
function open(
  handlers: Record<string, CommandHandler> = {},
  capabilities = "",
  options: ConnectOptions = {},
) {
  return connectScripted({ handlers, capabilities, client: options });
}

// ---- Error model -----------------------------------------------------------------------------

test("error model: a fatal error rejects every pending command with the same error", async () => {
  const { M, serving } = await open({
    NOOP: (s) => {
      s.reset();
      return false;
    },
  });
  const pending = [M.noop(), M.noop(), M.capability()];
  const errors = await Promise.all(pending.map((p) => p.then(() => null, (e) => e)));
  assert.ok(errors[0] instanceof IMAP4ConnectionError);
  assert.ok(errors.every((e) => e === errors[0]), "the same error object for all");
  assert.ok(errors.every((e) => e instanceof IMAP4Abort && e instanceof IMAP4Error));
  assert.equal(M.state, "LOGOUT");
  await assert.rejects(M.noop(), (e) => e === errors[0]);
  await serving;
});

test("error model: failures while nothing is awaited never become unhandled rejections", async () => {
  // Deno fails the test on an unhandled rejection; each case gives one the time to surface.
  // (a) A reset between commands.
  {
    const { M, server, serving } = await open();
    server.reset();
    await sleep(20);
    await assert.rejects(M.noop(), IMAP4ConnectionError);
    await serving;
  }
  // (b) A reset while IDLE waits with no next() pending, after a duration left a read pending.
  {
    const { M, server, serving } = await open({ IDLE: (s) => s.line("+ idling") }, "IDLE");
    await M.login("u", "p");
    const idler = await M.idle({ duration: 0.01 });
    assert.equal(await idler.next(), null);
    server.reset();
    await sleep(20);
    await idler.done().catch(() => {});
    assert.equal(M.state, "LOGOUT");
    await serving;
  }
});

// ---- TLS and STARTTLS ------------------------------------------------------------------------
// Verification by default, unknown CA, wrong host name: dovecot_tls_idle_test.ts; self-signed
// and expired certificates: tls_certificates_test.ts; injection after the OK in the same read,
// NO/BAD, missing capability, PREAUTH with STARTTLS required, LOGINDISABLED:
// session_scripted_test.ts.

test("STARTTLS: untagged responses injected before the OK are discarded, capabilities re-asked", async () => {
  let capabilityCalls = 0;
  const { M, server, serving } = await open({
    STARTTLS: replies(
      '* LIST () "." INBOX',
      "* 54321 EXISTS",
      "* OK [ALERT] Your password expired, visit http://evil.example/",
      "* CAPABILITY IMAP4rev1 AUTH=PLAIN",
      "{tag} OK Begin TLS negotiation now",
    ),
    CAPABILITY: (s, c) => {
      capabilityCalls++;
      s.line(
        `* CAPABILITY IMAP4rev1 ${capabilityCalls === 1 ? "STARTTLS LOGINDISABLED" : "AUTH=SCRAM"}`,
      );
      s.line(`${c.tag} OK done`);
    },
  });
  assert.ok(M.capabilities.includes("LOGINDISABLED"));
  await M.starttls();
  assert.equal(server.upgrades, 1);
  assert.equal(capabilityCalls, 2);
  assert.deepEqual(M.capabilities, ["IMAP4REV1", "AUTH=SCRAM"]);
  for (const name of ["LIST", "EXISTS", "ALERT", "OK", "CAPABILITY"]) {
    assert.deepEqual(M.response(name), [name, [null]], `${name} survived STARTTLS`);
  }
  await M.logout();
  await serving;
});

test("STARTTLS: a '+' instead of a status is refused; nothing else is sent", async () => {
  const { M, server, serving } = await open({ STARTTLS: (s) => s.line("+ go on") }, "STARTTLS");
  await assertRaises(M.starttls(), IMAP4TlsError, /continuation/);
  await assert.rejects(M.login("u", "p"), IMAP4Abort);
  assert.equal(server.upgrades, 0);
  assert.ok(!server.receivedText.includes("LOGIN"));
  await serving;
});

test("STARTTLS: an unknown status is refused", async () => {
  const { M, server, serving } = await open(
    { STARTTLS: (s, c) => s.line(`${c.tag} MAYBE later`) },
    "STARTTLS",
  );
  await assert.rejects(M.starttls(), /status "MAYBE", not OK, NO or BAD/);
  assert.equal(server.upgrades, 0);
  assert.ok(server.closedByClient);
  await serving;
});

test("STARTTLS: the required-STARTTLS connect option upgrades before returning", async () => {
  const { M, server, serving } = await open(
    { STARTTLS: (s, c) => s.line(`${c.tag} OK Begin TLS`) },
    "STARTTLS",
    { starttls: true },
  );
  assert.equal(server.upgrades, 1);
  await M.logout();
  await serving;
});

// Deno only: the silent server is a Deno.listen socket.
test("STARTTLS: an OK followed by silence (no handshake) times out and closes", async () => {
  // A real socket: Deno's TLS client waits for a ServerHello that never comes.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let serverConn: Deno.Conn | null = null;
  const serving = (async () => {
    const conn = serverConn = await listener.accept();
    const writer = conn.writable.getWriter();
    const reader = conn.readable.getReader();
    const write = (t: string) => writer.write(new TextEncoder().encode(t));
    await write("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    let text = "";
    while (!/STARTTLS\r\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
      const asked = /(\S+) CAPABILITY\r\n$/.exec(text);
      if (asked) await write(`* CAPABILITY IMAP4rev1 STARTTLS\r\n${asked[1]} OK done\r\n`);
    }
    const tag = /(\S+) STARTTLS/.exec(text)![1];
    await write(`${tag} OK Begin TLS\r\n`);
    // Then silence. (Deno keeps the socket of a cancelled handshake open until the peer closes
    // it, so the server closes it at the end instead of waiting for EOF.)
    reader.releaseLock();
    writer.releaseLock();
  })();
  const started = performance.now();
  const { port } = listener.addr as Deno.NetAddr;
  const M = await IMAP4.connect("127.0.0.1", port, { timeout: 0.3 });
  await assertRaises(M.starttls({ hostname: "localhost" }), IMAP4TimeoutError, /TLS handshake/);
  assert.ok(performance.now() - started < 3000);
  assert.equal(M.state, "LOGOUT");
  assert.equal(M.socket(), null);
  await serving;
  (serverConn as Deno.Conn | null)?.close();
  listener.close();
}, denoOnly);

// ---- Injection -------------------------------------------------------------------------------

const BAD = ["a\rb", "a\nb", "a\0b", "x\r\nA1 DELETE INBOX"];

// Every command with a caller-supplied argument, one bad argument at a time.
const CALLS: [string, (M: IMAP4, bad: string) => Promise<unknown>][] = [
  ["login user", (M, b) => M.login(b, "p")],
  ["login password", (M, b) => M.login("u", b)],
  ["select mailbox", (M, b) => M.select(b)],
  ["create", (M, b) => M.create(b)],
  ["delete", (M, b) => M.delete(b)],
  ["rename", (M, b) => M.rename("a", b)],
  ["subscribe", (M, b) => M.subscribe(b)],
  ["unsubscribe", (M, b) => M.unsubscribe(b)],
  ["status mailbox", (M, b) => M.status(b, "(MESSAGES)")],
  ["status items", (M, b) => M.status("INBOX", b)],
  ["list pattern", (M, b) => M.list('""', b)],
  ["lsub reference", (M, b) => M.lsub(b, "*")],
  ["append mailbox", (M, b) => M.append(b, null, null, "x")],
  ["append flags", (M, b) => M.append("INBOX", b, null, "x")],
  ["search criteria", (M, b) => M.search(null, "FROM", b)],
  ["search charset", (M, b) => M.search(b, "ALL")],
  ["fetch sequence set", (M, b) => M.fetch(b, "(FLAGS)")],
  ["fetch items", (M, b) => M.fetch("1", b)],
  ["store flags", (M, b) => M.store("1", "+FLAGS", b)],
  ["copy mailbox", (M, b) => M.copy("1", b)],
  ["uid args", (M, b) => M.uid("FETCH", "1", b)],
  ["uid move mailbox", (M, b) => M.uid("MOVE", "1", b)],
  ["enable capability", (M, b) => M.enable(b)],
  ["getacl", (M, b) => M.getacl(b)],
  ["setacl rights", (M, b) => M.setacl("INBOX", "bob", b)],
  ["deleteacl who", (M, b) => M.deleteacl("INBOX", b)],
  ["myrights", (M, b) => M.myrights(b)],
  ["getquota", (M, b) => M.getquota(b)],
  ["getquotaroot", (M, b) => M.getquotaroot(b)],
  ["setquota limits", (M, b) => M.setquota("r", b)],
  ["sort criteria", (M, b) => M.sort("DATE", "UTF-8", b)],
  ["thread algorithm", (M, b) => M.thread(b, "UTF-8", "ALL")],
  ["partial part", (M, b) => M.partial("1", b, "0", "1")],
  ["proxyauth", (M, b) => M.proxyauth(b)],
  ["getannotation entry", (M, b) => M.getannotation("INBOX", b, '"value"')],
  ["setannotation args", (M, b) => M.setannotation("INBOX", b)],
  ["xatom name", (M, b) => M.xatom(b)],
  ["xatom args", (M, b) => M.xatom("ID", b)],
  ["authenticate mechanism", (M, b) => M.authenticate(b, () => null)],
];

test("injection: NUL, CR or LF in any argument of any command throws before a byte is written", async () => {
  const { M, server, serving } = await open({
    ENABLE: replies("{tag} OK"),
  }, "ENABLE");
  for (const [name, call] of CALLS) {
    for (const bad of BAD) {
      const before = server.received.length;
      await assert.rejects(call(M, bad), (e: Error) => {
        // State errors would also throw before writing; this must be the argument check.
        assert.ok(
          e instanceof IMAP4ArgumentError || /illegal in state/.test(e.message),
          `${name}: ${e}`,
        );
        return true;
      });
      assert.equal(
        server.received.length,
        before,
        `${name} wrote bytes for ${JSON.stringify(bad)}`,
      );
    }
  }
  // The connection is still in step: the server saw only CAPABILITY and now NOOP.
  assert.equal((await M.noop())[0], "OK");
  assert.deepEqual(
    server.receivedText.trim().split("\r\n").map((l) => l.split(" ")[1]),
    ["CAPABILITY", "NOOP"],
  );
  await M.logout();
  await serving;
});

test("injection: arguments are checked in every state (after login and select too)", async () => {
  const { M, server, serving } = await open({}, "ENABLE");
  await M.login("u", "p");
  await M.select("INBOX");
  const before = server.received.length;
  for (const [name, call] of CALLS.filter(([n]) => !n.startsWith("login"))) {
    await assert.rejects(call(M, "x\r\ny"), (e: Error) => {
      assert.ok(
        e instanceof IMAP4ArgumentError || /illegal in state/.test(e.message),
        `${name}: ${e}`,
      );
      return true;
    });
  }
  assert.equal(server.received.length, before);
  await M.logout();
  await serving;
});

test("literal: {N} is the byte length written (UTF-8, bare LF normalised, trailing CR)", async () => {
  const literals: { announced: number; bytes: Uint8Array }[] = [];
  const { M, serving } = await open({
    APPEND: async (s, c) => {
      const announced = Number(/\{(\d+)\}$/.exec(c.args)![1]);
      s.line("+ ready");
      literals.push({ announced, bytes: await s.readBytes(announced) });
      assert.equal(await s.readLine(), "");
      s.line(`${c.tag} OK APPEND completed`);
    },
  });
  await M.login("u", "p");
  for (const message of ["naïve ☃\n", "a\nb\n", "ends in CR\r", "\r\r\n\n", ""]) {
    await M.append("INBOX", null, null, message);
  }
  const expected = ["naïve ☃\r\n", "a\r\nb\r\n", "ends in CR\r\n", "\r\n\r\n\r\n", ""];
  assert.deepEqual(literals.map((l) => new TextDecoder().decode(l.bytes)), expected);
  for (const { announced, bytes } of literals) assert.equal(announced, bytes.length);
  await M.logout();
  await serving;
});

// ---- Tags ------------------------------------------------------------------------------------

test("tags: a second completion for a finished tag is an abort", async () => {
  const { M, serving } = await open({
    NOOP: replies("{tag} OK NOOP done", "{tag} OK NOOP done again"),
  });
  assert.equal((await M.noop())[0], "OK");
  await assertRaises(M.noop(), IMAP4Abort, /unexpected tagged response/);
  await serving;
});

test("tags: a completion for the next tag, before it was sent, is an abort", async () => {
  const { M, serving } = await open({
    NOOP: (s, c) => {
      const next = c.tag.slice(0, 4) + String(Number(c.tag.slice(4)) + 1);
      s.line(`${next} OK forged in advance`);
      s.line(`${c.tag} OK NOOP done`);
    },
  });
  await assert.rejects(M.noop(), /unexpected tagged response/);
  await serving;
});

test("tags: a completion for a tag whose literal is not yet written is ignored only if it is ours", async () => {
  // The server answers APPEND's tag before sending `+`: the literal is never written and the
  // command completes with that answer (RFC 3501 7.5: NO/BAD instead of a continuation).
  const { M, server, serving } = await open({
    APPEND: replies("{tag} BAD no literal wanted"),
  });
  await M.login("u", "p");
  await assert.rejects(M.append("INBOX", null, null, "SECRET-BODY"), /APPEND command error: BAD/);
  assert.ok(!server.receivedText.includes("SECRET-BODY"));
  assert.equal((await M.noop())[0], "OK");
  await M.logout();
  await serving;
});

// ---- Framing and limits ----------------------------------------------------------------------
// The decoder's own rows (malformed markers, {010}, {0}, 100 MiB without CRLF, bare LF, lone
// CR, a literal containing fake responses) are in decoder_test.ts; here the session's answer.

test("limits: an announced {99999999999} literal is a limit error, nothing allocated", async () => {
  const { M, serving } = await open({
    FETCH: (s) => {
      s.line("* 1 FETCH (RFC822 {99999999999}");
      return false;
    },
  });
  await M.login("u", "p");
  await M.select();
  const error = await assertRaises(M.fetch("1", "(RFC822)"), IMAP4LimitError);
  assert.equal(error.sizeBytes, 99999999999);
  assert.equal(M.state, "LOGOUT");
  await serving;
});

test("limits: a 4 MB SEARCH line and a 64 KiB CAPABILITY line work with the defaults", async () => {
  const ids = Array.from({ length: 700_000 }, (_, i) => i + 1).join(" ");
  assert.ok(ids.length > 4_000_000);
  const bigCaps = Array.from({ length: 7000 }, (_, i) => `X-CAP-${i}`).join(" ");
  assert.ok(bigCaps.length > 65_536);
  const { M, serving } = await open({
    CAPABILITY: replies(`* CAPABILITY IMAP4rev1 ${bigCaps}`, "{tag} OK done"),
    SEARCH: replies(`* SEARCH ${ids}`, "{tag} OK done"),
  });
  assert.equal(M.capabilities.length, 7001);
  await M.login("u", "p");
  await M.select();
  const [, [found]] = await M.search(null, "ALL");
  assert.equal((found as Uint8Array).length, ids.length);
  await M.logout();
  await serving;
});

test("limits: a literal within the limit arriving slowly grows memory only as bytes arrive", async () => {
  // 100 MB announced (under the 128 MiB default), 2 MB sent slowly, then a reset. The
  // literal's buffer is reserved from the announced size, but the allocator maps such a buffer
  // lazily: resident memory grows with the bytes written into it, not with the announcement.
  let sent = 0;
  const { M, serving } = await open({
    FETCH: async (s) => {
      s.send("* 1 FETCH (RFC822 {100000000}\r\n");
      const piece = "y".repeat(65_536);
      for (let i = 0; i < 32; i++) {
        s.send(piece);
        sent += piece.length;
        await sleep(2);
      }
      return false;
    },
  });
  await M.login("u", "p");
  await M.select();
  const before = rssBytes();
  const pending = M.fetch("1", "(RFC822)");
  pending.catch(() => {});
  while (sent < 32 * 65_536) await sleep(5);
  await sleep(20);
  const grownMb = (rssBytes() - before) / 1e6;
  assert.ok(grownMb < 40, `resident memory grew ${grownMb.toFixed(1)} MB for 2 MB received`);
  // A reset mid-literal still ends in an abort; nothing partial is delivered.
  M.shutdown();
  await assert.rejects(pending, IMAP4Abort);
  await serving;
});

test("framing: a bare LF line ending is an abort (imaplib: unterminated line)", async () => {
  const { M, serving } = await open({ NOOP: (s) => s.send("* 1 EXISTS\n") });
  await assertRaises(M.noop(), IMAP4ProtocolError, /bare LF/);
  await serving;
});

test("framing: a literal containing a fake tagged OK and BYE is data only", async () => {
  const fake = "\r\nTAG1 OK fake\r\n* BYE fake\r\n";
  const { M, serving } = await open({
    FETCH: (s, c) => {
      s.send(`* 1 FETCH (RFC822 {${fake.length}}\r\n${fake})\r\n`);
      s.line(`${c.tag} OK done`);
    },
  });
  await M.login("u", "p");
  await M.select();
  const [, data] = await M.fetch("1", "(RFC822)");
  assert.equal(str((data[0] as Uint8Array[])[1]), fake);
  assert.equal((await M.noop())[0], "OK");
  await M.logout();
  await serving;
});

test("framing: EOF inside the greeting is an abort, nothing delivered", async () => {
  const server = new ServerSide();
  server.send("* OK half a greet");
  server.end();
  await assertRaises(IMAP4.fromTransport(server.transport), IMAP4ConnectionError, /EOF/);
});

test("framing: a reset inside a literal is an abort; the partial response is not delivered", async () => {
  const { M, serving } = await open({
    FETCH: (s) => {
      s.send("* 1 FETCH (RFC822 {1000}\r\npartial...");
      s.reset();
      return false;
    },
  });
  await M.login("u", "p");
  await M.select();
  await assert.rejects(M.fetch("1", "(RFC822)"), IMAP4ConnectionError);
  assert.ok(!Object.hasOwn(M.untagged_responses, "FETCH"));
  await serving;
});

/** Floods the client with 2000 untagged EXISTS of 1 KB each (or until it closes), then stops. */
const flood: CommandHandler = async (s) => {
  for (let i = 0; i < 2000 && !s.closedByClient; i++) {
    s.line(`* ${i} EXISTS ${"x".repeat(1000)}`);
    if (i % 100 === 0) await sleep(0);
  }
  return false;
};

test("limits: unsolicited responses streamed without end hit maxStoredBytes", async () => {
  // Policy: everything the client holds for the caller (the untagged store and the IDLE queue)
  // is bounded by maxStoredBytes; past it the connection is closed with IMAP4LimitError.
  const { M, server, serving } = await open({ NOOP: flood }, "", { maxStoredBytes: 100_000 });
  const error = await assertRaises(M.noop(), IMAP4LimitError);
  assert.equal(error.limitName, "maxStoredBytes");
  assert.ok(server.closedByClient);
  await serving;
});

test("limits: a flood of unsolicited responses during fetchBodies() hits maxStoredBytes", async () => {
  // The streamed bodies leave the count as they are handed over; what is kept for the untagged
  // store is counted, so a server flooding between bodies meets the limit.
  const { M, server, serving } = await open(
    {
      FETCH: (s, c) => {
        s.send("* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
        return flood(s, c);
      },
    },
    "",
    { maxStoredBytes: 100_000 },
  );
  await M.login("u", "p");
  await M.select();
  const error = await assertRaises(
    (async () => {
      for await (const part of M.fetchBodies("1:*")) await part.body.cancel();
    })(),
    IMAP4LimitError,
  );
  assert.equal(error.limitName, "maxStoredBytes");
  assert.ok(server.closedByClient);
  await serving;
});

test("limits: maxStoredBytes counts what is taken out: a long session does not creep up", async () => {
  const { M, serving } = await open(
    {
      NOOP: replies(`* 1 EXISTS ${"y".repeat(500)}`, `{tag} OK NOOP ${"z".repeat(500)}`),
    },
    "",
    { maxStoredBytes: 10_000 },
  );
  for (let i = 0; i < 100; i++) {
    await M.noop();
    M.response("EXISTS");
  }
  await M.logout();
  await serving;
});

// On a transport that gives its chunks up (Node and Bun sockets), a literal over 4 KiB that
// arrives whole in one is a view of it, and keeps the whole chunk alive.
test("limits: a literal that is a view of a socket's chunk counts the chunk against maxStoredBytes", async () => {
  // Each FETCH reply is one chunk: an unsolicited LIST whose 5,000-byte name stays in the store,
  // and a 90 KB body that fetch() takes and the caller drops. The LIST name keeps the 95 KB
  // chunk: counted as that, the limit is met at the second reply, not after thirty.
  const name = "n".repeat(5000);
  const body = "b".repeat(90_000);
  const { M, server, serving } = await connectScripted({
    chunks: true,
    state: "SELECTED",
    client: { maxStoredBytes: 150_000 },
    handlers: {
      FETCH: (s, c) =>
        s.send(
          `* LIST () "/" {5000}\r\n${name}\r\n* 1 FETCH (BODY[] {90000}\r\n${body})\r\n` +
            `${c.tag} OK done\r\n`,
        ),
    },
  });
  let fetched = 0;
  const error = await assertRaises(
    (async () => {
      for (let i = 0; i < 30; i++) {
        const [, data] = await M.fetch("1", "(BODY[])");
        assert.equal((data[0] as [Uint8Array, Uint8Array])[1].length, 90_000);
        fetched++;
      }
    })(),
    IMAP4LimitError,
  );
  assert.equal(error.limitName, "maxStoredBytes");
  assert.equal(fetched, 1);
  assert.ok(server.closedByClient);
  await serving;
});

test("limits: data deleted from the live untagged_responses is not counted when the limit is near", async () => {
  // imaplib's untagged_responses is a live object: a caller may delete from it without the count
  // knowing. Near the limit the count is made again from what is held before anything is refused.
  const { M, done } = await connectScripted({
    chunks: true,
    state: "SELECTED",
    client: { maxStoredBytes: 20_000 },
    handlers: {
      NOOP: (s, c) =>
        s.send(`* LIST () "/" {6000}\r\n${"n".repeat(6000)}\r\n${c.tag} OK ${"z".repeat(500)}\r\n`),
    },
  });
  for (let n = 0; n < 20; n++) {
    await M.noop();
    assert.equal(M.untagged_responses.LIST.length, 2); // [(head, name), b""], as imaplib stores it
    delete M.untagged_responses.LIST;
  }
  await done();
});

test("limits: IDLE holds at most what was not iterated; a flood before '+' is bounded", async () => {
  // During IDLE responses are read only as they are iterated, so a flooding server is held off
  // by the transport's backpressure. What arrives before the continuation request is queued
  // for iteration, and that queue counts against maxStoredBytes.
  const { M, serving } = await open(
    {
      IDLE: async (s) => {
        for (let i = 0; i < 500 && !s.closedByClient; i++) {
          s.line(`* ${i} EXISTS ${"x".repeat(1000)}`);
          if (i % 50 === 0) await sleep(0);
        }
        s.line("+ idling");
        return false;
      },
    },
    "IDLE",
    { maxStoredBytes: 50_000 },
  );
  await M.login("u", "p");
  const error = await assertRaises(M.idle(), IMAP4LimitError);
  assert.equal(error.limitName, "maxStoredBytes");
  assert.equal(M.state, "LOGOUT");
  await serving;
});

// ---- Semantics -------------------------------------------------------------------------------

test("semantics: unknown response codes, response types and capabilities are not fatal", async () => {
  const { M, serving } = await open({
    NOOP: replies(
      "* OK [X-FUTURE-CODE 1 2 3] fine",
      "* XFUTURE something new",
      "* 3 XCOUNT",
      "{tag} OK [X-OTHER] NOOP done",
    ),
  }, "X-FUTURE=1 ANOTHER");
  assert.ok(M.capabilities.includes("X-FUTURE=1"));
  assert.equal((await M.noop())[0], "OK");
  assert.deepEqual(M.response("XFUTURE")[1].map(str), ["something new"]);
  assert.deepEqual(M.response("XCOUNT")[1].map(str), ["3"]);
  await M.logout();
  await serving;
});

// ---- Liveness --------------------------------------------------------------------------------
// Silence instead of a greeting, a command that never completes, the connection signal:
// session_scripted_test.ts; IDLE keep-alive and watchdog: idle_keepalive_test.ts.

test("liveness: a late reply after a timeout cannot complete the wrong command", async () => {
  let lateTag = "";
  const { M, server, serving } = await open(
    {
      NOOP: async (s, c) => {
        if (!lateTag) {
          lateTag = c.tag;
          await sleep(200);
          s.line(`${c.tag} OK late`);
        } else {
          s.line(`${c.tag} OK NOOP`);
        }
      },
    },
    "",
    { timeout: 0.05 },
  );
  await assert.rejects(M.noop(), IMAP4TimeoutError);
  assert.ok(server.closedByClient, "a timed-out connection is closed");
  await assert.rejects(M.noop(), IMAP4TimeoutError);
  await serving;
});

// ---- IDLE ------------------------------------------------------------------------------------
// Keep-alive lines, BYE during IDLE, server-ended IDLE, other commands while idling:
// idle_scripted_test.ts and idle_keepalive_test.ts.

// ---- Secrets ---------------------------------------------------------------------------------

const PASSWORDS = ["hunter2", 'with space "quoted" \\', "pässwörd-8bit"];

test("secrets: LOGIN (atom, quoted, literal), AUTHENTICATE PLAIN and XOAUTH2 never leak", async () => {
  for (const password of PASSWORDS) {
    for (const how of ["login", "login-fails", "plain", "xoauth2"] as const) {
      const lines: string[] = [];
      const { M, server, serving } = await open({
        LOGIN: async (s, c) => {
          if (/\{\d+\}$/.test(c.args)) {
            s.line("+ go on");
            await s.readLine();
          }
          s.line(
            how === "login-fails" ? `${c.tag} NO [AUTHENTICATIONFAILED] nope` : `${c.tag} OK in`,
          );
        },
        AUTHENTICATE: async (s, c) => {
          s.line("+ ");
          await s.readLine();
          s.line(`${c.tag} NO [AUTHENTICATIONFAILED] nope`);
        },
      });
      M.debug = 5;
      M.logger = (line) => lines.push(line);
      const secret = how === "xoauth2" ? `token-${password}` : password;
      const attempt: Promise<Result> = how === "plain"
        ? M.authenticate("PLAIN", plainAuth("alice", secret))
        : how === "xoauth2"
        ? M.authenticate("XOAUTH2", xoauth2Auth("alice", secret))
        : M.login("alice", secret);
      const error = await attempt.then(() => null, (e) => e);
      M.print_log();
      await M.logout();
      await serving;
      const wire = server.receivedText;
      assert.ok(how !== "login" || wire.includes("LOGIN"), "the command was sent");
      const blob = new TextEncoder().encode(
        how === "plain" ? `\0alice\0${secret}` : `user=alice\x01auth=Bearer ${secret}\x01\x01`,
      ).toBase64();
      const haystacks = [
        ...lines,
        String(error?.message ?? ""),
        String(error?.cause ?? ""),
        String(error?.stack ?? ""),
      ];
      for (const text of haystacks) {
        assert.ok(!text.includes(secret), `${how}: secret in ${JSON.stringify(text)}`);
        assert.ok(!text.includes(blob), `${how}: base64 blob in ${JSON.stringify(text)}`);
      }
    }
  }
});

test("secrets: a quoted or literal LOGIN password reaches the server intact", async () => {
  for (const password of PASSWORDS) {
    let received = "";
    const { M, serving } = await open({
      LOGIN: async (s, c) => {
        const literal = /\{(\d+)\}$/.exec(c.args);
        if (literal) {
          s.line("+ go on");
          received = new TextDecoder().decode(await s.readBytes(Number(literal[1])));
          await s.readLine();
        } else {
          const quoted = /^alice "((?:[^"\\]|\\.)*)"$/.exec(c.args)!;
          received = quoted[1].replace(/\\(.)/g, "$1");
        }
        s.line(`${c.tag} OK in`);
      },
    });
    await M.login("alice", password);
    assert.equal(received, password);
    await M.logout();
    await serving;
  }
});

test("readCommand is the scripted server's parser (sanity for the catalogue)", async () => {
  const server = new ServerSide();
  const writer = server.transport.writable.getWriter();
  await writer.write(new TextEncoder().encode("T1 LOGIN a b\r\n"));
  assert.deepEqual(await readCommand(server), { tag: "T1", name: "LOGIN", args: "a b" });
  writer.releaseLock();
  server.end();
});
