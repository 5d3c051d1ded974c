// LITERAL+ (RFC 7888) against the real Dovecot, which advertises it: APPEND sends `{N+}` and
// never waits for `+`; with `literalPlus: false` it sends `{N}` and waits, as imaplib does.

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { login, message, uniqueMailbox } from "./_dovecot.ts";

const latin1 = new TextDecoder("latin1");

for (const literalPlus of [true, false]) {
  test(`dovecot: APPEND with literalPlus: ${literalPlus}`, async () => {
    await using M = await login(0, { literalPlus });
    assert.ok(M.capabilities.includes("LITERAL+"));
    const box = uniqueMailbox("LiteralPlus");
    await M.create(box);
    const writes: string[] = [];
    const send = M.send.bind(M);
    M.send = (bytes) => {
      writes.push(latin1.decode(bytes));
      return send(bytes);
    };
    const lines: string[] = [];
    M.debug = 4;
    M.logger = (line) => lines.push(line);
    const body = message("literal plus");
    assert.equal((await M.append(box, null, null, body))[0], "OK");
    M.debug = 0;
    const size = new TextEncoder().encode(body).length;
    assert.match(
      writes[0],
      new RegExp(`APPEND ${box} \\{${size}${literalPlus ? "\\+" : ""}\\}\r\n$`),
    );
    assert.equal(writes[1], body);
    // The server's `+` (Dovecot sends "+ OK") shows in the trace only when it was waited for.
    const continuation = lines.some((line) => /< b'\+/.test(line) || /< \+/.test(line));
    assert.equal(continuation, !literalPlus, lines.join("\n"));
    assert.equal(M.continuation_response === null, literalPlus);
    const [, [count]] = await M.select(box);
    assert.equal(latin1.decode(count as Uint8Array), "1");
    await M.close();
    await M.delete(box);
  });
}
