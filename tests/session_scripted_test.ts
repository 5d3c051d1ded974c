// Session behaviour a real server will not show: greetings, tag correlation, concurrency,
// literals refused before `+`, STARTTLS injection, timeouts.

import assert from "node:assert/strict";
import {
  IMAP4,
  IMAP4Abort,
  IMAP4ArgumentError,
  IMAP4Error,
  IMAP4Readonly,
  IMAP4TimeoutError,
  IMAP4TlsError,
  type Transport,
} from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import {
  connectScripted,
  hangUp,
  readCommand,
  replies,
  serve,
  ServerSide,
  str,
} from "./_scripted.ts";

test("greeting: OK gives NONAUTH, PREAUTH gives AUTH, BYE throws error", async () => {
  for (const [greeting, state] of [["* OK ready", "NONAUTH"], ["* PREAUTH hi", "AUTH"]]) {
    const { M, done } = await connectScripted({ greeting });
    assert.equal(M.state, state);
    assert.equal(str(M.welcome), greeting);
    assert.equal(M.PROTOCOL_VERSION, "IMAP4REV1");
    await done();
  }
  const server = new ServerSide();
  server.line("* BYE too busy");
  const error = await assertRaises(IMAP4.fromTransport(server.transport), IMAP4Error);
  assert.ok(!(error instanceof IMAP4Abort));
  assert.equal(error.message, "* BYE too busy");
  assert.ok(server.closedByClient);
});

test("greeting: an SMTP banner or a continuation is a clear abort", async () => {
  for (const banner of ["220 mail.example.org ESMTP Postfix", "+ hello"]) {
    const server = new ServerSide();
    server.line(banner);
    await assertRaises(
      IMAP4.fromTransport(server.transport),
      IMAP4Abort,
      /unexpected (greeting|response)/,
    );
    assert.ok(server.closedByClient);
  }
});

test("greeting: a server without IMAP4rev1 is 'server not IMAP4 compliant'", async () => {
  const server = new ServerSide();
  const serving = serve(server, {
    handlers: {
      CAPABILITY: replies("* CAPABILITY POP3", "{tag} OK done"),
    },
  });
  await assert.rejects(IMAP4.fromTransport(server.transport), /server not IMAP4 compliant/);
  server.end();
  await serving;
});

test("tags: random 4-letter A-P prefix per connection plus a counter", async () => {
  const prefixes = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const { server, M, done } = await connectScripted();
    await M.noop();
    await done();
    const tags = server.receivedText.trim().split("\r\n").map((l) => l.split(" ")[0]);
    const prefix = tags[0].slice(0, 4);
    assert.match(prefix, /^[A-P]{4}$/);
    assert.deepEqual(tags, [0, 1, 2].map((n) => prefix + n));
    prefixes.add(prefix);
  }
  assert.ok(prefixes.size > 1, "prefix should be random");
});

test("tags: a tagged response for a tag never sent is an abort", async () => {
  const { server, M, serving } = await connectScripted({
    handlers: { NOOP: (s) => s.line("ZZZZ99 OK forged") },
  });
  await assertRaises(M.noop(), IMAP4Abort, /unexpected tagged response/);
  assert.equal(M.state, "LOGOUT");
  await assert.rejects(M.noop(), IMAP4Abort);
  server.end();
  await serving;
});

test("concurrency: commands called without await run in call order, each gets its own data", async () => {
  const { M, done } = await connectScripted({
    handlers: {
      SEARCH: (s, c) => {
        s.line(`* SEARCH ${c.args.length}`);
        s.line(`${c.tag} OK SEARCH done`);
      },
      SELECT: replies("* 9 EXISTS", "{tag} OK SELECT done"),
    },
  });
  const results = await Promise.all([
    M.login("u", "p"),
    M.select("INBOX"),
    M.search(null, "A"),
    M.search(null, "BB"),
    M.search(null, "CCC"),
    M.noop(),
  ]);
  assert.deepEqual(results.slice(1, 5).map(([t, d]) => [t, d.map(str)]), [
    ["OK", ["9"]],
    ["OK", ["1"]],
    ["OK", ["2"]],
    ["OK", ["3"]],
  ]);
  await done();
});

