// Literals kept across a whole FETCH on real Dovecot, over each built-in transport. On Node and
// Bun sockets (and on Deno's Node API, which STARTTLS connections use) a literal over 4 KiB that
// arrives whole in one socket chunk is a view of that chunk rather than a copy
// (FrameDecoder.push's `chunkGiven`): this holds only if the runtime never writes into a chunk
// it has handed over. Every literal of one buffered FETCH and of one fetchIter() is kept to the
// end of the command and then compared byte for byte with what was appended, so a reused socket
// buffer would show as a changed message.

import assert from "node:assert/strict";
import { IMAP4, IMAP4_SSL } from "../mod.ts";
import { dovecot, login, uniqueMailbox } from "./_dovecot.ts";
import { test } from "./_harness.ts";

const COUNT = 40;

// Message i: 9-50 KB (past the decoder's 4 KiB arena, within one socket chunk or across two),
// every line naming its message and line, so a byte from another message cannot pass.
function messageBytes(i: number): Uint8Array {
  let text = `Subject: view ${i}\r\n\r\n`;
  const lines = 200 + ((i * 37) % 900);
  for (let n = 0; n < lines; n++) text += `message ${i} line ${n} ${"x".repeat(n % 50)}\r\n`;
  return new TextEncoder().encode(text);
}

const MESSAGES = Array.from({ length: COUNT }, (_, i) => messageBytes(i));

async function openUser(how: "starttls" | "plain" | "tls"): Promise<IMAP4> {
  if (how === "starttls") return await login(0);
  const info = dovecot();
  const M = how === "plain"
    ? await IMAP4.connect(info.address, info.imapPort, { timeout: 10 })
    : await IMAP4_SSL.connect(info.host, info.imapsPort, {
      timeout: 10,
      tls: { caCerts: [info.caCertPem] },
    });
  const { user, password } = info.users[0];
  await M.login(user, password);
  return M;
}

function literals(data: unknown[]): Uint8Array[] {
  return data.filter(Array.isArray).map((item) => (item as [Uint8Array, Uint8Array])[1]);
}

test("dovecot: literals kept across a FETCH stay intact on every transport (views of socket chunks)", async () => {
  await using seeder = await login(0);
  const mailbox = uniqueMailbox("views");
  await seeder.create(mailbox);
  try {
    for (const bytes of MESSAGES) await seeder.append(mailbox, null, null, bytes);
    for (const how of ["starttls", "plain", "tls"] as const) {
      await using M = await openUser(how);
      await M.select(mailbox, true);
      const [, data] = await M.fetch("1:*", "(BODY.PEEK[])");
      const buffered = literals(data);
      const streamed: Uint8Array[] = [];
      for await (const [type, items] of M.fetchIter("1:*", "(BODY.PEEK[])")) {
        if (type === "FETCH") streamed.push(...literals(items));
      }
      // Compared only now, after both commands read every chunk.
      assert.equal(buffered.length, COUNT, how);
      assert.equal(streamed.length, COUNT, how);
      for (let i = 0; i < COUNT; i++) {
        assert.deepEqual(buffered[i], MESSAGES[i], `${how}: fetch(), message ${i + 1}`);
        assert.deepEqual(streamed[i], MESSAGES[i], `${how}: fetchIter(), message ${i + 1}`);
      }
    }
  } finally {
    await seeder.delete(mailbox);
  }
});
