// BINARY, UNSELECT, UIDPLUS, NAMESPACE and QRESYNC SELECT against scripted servers, for what
// the fixture Dovecot cannot show: it advertises all of these, so a server without BINARY,
// UNSELECT or UIDPLUS is scripted here, as are the exact command lines where Dovecot's answer
// would not tell them apart. The same features against Dovecot: tests/binary_dovecot_test.ts,
// tests/modern_dovecot_test.ts.

import assert from "node:assert/strict";
import { appendMessage, fetchMessages, IMAP4ArgumentError } from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, replies } from "./_scripted.ts";

/** The command lines the client sent after logging in, tags dropped. */
function commands(received: string): string[] {
  return received.split("\r\n").filter(Boolean).map((line) => line.replace(/^\S+ /, ""))
    .filter((line) => !/^(?:LOGIN|CAPABILITY|LOGOUT)\b/.test(line));
}

function scripted(handlers: Record<string, CommandHandler>, capabilities: string) {
  return connectScripted({ handlers, capabilities, state: "SELECTED" });
}

const NUL_MESSAGE = "Subject: x\r\n\r\na\0b\r\n";

test("appendMessage: NUL without BINARY is refused before anything is sent", async () => {
  const { M, server, done } = await scripted({}, "UIDPLUS");
  await assert.rejects(
    appendMessage(M, "INBOX", NUL_MESSAGE),
    (e: Error) => e instanceof IMAP4ArgumentError && /NUL at byte 15.*BINARY/.test(e.message),
  );
  await assert.rejects(appendMessage(M, "INBOX", "x", { binary: true }), IMAP4ArgumentError);
  await assert.rejects(
    fetchMessages(M, 1, { binaryParts: ["1"] }).next(),
    (e: Error) => e instanceof IMAP4ArgumentError && /BINARY/.test(e.message),
  );
  await done();
  assert.deepEqual(commands(server.receivedText).filter((c) => !/^SELECT/.test(c)), []);
});

test("appendMessage: with BINARY, literal8 waits for + (no LITERAL+); binary: false refuses NUL", async () => {
  const { M, server, done } = await scripted({
    APPEND: async (s, c) => {
      s.line("+ go ahead");
      // Sent as is: the NUL, no MapCRLF.
      assert.deepEqual(await s.readBytes(19), new TextEncoder().encode(NUL_MESSAGE));
      assert.equal(await s.readLine(), "");
      s.line(`${c.tag} OK [APPENDUID 9 4] APPEND completed`);
    },
  }, "BINARY");
  assert.deepEqual(await appendMessage(M, "Entwürfe", NUL_MESSAGE), { uidValidity: 9, uid: 4 });
  await assert.rejects(
    appendMessage(M, "INBOX", NUL_MESSAGE, { binary: false }),
    (e: Error) => e instanceof IMAP4ArgumentError && /binary is false/.test(e.message),
  );
  await done();
  assert.ok(server.receivedText.includes('APPEND "Entw&APw-rfe" ~{19}\r\n'), server.receivedText);
});

void replies;
