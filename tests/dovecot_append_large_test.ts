// A message of megabytes through APPEND on real Dovecot: prepared within the command's turn a
// part at a time (src/client/message.ts) and written a part at a time, it is stored byte for
// byte as imaplib's MapCRLF makes it, a command called after it still runs after it, and one
// cancelled while its message is prepared sends nothing.

import assert from "node:assert/strict";
import { appendMessage, IMAP4CancelledError } from "../mod.ts";
import { login, uniqueMailbox } from "./_dovecot.ts";
import { test } from "./_harness.ts";

// ~4 MB as UTF-8 with bare LF line ends, as text editors and templates write them.
function bigMessage(subject: string): string {
  const line = "Grüße aus Zürich 😀 0123456789 abcdefghijklmnopqrstuvwxyz\n";
  return `Subject: ${subject}\nContent-Type: text/plain; charset=utf-8\n\n${line.repeat(60_000)}`;
}

function crlfBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text.replace(/\r\n|\r|\n/g, "\r\n"));
}

async function count(M: Awaited<ReturnType<typeof login>>, mailbox: string): Promise<number> {
  const [, [line]] = await M.status(mailbox, "(MESSAGES)");
  return Number(/MESSAGES (\d+)/.exec(new TextDecoder().decode(line as Uint8Array))![1]);
}

test("dovecot: a 4 MB text message is stored as MapCRLF makes it; the next call runs after it", async () => {
  await using M = await login(0);
  const mailbox = uniqueMailbox("bigappend");
  await M.create(mailbox);
  try {
    const text = bigMessage("big");
    // Not awaited: STATUS is called while APPEND's message is still to be prepared.
    const appending = M.append(mailbox, null, null, text);
    const status = count(M, mailbox);
    assert.equal((await appending)[0], "OK");
    assert.equal(await status, 1, "STATUS ran after the APPEND");
    // The typed face too, from bytes.
    await appendMessage(M, mailbox, new TextEncoder().encode(bigMessage("typed")));
    await M.select(mailbox, true);
    const [, data] = await M.fetch("1:2", "(BODY.PEEK[])");
    const bodies = data.filter(Array.isArray).map((item) => (item as [Uint8Array, Uint8Array])[1]);
    assert.equal(bodies.length, 2);
    assert.deepEqual(bodies[0], crlfBytes(text));
    assert.deepEqual(bodies[1], crlfBytes(bigMessage("typed")));
  } finally {
    await M.close().catch(() => {});
    await M.delete(mailbox);
  }
});

test("dovecot: an APPEND cancelled while its message is prepared sends nothing", async () => {
  await using M = await login(0);
  const mailbox = uniqueMailbox("bigcancel");
  await M.create(mailbox);
  try {
    const controller = new AbortController();
    const appending = M.append(mailbox, null, null, bigMessage("cancelled"), {
      signal: controller.signal,
    });
    // The first turn the preparation gives the loop.
    setTimeout(() => controller.abort("changed my mind"), 0);
    await assert.rejects(
      appending,
      (e: Error) => e instanceof IMAP4CancelledError && e.cause === "changed my mind",
    );
    assert.equal(await count(M, mailbox), 0);
    // The connection is in step: the next APPEND is stored.
    assert.equal((await M.append(mailbox, null, null, "Subject: small\r\n\r\nx\r\n"))[0], "OK");
    assert.equal(await count(M, mailbox), 1);
  } finally {
    await M.delete(mailbox);
  }
});
