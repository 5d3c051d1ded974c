// Commands Dovecot cannot show, against scripted servers that reproduce a real server's
// replies: ANNOTATEMORE and PROXYAUTH as Cyrus IMAP answers them, PARTIAL (RFC 1730, as
// Cyrus 2.x answered it), a successful SETQUOTA (RFC 9208 section 4.1 example), and the
// AUTHENTICATE wire exchange.

import assert from "node:assert/strict";
import { IMAP4Error, plainAuth, xoauth2Auth } from "../mod.ts";
import { test } from "./_harness.ts";
import { showData } from "./_bytes.ts";
import { type CommandHandler, connectScripted, replies, str } from "./_scripted.ts";

/** A client on a scripted server with `handlers` and `capabilities`; `done()` logs out. */
function session(handlers: Record<string, CommandHandler>, capabilities = "") {
  return connectScripted({ handlers, capabilities });
}

/**
 * AUTHENTICATE as a SASL exchange: each of `challenges` sent as a continuation line and the
 * client's answer to it kept in `answers`, then the tagged `reply` (`{tag}` for the tag).
 */
function sasl(challenges: string[], answers: string[], reply: string): CommandHandler {
  return async (s, c) => {
    for (const challenge of challenges) {
      s.line(challenge);
      answers.push((await s.readLine())!);
    }
    s.line(reply.replaceAll("{tag}", c.tag));
  };
}

test("getannotation/setannotation: Cyrus ANNOTATEMORE replies", async () => {
  const { M, server, done } = await session({
    GETANNOTATION: replies(
      '* ANNOTATION "INBOX" "/comment" ("value.shared" "My comment")',
      "{tag} OK Completed",
    ),
    SETANNOTATION: replies("{tag} OK Completed"),
  }, "ANNOTATEMORE");
  await M.login("u", "p");
  const [type, data] = await M.getannotation("INBOX", '"/comment"', '"value.shared"');
  assert.equal(type, "OK");
  assert.deepEqual(showData(data), ['"INBOX" "/comment" ("value.shared" "My comment")']);
  assert.deepEqual(
    await M.setannotation("INBOX", '"/comment"', '("value.shared" "New")'),
    ["OK", [null]],
  );
  assert.match(server.receivedText, / GETANNOTATION INBOX "\/comment" "value.shared"\r\n/);
  assert.match(
    server.receivedText,
    / SETANNOTATION INBOX "\/comment" \("value.shared" "New"\)\r\n/,
  );
  await done();
});

test("proxyauth: Cyrus PROXYAUTH, legal only in AUTH", async () => {
  const { M, server, done } = await session({
    PROXYAUTH: replies("{tag} OK Completed"),
  });
  await assert.rejects(M.proxyauth("bob"), /command PROXYAUTH illegal in state NONAUTH/);
  await M.login("admin", "p");
  assert.deepEqual(showData((await M.proxyauth("bob"))[1]), ["Completed"]);
  assert.match(server.receivedText, / PROXYAUTH bob\r\n/);
  await done();
});

test("partial: PARTIAL returns the FETCH data with its literal", async () => {
  const { M, server, done } = await session({
    PARTIAL: (s, c) => {
      s.line("* 1 FETCH (BODY[]<0> {10}");
      s.send("0123456789)\r\n");
      s.line(`${c.tag} OK Completed`);
    },
  });
  await M.login("u", "p");
  await M.select();
  const [type, data] = await M.partial("1", "BODY[]", "0", "10");
  assert.equal(type, "OK");
  assert.deepEqual(showData(data), [["1 (BODY[]<0> {10}", "0123456789"], ")"]);
  assert.match(server.receivedText, / PARTIAL 1 BODY\[\] 0 10\r\n/);
  await done();
});

test("setquota: a server that allows it returns the new QUOTA", async () => {
  const { M, server, done } = await session({
    SETQUOTA: replies('* QUOTA "User quota" (STORAGE 10 512)', "{tag} OK Setquota completed"),
  }, "QUOTA QUOTASET");
  await M.login("admin", "p");
  assert.deepEqual(showData((await M.setquota("User quota", "(STORAGE 512)"))[1]), [
    '"User quota" (STORAGE 10 512)',
  ]);
  assert.match(server.receivedText, / SETQUOTA "User quota" \(STORAGE 512\)\r\n/);
  await done();
});

test("authenticate: challenges are base64-decoded, answers encoded, null cancels with *", async () => {
  const seen: string[] = [];
  const { M, server, done } = await session({
    AUTHENTICATE: sasl(
      ["+ " + new TextEncoder().encode("first?").toBase64(), "+"],
      seen,
      "{tag} OK [CAPABILITY IMAP4rev1 X-AFTER] done",
    ),
  }, "AUTH=X-TEST");
  const challenges: string[] = [];
  const answers = ["one", new Uint8Array([0, 255])];
  await M.authenticate("x-test", (challenge) => {
    challenges.push(str(challenge));
    return answers.shift() ?? null;
  });
  assert.deepEqual(challenges, ["first?", ""]);
  assert.deepEqual(seen, ["b25l", "AP8="]);
  assert.match(server.receivedText, / AUTHENTICATE X-TEST\r\n/);
  assert.equal(M.state, "AUTH");
  assert.ok(M.capabilities.includes("X-AFTER"));
  await done();
});

test("authenticate: PLAIN sends one blob; a cancel sends '*' and the NO is an error", async () => {
  const lines: string[] = [];
  const { M, done } = await session({
    AUTHENTICATE: async (s, c) => {
      s.line("+ ");
      const line = (await s.readLine())!;
      lines.push(line);
      s.line(line === "*" ? `${c.tag} BAD AUTHENTICATE cancelled` : `${c.tag} OK ok`);
    },
  });
  await assert.rejects(M.authenticate("PLAIN", () => null), IMAP4Error);
  assert.equal(M.state, "NONAUTH");
  await M.authenticate("PLAIN", plainAuth("alice", "pw", "admin"));
  assert.deepEqual(lines, ["*", new TextEncoder().encode("admin\0alice\0pw").toBase64()]);
  await done();
});

test("authenticate: XOAUTH2 answers the error challenge with an empty response", async () => {
  const lines: string[] = [];
  const { M, done } = await session({
    AUTHENTICATE: sasl(
      ["+ ", "+ " + new TextEncoder().encode('{"status":"401"}').toBase64()],
      lines,
      "{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
    ),
  });
  await assert.rejects(M.authenticate("XOAUTH2", xoauth2Auth("a@b.c", "tok")), (e: Error) => {
    assert.equal(e.message, "[AUTHENTICATIONFAILED] Invalid credentials (Failure)");
    return true;
  });
  assert.deepEqual(lines, [
    new TextEncoder().encode("user=a@b.c\x01auth=Bearer tok\x01\x01").toBase64(),
    "",
  ]);
  await done();
});
