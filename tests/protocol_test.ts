// Protocol violations a hostile server may try, and what imaplib keeps in its untagged store,
// over the in-memory scripted server (a real server will not misbehave on request).

import assert from "node:assert/strict";
import { IMAP4, IMAP4Abort, IMAP4ProtocolError, IMAP4TimeoutError } from "../mod.ts";
import { connectScripted, str } from "./_scripted.ts";
import { assertRaises, test } from "./_harness.ts";

// The tag the client will use after `tag` (same prefix, next number).
function nextTag(tag: string): string {
  const [, prefix, number] = /^([A-P]+)(\d+)$/.exec(tag)!;
  return `${prefix}${Number(number) + 1}`;
}

test("tags: a completion forged ahead for the next tag aborts that command", async () => {
  const { server, M, serving } = await connectScripted({
    handlers: {
      // The reply, then a reply for the command the client has not sent yet.
      NOOP: (s, c) => s.send(`${c.tag} OK NOOP completed\r\n${nextTag(c.tag)} OK forged\r\n`),
    },
  });
  assert.equal((await M.noop())[0], "OK");
  await assertRaises(M.noop(), IMAP4ProtocolError, /tagged response for a command not yet sent/);
  assert.equal(M.state, "LOGOUT");
  await assert.rejects(M.noop(), IMAP4Abort);
  server.end();
  await serving;
});

test("tags: a completion whose status is not OK, NO or BAD aborts", async () => {
  for (const status of ["MAYBE", "PREAUTH", "BYE"]) {
    const { server, M, serving } = await connectScripted({
      handlers: { NOOP: (s, c) => s.line(`${c.tag} ${status} later`) },
    });
    await assertRaises(M.noop(), IMAP4ProtocolError, /status "[A-Z]+", not OK, NO or BAD/);
    assert.equal(M.state, "LOGOUT");
    server.end();
    await serving;
  }
});

test("tags: status words in any case still complete a command (RFC 3501 is case-blind)", async () => {
  const { M, done } = await connectScripted({
    handlers: { NOOP: (s, c) => s.line(`${c.tag} ok done`) },
  });
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("untagged store: LOGIN's CAPABILITY code stays for capability(), as imaplib keeps it", async () => {
  // The scripted LOGIN answers `OK [CAPABILITY IMAP4rev1 ...]`, as Cyrus and Dovecot do. CPython
  // leaves the code in untagged_responses, so the next capability() returns the code's data and
  // the CAPABILITY response: two items.
  const { M, done } = await connectScripted({ capabilities: "IDLE" });
  await M.login("u", "p");
  assert.deepEqual(M.capabilities, ["IMAP4REV1", "IDLE"]);
  const [type, data] = await M.capability();
  assert.equal(type, "OK");
  assert.deepEqual(data.map(str), ["IMAP4rev1 IDLE", "IMAP4rev1 IDLE"]);
  await done();
});

test("STARTTLS: a server silent after its OK is timed out and its socket closed", async () => {
  // A plain TCP server (node:net, on Deno and Bun alike) that greets, offers STARTTLS, answers
  // it with OK and then sends nothing: the client's handshake waits for a ServerHello.
  const net = await import("node:net");
  let sawClose!: () => void;
  const closed = new Promise<void>((resolve) => sawClose = resolve);
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.on("close", () => sawClose());
    socket.write("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    let text = "";
    socket.on("data", (chunk: Uint8Array) => {
      text += new TextDecoder().decode(chunk);
      for (let m; (m = /^(\S+) (\S+)\r\n/.exec(text));) {
        text = text.slice(m[0].length);
        if (m[2] === "CAPABILITY") {
          socket.write(`* CAPABILITY IMAP4rev1 STARTTLS\r\n${m[1]} OK done\r\n`);
        } else if (m[2] === "STARTTLS") socket.write(`${m[1]} OK Begin TLS\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    const started = performance.now();
    await assertRaises(
      IMAP4.connect("127.0.0.1", port, {
        starttls: true,
        timeout: 0.3,
        tls: { hostname: "localhost" },
      }),
      IMAP4TimeoutError,
      /TLS handshake/,
    );
    // The library closed the TCP connection itself, within the timeout (plus slack).
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("the server never saw the close")), 2000)
      ),
    ]);
    assert.ok(performance.now() - started < 2300);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
