// Structured logging (the onLog option): the events of a connection from its greeting on, with
// statuses and durations, and no secret in any of them; over scripted servers, then Dovecot
// (STARTTLS seen from the connect call on).

import assert from "node:assert/strict";
import { IMAP4, IMAP4ProtocolError, type LogEntry } from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import { type CommandHandler, connectScripted, replies } from "./_scripted.ts";
import { connect, dovecot } from "./_dovecot.ts";

const PASSWORD = "sécret-pässword"; // 8-bit: sent as a literal

// Takes a command's synchronizing literal ({N} at the end of its line), then answers OK.
const withLiteral: CommandHandler = async (s, c) => {
  const size = Number(/\{(\d+)\}$/.exec(c.args)![1]);
  s.line("+ ready");
  await s.readBytes(size);
  await s.readLine(); // the rest of the command line
  s.line(`${c.tag} OK ${c.name} completed`);
};

test("log: greeting, commands with status and duration, literals, no credentials", async () => {
  const entries: LogEntry[] = [];
  const { M, done } = await connectScripted({
    capabilities: "IDLE",
    handlers: {
      LOGIN: withLiteral,
      APPEND: withLiteral,
      EXAMINE: replies("{tag} NO no such mailbox"),
    },
    client: { onLog: (entry) => entries.push(entry) },
  });
  await M.login("alice", PASSWORD);
  const message = "Subject: hi\r\n\r\nhello\r\n";
  await M.append("INBOX", null, null, message);
  assert.equal((await M.select("Nope", true))[0], "NO");
  await done();

  // No secret anywhere, not even the size of the password literal.
  const all = JSON.stringify(entries);
  assert.ok(!all.includes("alice") && !all.includes("sécret"), all);
  const events = entries.map((e) => `${e.event}${e.command ? ` ${e.command}` : ""}`);
  assert.deepEqual(events, [
    "greeting",
    "command CAPABILITY",
    "response CAPABILITY",
    "command LOGIN",
    "response LOGIN",
    "command CAPABILITY", // capabilities refreshed after LOGIN (its OK carried none)
    "response CAPABILITY",
    "command APPEND",
    "literal APPEND",
    "response APPEND",
    "command EXAMINE",
    "response EXAMINE",
    "command LOGOUT",
  ]);
  assert.equal(entries[0].status, "OK");
  const login = entries.find((e) => e.event === "response" && e.command === "LOGIN")!;
  assert.equal(login.status, "OK");
  assert.equal(typeof login.durationMs, "number");
  assert.ok(login.durationMs! >= 0);
  assert.equal(entries.find((e) => e.event === "literal")!.bytes, message.length);
  const refused = entries.find((e) => e.event === "response" && e.command === "EXAMINE")!;
  assert.deepEqual([refused.level, refused.status], ["warn", "NO"]);
  const command = entries.find((e) => e.event === "command" && e.command === "LOGIN")!;
  assert.match(command.tag!, /^[A-P]{4}\d+$/);
});

test("log: idle start and stop; a connection failure is an error event", async () => {
  const entries: LogEntry[] = [];
  const { M, server, serving } = await connectScripted({
    capabilities: "IDLE",
    state: "AUTH",
    handlers: {
      IDLE: async (s, c) => {
        s.line("+ idling");
        s.line("* 3 EXISTS");
        assert.equal(await s.readLine(), "DONE");
        s.line(`${c.tag} OK IDLE done`);
      },
      NOOP: (s, c) => s.line(`${c.tag} MAYBE later`),
    },
    client: { onLog: (entry) => entries.push(entry) },
  });
  const idler = await M.idle();
  const [type] = (await idler.next())!;
  assert.equal(type, "EXISTS");
  await idler.done();
  await assertRaises(M.noop(), IMAP4ProtocolError);
  server.end();
  await serving;
  const events = entries.map((e) => e.event);
  assert.ok(events.indexOf("idle-start") < events.indexOf("idle-stop"), events.join());
  const error = entries.find((e) => e.event === "error")!;
  assert.equal(error.level, "error");
  assert.match(error.error!, /^IMAP4ProtocolError: .*MAYBE/);
});

test("log: a listener that throws does not break the connection", async () => {
  const { M, done } = await connectScripted({
    client: {
      onLog: () => {
        throw new Error("logger down");
      },
    },
  });
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("log (Dovecot): connect, greeting and STARTTLS are seen from the connect call", async () => {
  const entries: LogEntry[] = [];
  const M = await connect({ onLog: (entry) => entries.push(entry) });
  await M.login(dovecot().users[0].user, dovecot().users[0].password);
  await M.logout();
  const events = entries.map((e) => e.event);
  assert.deepEqual(events.slice(0, 3), ["connect", "greeting", "command"]);
  assert.ok(events.includes("tls"), events.join());
  assert.ok(events.indexOf("tls") < events.lastIndexOf("command"));
  const opened = entries[0];
  assert.deepEqual([opened.host, opened.port], [dovecot().host, dovecot().imapPort]);
  assert.ok(!JSON.stringify(entries).includes(dovecot().users[0].password));
  assert.ok(M instanceof IMAP4);
});
