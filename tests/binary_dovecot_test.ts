// BINARY (RFC 3516) against the real Dovecot: appendMessage() sends a message with NUL bytes as
// a literal8 (`~{N}`), and fetchMessages() reads parts back with BINARY.PEEK[part] (the server
// undoing the transfer encoding) and BINARY.SIZE[part]. What Dovecot cannot show (a server
// without BINARY) is in tests/modern_scripted_test.ts.

import assert from "node:assert/strict";
import { appendMessage, fetchMessages, IMAP4CommandError, selectMailbox } from "../mod.ts";
import { test } from "./_harness.ts";
import { concat } from "./_bytes.ts";
import { login, uniqueMailbox } from "./_dovecot.ts";

const enc = (s: string) => new TextEncoder().encode(s);

// Every byte value, NUL first, bare CR and LF included: only a literal8 can carry it as is.
const PAYLOAD = Uint8Array.from({ length: 256 }, (_, i) => i);
const BASE64 = "AAECA/7/"; // 00 01 02 03 fe ff

const MESSAGE = concat([
  enc(
    "From: bob@example.org\r\nTo: alice@example.org\r\nSubject: binary\r\n" +
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
      "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
      "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n",
  ),
  PAYLOAD,
  enc(
    "\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
      `Content-Transfer-Encoding: base64\r\n\r\n${BASE64}\r\n--b--\r\n`,
  ),
]);

test("binary dovecot: a message with NUL goes as literal8, parts come back byte-identical", async () => {
  const M = await login();
  const box = uniqueMailbox("Binary");
  try {
    assert.ok(M.capabilities.includes("BINARY"), M.capabilities.join(" "));
    await M.create(box);
    const writes: string[] = [];
    const send = M.send.bind(M);
    M.send = (bytes) => {
      writes.push(new TextDecoder("latin1").decode(bytes));
      return send(bytes);
    };
    const { uid } = await appendMessage(M, box, MESSAGE, { flags: ["\\Seen"] });
    M.send = send;
    assert.equal(typeof uid, "number");
    // Dovecot advertises LITERAL+ too: a non-synchronizing literal8 (RFC 7888 section 4).
    assert.match(
      writes[0],
      new RegExp(`APPEND "${box}" \\(\\\\Seen\\) ~\\{${MESSAGE.length}\\+\\}\r\n$`),
    );

    await selectMailbox(M, box);
    const [msg] = await Array.fromAsync(fetchMessages(M, uid!, {
      source: true,
      binaryParts: ["2", "3"],
      binarySizes: ["2", "3"],
      bodyStructure: true,
    }, { uid: true }));
    assert.deepEqual(msg.bodyParts?.get("BINARY[2]"), PAYLOAD);
    assert.deepEqual(msg.bodyParts?.get("BINARY[3]"), Uint8Array.of(0, 1, 2, 3, 0xfe, 0xff));
    // Measured: Dovecot 2.3.19 stores a binary part re-encoded as base64 (the BODYSTRUCTURE
    // says "base64", BODY[] differs from what was sent), and BINARY undoes that exactly.
    assert.equal(msg.bodyStructure?.childNodes?.[1].encoding, "base64");
    assert.notDeepEqual(msg.source, MESSAGE);
    // BINARY.SIZE: exact for the base64 part; for the 256 bytes of the binary part Dovecot
    // 2.3.19 says 254 (measured; the BINARY[2] bytes above are all 256).
    assert.equal(msg.binarySizes?.get("3"), 6);
    assert.ok([254, 256].includes(msg.binarySizes?.get("2")!), `${msg.binarySizes?.get("2")}`);
    await M.unselect();
  } finally {
    await M.delete(box).catch(() => {});
    await M.logout();
  }
});

test("binary dovecot: a part in an unknown transfer encoding is NO [UNKNOWN-CTE], typed", async () => {
  const M = await login();
  const box = uniqueMailbox("BinaryCte");
  try {
    await M.create(box);
    const { uid } = await appendMessage(
      M,
      box,
      "From: bob@example.org\r\nSubject: cte\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-rot13\r\n\r\n" +
        "uryyb\r\n",
    );
    await selectMailbox(M, box);
    await assert.rejects(
      Array.fromAsync(fetchMessages(M, uid!, { binaryParts: ["1"] }, { uid: true })),
      (e: unknown) => {
        assert.ok(e instanceof IMAP4CommandError, String(e));
        assert.equal(e.code?.code, "UNKNOWN-CTE");
        return true;
      },
    );
    // The connection stays in step.
    const [msg] = await Array.fromAsync(
      fetchMessages(M, uid!, { bodyParts: ["1"] }, { uid: true }),
    );
    assert.equal(new TextDecoder().decode(msg.bodyParts?.get("1")), "uryyb\r\n");
    await M.unselect();
  } finally {
    await M.delete(box).catch(() => {});
    await M.logout();
  }
});
