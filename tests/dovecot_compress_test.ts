// COMPRESS=DEFLATE (RFC 4978) against the real Dovecot (imap_zlib plugin): the capability
// after login, then SELECT, APPEND (a 2 MB literal), FETCH, a streamed body and IDLE over the
// compressed connection, with the bytes on the wire counted below the client and compared
// with the same work uncompressed. Also over STARTTLS (compression above TLS).

import assert from "node:assert/strict";
import { compress, IMAP4, type Transport } from "../mod.ts";
import { openTransport } from "../src/transport/open.ts";
import { test } from "./_harness.ts";
import { dovecot, login, message, uniqueMailbox } from "./_dovecot.ts";

const latin1 = new TextDecoder("latin1");

/** A transport that counts the bytes crossing it, each way. */
function counted(
  inner: Transport,
): { transport: Transport; read: () => number; written: () => number } {
  let read = 0;
  let written = 0;
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      written += chunk.length;
      controller.enqueue(chunk);
    },
  });
  tap.readable.pipeTo(inner.writable).catch(() => {});
  const readable = inner.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  return {
    transport: { readable, writable: tap.writable, close: () => inner.close() },
    read: () => read,
    written: () => written,
  };
}

// ~2 MB of text that compresses as mail does (words, not zeros).
function largeBody(): string {
  const words = ["mailbox", "deflate", "literal", "Dovecot", "stream", "client", "server"];
  const lines: string[] = [];
  for (let i = 0, size = 0; size < 2_000_000; i++) {
    const line = `${i} ${words[i % 7]} ${words[(i * 3) % 7]} ${words[(i * 5) % 7]} ${i * 7919}\r\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

interface Wire {
  read: number;
  written: number;
}

// The same work with and without compression, over plain TCP (the fixture allows plain-text
// login on loopback), the bytes counted at the transport.
async function workload(compressed: boolean, body: string): Promise<Wire> {
  const info = dovecot();
  const tcp = await openTransport({ hostname: info.host, port: info.imapPort }, 10);
  const wire = counted(tcp);
  await using M = await IMAP4.fromTransport(wire.transport, { timeout: 10 });
  assert.ok(!M.capabilities.includes("COMPRESS=DEFLATE"), "Dovecot announces it after login");
  const { user, password } = info.users[0];
  await M.login(user, password);
  assert.ok(M.capabilities.includes("COMPRESS=DEFLATE"), M.capabilities.join(" "));
  if (compressed) await compress(M);
  const box = uniqueMailbox(compressed ? "Compressed" : "Plain");
  assert.equal((await M.create(box))[0], "OK");
  for (let i = 0; i < 20; i++) await M.append(box, null, null, message(`small ${i}`));
  assert.equal((await M.append(box, null, null, message("large", body)))[0], "OK");
  const [, [exists]] = await M.select(box);
  assert.equal(latin1.decode(exists as Uint8Array), "21");
  const [, items] = await M.fetch("1:*", "(FLAGS ENVELOPE BODY.PEEK[])");
  const large = items.find((i) => Array.isArray(i) && /Subject: large/.test(latin1.decode(i[1])));
  assert.ok(Array.isArray(large) && latin1.decode(large[1]).endsWith(body));
  // The large literal streamed (fetchBody) over the same connection.
  const part = await M.fetchBody("21");
  assert.ok(part);
  let streamed = 0;
  for await (const chunk of part.body) streamed += chunk.length;
  assert.equal(streamed, part.sizeBytes);
  assert.equal((await part.done)[0], "OK");
  assert.equal(latin1.decode((await M.search(null, "SUBJECT", "large"))[1][0] as Uint8Array), "21");
  assert.equal((await M.close())[0], "OK");
  assert.equal((await M.delete(box))[0], "OK");
  await M.logout();
  return { read: wire.read(), written: wire.written() };
}

test("dovecot COMPRESS: the same work on fewer bytes, both ways (2 MB literal, FETCH, stream)", async () => {
  const body = largeBody();
  const plain = await workload(false, body);
  const deflated = await workload(true, body);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const report = `read ${deflated.read} vs ${plain.read} (${ratio(deflated.read, plain.read)}), ` +
    `written ${deflated.written} vs ${plain.written} (${ratio(deflated.written, plain.written)})`;
  assert.ok(deflated.read < plain.read / 3, report);
  assert.ok(deflated.written < plain.written / 3, report);
  console.log(`dovecot COMPRESS: ${report}`);
});

test("dovecot COMPRESS over STARTTLS: IDLE and commands go on; twice gets our own error", async () => {
  const box = uniqueMailbox("CompressIdle");
  await using M = await login();
  await using other = await login();
  await compress(M);
  await assert.rejects(compress(M), /already compressed/);
  await M.create(box);
  await M.select(box);
  {
    await using idler = await M.idle({ duration: 5 });
    await other.append(box, null, null, message("during"));
    for await (const [type, data] of idler) {
      if (type !== "EXISTS") continue;
      assert.deepEqual(data.map((d) => latin1.decode(d as Uint8Array)), ["1"]);
      break;
    }
  }
  assert.equal(M.state, "SELECTED");
  const [, [item]] = await M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
  assert.ok(Array.isArray(item));
  assert.equal(latin1.decode(item[1]), "Subject: during\r\n\r\n");
  await M.close();
  await M.delete(box);
});

test("dovecot COMPRESS: Dovecot's own refusal of a second COMPRESS, seen through xatom", async () => {
  // Our compress() refuses a second time before sending; what the server says to a second
  // COMPRESS (RFC 4978: NO [COMPRESSIONACTIVE]) is checked by sending it raw.
  await using M = await login();
  await compress(M);
  const [type, data] = await M.xatom("COMPRESS", "DEFLATE");
  assert.equal(type, "NO");
  assert.match(latin1.decode(data[0] as Uint8Array), /COMPRESSIONACTIVE/);
  assert.equal((await M.noop())[0], "OK");
});