test("literal: a NO before '+' means the literal is never sent; the connection stays usable", async () => {
  const { server, M, done } = await connectScripted({
    handlers: { APPEND: (s, c) => s.line(`${c.tag} NO [OVERQUOTA] no room`) },
    state: "AUTH",
  });
  const [type, data] = await M.append("INBOX", null, null, "Subject: secret-body\r\n\r\nx");
  assert.equal(type, "NO");
  assert.equal(str(data[0]), "[OVERQUOTA] no room");
  assert.ok(!server.receivedText.includes("secret-body"));
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("literal: APPEND waits for '+', normalises bare CR/LF, {N} is the byte count", async () => {
  let literal = "";
  const { server, M, done } = await connectScripted({
    handlers: {
      APPEND: async (s, c) => {
        const size = Number(/\{(\d+)\}$/.exec(c.args)![1]);
        s.line("+ go ahead");
        literal = new TextDecoder().decode(await s.readBytes(size));
        assert.equal(await s.readLine(), "");
        s.line(`${c.tag} OK [APPENDUID 38505 3955] APPEND completed`);
      },
    },
    state: "AUTH",
  });
  await M.append(null, "\\Seen", null, "Subject: café\nline\rend\r\n");
  assert.equal(literal, "Subject: café\r\nline\r\nend\r\n");
  assert.match(server.receivedText, / APPEND INBOX \(\\Seen\) \{27\}\r\n/);
  assert.deepEqual(M.response("APPENDUID").map((x) => Array.isArray(x) ? x.map(str) : x), [
    "APPENDUID",
    ["38505 3955"],
  ]);
  await done();
});

test("arguments: CR/LF/NUL throw IMAP4ArgumentError before a byte is written", async () => {
  const { server, M, done } = await connectScripted();
  const before = server.received.length;
  await assert.rejects(M.login("u\r\nA1 DELETE INBOX", "p"), IMAP4ArgumentError);
  await assert.rejects(M.login("u", "p\nx"), IMAP4ArgumentError);
  assert.equal(server.received.length, before);
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("errors: BAD throws 'X command error: BAD [...]'; NO from LOGIN throws its text", async () => {
  const { M, done } = await connectScripted({
    handlers: {
      LOGIN: replies("{tag} NO [AUTHENTICATIONFAILED] Authentication failed."),
      NOOP: replies("{tag} BAD Unknown command"),
    },
  });
  const bad = await assertRaises(M.noop(), IMAP4Error);
  assert.ok(!(bad instanceof IMAP4Abort));
  assert.equal(bad.message, "NOOP command error: BAD [b'Unknown command']");
  const no = await assertRaises(M.login("u", "wrong"), IMAP4Error);
  assert.equal(no.message, "[AUTHENTICATIONFAILED] Authentication failed.");
  await assert.rejects(
    M.check(),
    /command CHECK illegal in state NONAUTH, only allowed in states SELECTED/,
  );
  await done();
});

test("select: READ-ONLY on SELECT throws readonly; EXAMINE does not", async () => {
  const { M, done } = await connectScripted({
    handlers: {
      SELECT: replies("* 1 EXISTS", "{tag} OK [READ-ONLY] SELECT completed"),
      EXAMINE: replies("* 1 EXISTS", "{tag} OK [READ-ONLY] EXAMINE completed"),
    },
    state: "AUTH",
  });
  const error = await assertRaises(M.select("Shared"), IMAP4Readonly);
  assert.equal(error.message, "Shared is not writable");
  const [type, data] = await M.select("Shared", true);
  assert.deepEqual([type, data.map(str)], ["OK", ["1"]]);
  assert.ok(M.is_readonly);
  await done();
});

test("BYE during a command is an abort carrying the BYE text", async () => {
  const { M, serving } = await connectScripted({
    handlers: {
      NOOP: hangUp("* BYE Autologout; idle for too long\r\n"),
    },
  });
  await assertRaises(M.noop(), IMAP4Abort, /Autologout; idle for too long/);
  assert.equal(M.state, "LOGOUT");
  await serving;
});

test("timeout: silence instead of a greeting ends in IMAP4TimeoutError and a closed transport", async () => {
  const server = new ServerSide();
  const started = performance.now();
  await assert.rejects(IMAP4.fromTransport(server.transport, { timeout: 0.1 }), IMAP4TimeoutError);
  assert.ok(performance.now() - started < 1000);
  assert.ok(server.closedByClient);
});

test("timeout: a command that never completes times out and closes the connection", async () => {
  const { server, M, serving } = await connectScripted({
    handlers: { NOOP: () => {} },
    client: { timeout: 0.1 },
  });
  const pending = M.noop();
  const queued = M.noop();
  await assert.rejects(pending, IMAP4TimeoutError);
  await assert.rejects(queued, IMAP4TimeoutError);
  assert.equal(M.state, "LOGOUT");
  assert.ok(server.closedByClient);
  await serving;
});

test("signal: aborting the connection signal fails pending commands", async () => {
  const controller = new AbortController();
  const { server, M, serving } = await connectScripted({
    handlers: { NOOP: () => {} },
    client: { signal: controller.signal },
  });
  const pending = M.noop();
  setTimeout(() => controller.abort(new Error("user gave up")), 20);
  await assertRaises(pending, IMAP4TimeoutError);
  assert.ok(server.closedByClient);
  await serving;
});

test("EOF in the middle of a literal is an abort; the partial response is not delivered", async () => {
  const { M, serving } = await connectScripted({
    handlers: {
      FETCH: hangUp("* 1 FETCH (RFC822 {100}\r\nonly part"),
    },
    state: "SELECTED",
  });
  await assertRaises(M.fetch("1", "(RFC822)"), IMAP4Abort, /EOF/);
  assert.ok(!Object.hasOwn(M.untagged_responses, "FETCH"));
  await serving;
});

// A transport whose startTls records whether it was called.
function upgradable(server: ServerSide): Transport & { upgraded: boolean } {
  const t = {
    ...server.transport,
    upgraded: false,
    startTls(): Promise<Transport> {
      t.upgraded = true;
      return Promise.reject(new Error("no TLS in this test"));
    },
  };
  return t;
}

test("STARTTLS: bytes injected after the tagged OK are refused before any handshake", async () => {
  const server = new ServerSide();
  const serving = serve(server, {
    capabilities: "STARTTLS LOGINDISABLED",
    handlers: {
      STARTTLS: (s, c) => {
        s.send(`${c.tag} OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n`);
      },
    },
  });
  const transport = upgradable(server);
  const M = await IMAP4.fromTransport(transport);
  await assertRaises(M.starttls(), IMAP4TlsError, /in clear after its tagged OK/);
  assert.equal(transport.upgraded, false);
  assert.ok(!M.capabilities.includes("AUTH=PLAIN"));
  await assert.rejects(M.login("u", "p"), IMAP4Abort);
  assert.ok(!server.receivedText.includes("LOGIN"));
  server.end();
  await serving;
});

test("STARTTLS: missing capability, NO, BAD all refuse with IMAP4TlsError; nothing else sent", async () => {
  const cases: [string, string | null][] = [["", null], ["STARTTLS", "NO"], ["STARTTLS", "BAD"]];
  for (const [capabilities, answer] of cases) {
    const { server, M, serving } = await connectScripted({
      capabilities,
      handlers: { STARTTLS: (s, c) => s.line(`${c.tag} ${answer} not today`) },
    });
    await assert.rejects(M.starttls(), IMAP4TlsError);
    await assert.rejects(M.login("u", "p"), IMAP4Abort);
    assert.ok(!server.receivedText.includes("LOGIN"));
    server.end();
    await serving;
  }
});

test("STARTTLS required: PREAUTH greeting is refused", async () => {
  const server = new ServerSide();
  server.line("* PREAUTH welcome");
  await assert.rejects(
    IMAP4.fromTransport(server.transport, { starttls: true }),
    IMAP4TlsError,
  );
  assert.ok(server.closedByClient);
  assert.equal(server.receivedText, "");
});

test("LOGINDISABLED: login() throws without writing anything", async () => {
  const { server, M, done } = await connectScripted({ capabilities: "LOGINDISABLED" });
  const before = server.received.length;
  await assert.rejects(M.login("u", "p"), /LOGINDISABLED/);
  assert.equal(server.received.length, before);
  await done();
});

test("response codes are stored under their name; unknown ones are ignored", async () => {
  const { M, done } = await connectScripted({
    handlers: {
      NOOP: replies(
        "* OK [UIDVALIDITY 3857529045] UIDs valid",
        '* NO [Error="x"] odd',
        "* OK [X-MADE-UP something] fine",
        "{tag} OK [PERMANENTFLAGS (\\Seen $X]Y)] NOOP done",
      ),
    },
  });
  await M.noop();
  assert.deepEqual(M.response("UIDVALIDITY")[1].map(str), ["3857529045"]);
  assert.deepEqual(M.response("PERMANENTFLAGS")[1].map(str), ["(\\Seen $X]Y)"]);
  assert.deepEqual(M.response("X-MADE-UP")[1].map(str), ["something"]);
  await done();
});

test("readCommand sanity: the scripted server parses what the client writes", async () => {
  const server = new ServerSide();
  server.transport.writable.getWriter().write(new TextEncoder().encode("A1 NOOP\r\n"));
  const command = await readCommand(server);
  assert.deepEqual(command, { tag: "A1", name: "NOOP", args: "" });
  server.end();
});

test("open() is overridable: a subclass supplies its own transport to connect()", async () => {
  const server = new ServerSide();
  const serving = serve(server);
  const opened: [string, number, number | undefined][] = [];
  class Custom extends IMAP4 {
    override open(host: string, port: number, timeout?: number): Promise<Transport> {
      opened.push([host, port, timeout]);
      return Promise.resolve(server.transport);
    }
  }
  const M = await Custom.connect("mail.example.org", 1143, { timeout: 5 });
  assert.ok(M instanceof Custom);
  assert.deepEqual(opened, [["mail.example.org", 1143, 5]]);
  assert.equal(M.host, "mail.example.org");
  await M.logout();
  await serving;
});

test("send() is overridable: every command goes through it", async () => {
  const server = new ServerSide();
  const serving = serve(server);
  const sent: string[] = [];
  class Spy extends IMAP4 {
    override send(data: Uint8Array): Promise<void> {
      sent.push(new TextDecoder().decode(data));
      return super.send(data);
    }
  }
  const M = await Spy.fromTransport(server.transport);
  await M.noop();
  await M.logout();
  await serving;
  assert.deepEqual(sent.map((s) => s.split(" ")[1].trim()), ["CAPABILITY", "NOOP", "LOGOUT"]);
});

test("attributes: tagged_commands and continuation_response follow imaplib", async () => {
  let tags: string[] = [];
  const { M, done } = await connectScripted({
    handlers: {
      APPEND: async (s, c) => {
        s.line("+ Ready for literal data");
        await s.readBytes(Number(/\{(\d+)\}$/.exec(c.args)![1]));
        await s.readLine();
        s.line(`${c.tag} OK done`);
      },
      NOOP: (s, c) => {
        tags = [...M.tagged_commands.keys()];
        s.line(`${c.tag} OK NOOP`);
      },
    },
    state: "AUTH",
  });
  await M.append("INBOX", null, null, "x");
  assert.equal(str(M.continuation_response), "Ready for literal data");
  await M.noop();
  // While NOOP ran, its tag was the one pending; completed tags are removed.
  assert.equal(tags.length, 1);
  assert.match(tags[0], /^[A-P]{4}\d+$/);
  assert.equal(M.tagged_commands.size, 0);
  await done();
});
